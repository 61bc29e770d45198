"""`/program match`: gather the roster, propose pairs, and approve the ones the
coordinator keeps."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks.program import ProposalLine
from bot.rules.matching import Candidate, propose
from bot.rules.mrkdwn import escape
from bot.store.db import Database
from bot.store.models import MatchProposal, Member, Pair, ProgramProfile
from bot.usecases.coordinators import record
from bot.usecases.pairs import active_pair, create_pair


def _keys(text: str) -> frozenset[str]:
    return frozenset(k for k in text.split(",") if k)


def candidate(member: Member, profile: ProgramProfile, free_slots: int = 0) -> Candidate:
    return Candidate(
        member_id=member.id,
        user_id=member.slack_user_id,
        name=member.name or member.slack_user_id,
        level=member.career_level,
        lab_section=member.lab_section,
        interests=_keys(profile.interests),
        certifications=_keys(profile.certifications),
        target_certification=profile.target_certification,
        shift=profile.shift,
        supervisor=profile.supervisor_user_id,
        free_slots=free_slots,
    )


@dataclass(frozen=True)
class Pool:
    mentors: list[Candidate]
    mentees: list[Candidate]  # those without an active mentor
    past: set[tuple[int, int]]


def pool(session: Session, team_id: str) -> Pool:
    """Everyone on the roster who is still active, with mentors' free capacity."""
    on_roster = session.execute(
        select(Member, ProgramProfile)
        .join(ProgramProfile, ProgramProfile.member_id == Member.id)
        .where(
            Member.team_id == team_id,
            Member.is_active.is_(True),
            ProgramProfile.left_at.is_(None),
        )
        .order_by(Member.id)
    ).all()
    load = dict(
        session.execute(
            select(Pair.mentor_id, func.count(Pair.id))
            .where(Pair.team_id == team_id, Pair.ended_at.is_(None))
            .group_by(Pair.mentor_id)
        ).all()
    )
    mentored = set(
        session.scalars(
            select(Pair.mentee_id).where(Pair.team_id == team_id, Pair.ended_at.is_(None))
        )
    )
    past = {
        (mentor_id, mentee_id)
        for mentor_id, mentee_id in session.execute(
            select(Pair.mentor_id, Pair.mentee_id).where(Pair.team_id == team_id)
        )
    }
    mentors, mentees = [], []
    for member, profile in on_roster:
        if profile.role in ("mentor", "both"):
            free = max(profile.capacity - load.get(member.id, 0), 0)
            mentors.append(candidate(member, profile, free))
        if profile.role in ("mentee", "both") and member.id not in mentored:
            mentees.append(candidate(member, profile))
    return Pool(mentors, mentees, past)


@dataclass(frozen=True)
class Proposed:
    batch: str
    lines: list[ProposalLine]
    unmatched: int


def propose_matches(db: Database, *, team_id: str, actor: str, now: datetime) -> Proposed:
    """Propose the best set of pairs and keep them as a batch awaiting approval."""
    batch = uuid.uuid4().hex
    with db.begin() as session:
        found = pool(session, team_id)
        proposals = propose(found.mentors, found.mentees, found.past)
        rows = [
            MatchProposal(
                team_id=team_id,
                batch=batch,
                mentor_id=p.mentor.member_id,
                mentee_id=p.mentee.member_id,
                score=p.score,
                reasons=json.dumps(list(p.reasons)),
                status="proposed",
                created_by=actor,
                created_at=now,
            )
            for p in proposals
        ]
        session.add_all(rows)
        session.flush()
        record(
            session,
            team_id,
            actor,
            "match_propose",
            {"batch": batch, "proposed": len(rows), "mentees": len(found.mentees)},
            now,
        )
        lines = [
            ProposalLine(
                id=row.id,
                mentor=p.mentor.user_id,
                mentee=p.mentee.user_id,
                mentor_name=p.mentor.name,
                mentee_name=p.mentee.name,
                score=p.score,
                reasons=p.reasons,
            )
            for row, p in zip(rows, proposals, strict=True)
        ]
    return Proposed(batch, lines, len(found.mentees) - len(lines))


@dataclass(frozen=True)
class Approved:
    pair_ids: list[int]
    declined: int
    skipped: list[str]  # why a ticked proposal could no longer be made


def approve_matches(
    db: Database,
    *,
    team_id: str,
    batch: str,
    chosen: set[int],
    listed: set[int] | None = None,
    approve_unlisted: bool = False,
    actor: str,
    now: datetime,
) -> Approved:
    """Make the chosen proposals of `batch` into pairs and decline the rest. A batch too
    big for one modal lists only some (`listed`); `approve_unlisted` approves the others.
    Each pair is checked again: things may have changed since it was proposed."""
    pair_ids: list[int] = []
    skipped: list[str] = []
    declined = 0
    with db.begin() as session:
        proposals = list(
            session.scalars(
                select(MatchProposal)
                .where(
                    MatchProposal.team_id == team_id,
                    MatchProposal.batch == batch,
                    MatchProposal.status == "proposed",
                )
                .order_by(MatchProposal.id)
            )
        )
        current = pool(session, team_id)
        free = {m.member_id: m.free_slots for m in current.mentors}
        unpaired = {m.member_id for m in current.mentees}
        for proposal in proposals:
            unlisted = listed is not None and proposal.id not in listed
            if proposal.id not in chosen and not (unlisted and approve_unlisted):
                proposal.status = "declined"
                declined += 1
                continue
            mentor = session.get(Member, proposal.mentor_id)
            mentee = session.get(Member, proposal.mentee_id)
            assert mentor is not None and mentee is not None
            why = None
            if proposal.mentee_id not in unpaired:
                why = f"{escape(mentee.name)} has a mentor now or left the roster"
            elif free.get(proposal.mentor_id, 0) <= 0:
                why = f"{escape(mentor.name)} has no free capacity now or left the roster"
            elif active_pair(session, mentor.id, mentee.id) is not None:
                why = f"{escape(mentor.name)} already mentors {escape(mentee.name)}"
            if why:
                proposal.status = "stale"
                skipped.append(why)
                continue
            made = create_pair(
                session, mentor=mentor, mentee=mentee, by=actor, now=now, source="match"
            )
            assert not isinstance(made, str)
            proposal.status = "approved"
            free[proposal.mentor_id] -= 1
            unpaired.discard(proposal.mentee_id)
            pair_ids.append(made.pair.id)
        record(
            session,
            team_id,
            actor,
            "match_approve",
            {
                "batch": batch,
                "approved": len(pair_ids),
                "declined": declined,
                "skipped": len(skipped),
            },
            now,
        )
    return Approved(pair_ids, declined, skipped)
