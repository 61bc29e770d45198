"""Pairs: made by hand or from approved proposals, introduced in a group DM, ended by
hand or when someone leaves."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.blocks.program import intro_blocks, intro_text
from bot.rules.catalog import CATEGORIES, CERTIFICATIONS
from bot.rules.matching import LEVEL_ORDER
from bot.rules.mrkdwn import escape
from bot.rules.phi import Guard
from bot.slack.gateway import SlackGateway, error_code
from bot.store.db import Database
from bot.store.models import Goal, Member, Pair, ProgramProfile
from bot.usecases.coordinators import coordinator_ids, record
from bot.usecases.meetings import cancel_open_nudges

log = logging.getLogger(__name__)

DEFAULT_CADENCE_DAYS = 14


@dataclass(frozen=True)
class Paired:
    pair: Pair
    notes: list[str] = field(default_factory=list)  # rules a hand-made pair bends


def active_pairs(session: Session, member_id: int) -> list[Pair]:
    """The member's active pairs, as mentor or as mentee."""
    return list(
        session.scalars(
            select(Pair)
            .where(
                or_(Pair.mentor_id == member_id, Pair.mentee_id == member_id),
                Pair.ended_at.is_(None),
            )
            .order_by(Pair.started_at, Pair.id)
        )
    )


def active_pair(session: Session, mentor_id: int, mentee_id: int) -> Pair | None:
    return session.scalars(
        select(Pair).where(
            Pair.mentor_id == mentor_id, Pair.mentee_id == mentee_id, Pair.ended_at.is_(None)
        )
    ).first()


def profile_of(session: Session, member_id: int) -> ProgramProfile | None:
    return session.scalars(
        select(ProgramProfile).where(ProgramProfile.member_id == member_id)
    ).one_or_none()


def hand_pair_notes(session: Session, mentor: Member, mentee: Member) -> list[str]:
    """What the matcher would have refused; a coordinator pairing by hand may still go ahead."""
    notes = []
    mentor_rank = LEVEL_ORDER.get(mentor.career_level or "", -1)
    mentee_rank = LEVEL_ORDER.get(mentee.career_level or "", -1)
    if mentor_rank < 0 or mentee_rank < 0:
        notes.append("one of them has no career level on the roster")
    elif mentor_rank <= mentee_rank:
        notes.append(f"<@{mentor.slack_user_id}> is not more senior than <@{mentee.slack_user_id}>")
    mentee_profile = profile_of(session, mentee.id)
    if mentee_profile and mentee_profile.supervisor_user_id == mentor.slack_user_id:
        notes.append(f"<@{mentor.slack_user_id}> is <@{mentee.slack_user_id}>'s supervisor")
    mentor_profile = profile_of(session, mentor.id)
    load = sum(1 for p in active_pairs(session, mentor.id) if p.mentor_id == mentor.id)
    capacity = mentor_profile.capacity if mentor_profile else 0
    if load >= capacity:
        notes.append(
            f"this takes <@{mentor.slack_user_id}> to {load + 1} mentees (capacity {capacity})"
        )
    past = session.scalar(
        select(Pair.id).where(Pair.mentor_id == mentor.id, Pair.mentee_id == mentee.id)
    )
    if past is not None:
        notes.append("they were paired before")
    return notes


def create_pair(
    session: Session,
    *,
    mentor: Member,
    mentee: Member,
    by: str,
    now: datetime,
    cadence_days: int = DEFAULT_CADENCE_DAYS,
    source: str = "hand",
) -> Paired | str:
    """A new active pair (and its audit entry), or why not."""
    if mentor.id == mentee.id:
        return "A mentor and a mentee are two different people."
    if active_pair(session, mentor.id, mentee.id) is not None:
        return f"<@{mentor.slack_user_id}> already mentors <@{mentee.slack_user_id}>."
    notes = hand_pair_notes(session, mentor, mentee) if source == "hand" else []
    pair = Pair(
        team_id=mentor.team_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        cadence_days=cadence_days,
        started_at=now,
        created_by=by,
    )
    session.add(pair)
    session.flush()
    record(
        session,
        mentor.team_id,
        by,
        "pair",
        {
            "pair": pair.id,
            "mentor": mentor.slack_user_id,
            "mentee": mentee.slack_user_id,
            "source": source,
            "notes": notes,
        },
        now,
    )
    return Paired(pair, notes)


def end_pair(session: Session, pair: Pair, *, reason: str, now: datetime) -> None:
    """End the pair: its open meeting reminders and follow-ups are cancelled in the
    ledger; the scheduler sends the closing survey to whoever is still here."""
    pair.ended_at = now
    pair.end_reason = reason
    cancel_open_nudges(session, pair, now)


def first_agenda(session: Session, mentee: Member, guard: Guard) -> list[str]:
    """A first meeting's agenda from the mentee's goals: only goals they chose to share
    with their mentor, never one the patient-data guard flags (the introduction goes to
    the pair's group DM); otherwise their interests from the roster."""
    goals = session.scalars(
        select(Goal)
        .where(
            Goal.member_id == mentee.id,
            Goal.status == "active",
            Goal.shared_with_mentor.is_(True),
            Goal.is_private.is_(False),
            Goal.phi_flagged.is_(False),
        )
        .order_by(Goal.created_at)
    )
    titles = [g.title for g in goals if not guard.find(f"{g.title}\n{g.measure or ''}")][:3]
    profile = profile_of(session, mentee.id)
    interests = [CATEGORIES[c] for c in (profile.interests.split(",") if profile else []) if c]
    target = profile.target_certification if profile else None
    agenda = ["Introductions: your paths into the lab, your shifts, how you like to keep in touch"]
    agenda += [f"The goal “{t}”: where it stands and the next step" for t in titles]
    if not titles:
        agenda += [f"What {i.lower()} could look like this year" for i in interests[:2]]
    if target:
        agenda.append(f"A plan toward {CERTIFICATIONS[target].split(' ', 1)[0]}")
    agenda.append("Agree how often and when to meet, and one small step before next time")
    return agenda


def introduce(db: Database, gateway: SlackGateway, pair_id: int, guard: Guard) -> bool:
    """Open the group DM (mentor, mentee, app) and post the introduction, once."""
    with db.begin() as session:
        pair = session.get(Pair, pair_id)
        if pair is None or pair.channel_id or pair.ended_at:
            return False
        mentor, mentee = pair.mentor.slack_user_id, pair.mentee.slack_user_id
        agenda = first_agenda(session, pair.mentee, guard)
        cadence = pair.cadence_days
    try:
        channel = gateway.open_group_dm([mentor, mentee])
        gateway.post(
            channel,
            intro_text(mentor, mentee, cadence),
            intro_blocks(mentor, mentee, cadence, agenda),
        )
    except SlackApiError as exc:
        log.warning("introducing pair %s failed: %s", pair_id, error_code(exc))
        return False
    with db.begin() as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None
        pair.channel_id = channel
    return True


def tell(gateway: SlackGateway, user_id: str, text: str) -> None:
    """A DM that must not stop the rest of the work when Slack refuses it."""
    try:
        gateway.dm(user_id, text)
    except SlackApiError as exc:
        log.warning("DM to %s failed: %s", user_id, error_code(exc))


@dataclass(frozen=True)
class Left:
    ended: int  # pairs ended
    told: list[str]  # Slack user ids told


def member_left(
    db: Database,
    gateway: SlackGateway,
    member: Member,
    now: datetime,
    *,
    env_coordinators: Collection[str] = (),
) -> Left:
    """Someone left (deactivated in Slack, marked inactive, or removed from the roster):
    end their active pairs, tell the other person kindly, tell the coordinators.

    Safe to call again: a second call finds nothing active and tells nobody. Pass
    `settings.coordinators` as `env_coordinators` so those coordinators hear of it too.
    """
    with db.begin() as session:
        current = session.get(Member, member.id)
        assert current is not None
        if not current.is_active and current.deactivated_at is None:
            current.deactivated_at = now
        profile = profile_of(session, member.id)
        was_on_roster = profile is not None and profile.left_at is None
        if profile is not None and profile.left_at is None:
            profile.left_at = now
        others: list[tuple[str, str]] = []  # (their Slack id, what they were to the leaver)
        for pair in active_pairs(session, member.id):
            end_pair(session, pair, reason="left", now=now)
            if pair.mentor_id == member.id:
                others.append((pair.mentee.slack_user_id, "mentor"))
            else:
                others.append((pair.mentor.slack_user_id, "mentee"))
        coordinators = coordinator_ids(session, env_coordinators, member.team_id)
        name = escape(current.name) or "Your partner"
        leaver = current.slack_user_id

    told = []
    for user_id, role in others:
        tell(
            gateway,
            user_id,
            f"Hi <@{user_id}>, {name}, your {role}, has left the mentorship program, so "
            "your pairing has ended. Thank you for the time you gave each other. "
            "Your coordinator will be in touch about what comes next.",
        )
        told.append(user_id)
    if others or was_on_roster:
        partners = ", ".join(f"<@{u}>" for u, _ in others) or "nobody"
        for coordinator in coordinators:
            if coordinator == leaver:
                continue
            tell(
                gateway,
                coordinator,
                f":wave: {name} (<@{leaver}>) has left the mentorship program. "
                f"{len(others)} pair(s) ended; I let {partners} know. "
                "`/program match` can propose new mentors for anyone now without one.",
            )
            told.append(coordinator)
    return Left(ended=len(others), told=told)
