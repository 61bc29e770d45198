"""What a member sees and does with `/mentor`: their pairs and their own profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import state
from bot.blocks.credentials import mentee_status_line
from bot.blocks.goals import goal_line
from bot.blocks.mentor import PairLine, ProfileValues, profile_modal
from bot.rules.credentials import Catalog
from bot.rules.localtime import local_date
from bot.rules.phi import Guard
from bot.rules.roster import DEFAULT_CAPACITY, RosterRow, check_row
from bot.store.db import Database
from bot.store.models import Goal, Member, Pair, Win
from bot.usecases.credentials import statuses
from bot.usecases.meetings import cycle_of, open_items
from bot.usecases.pairs import active_pairs, profile_of
from bot.usecases.programs import program_labels
from bot.usecases.roster import save_profile

SHARED_WINS_SHOWN = 5


def wins_shared_with_mentor(session: Session, mentee_id: int, guard: Guard) -> list[Win]:
    """The mentee's latest wins they shared with their mentor; never a private or
    patient-data-flagged one, whatever the flag says, nor one today's guard flags (the
    rules or the directory may have changed since it was saved)."""
    wins = list(
        session.scalars(
            select(Win)
            .where(
                Win.member_id == mentee_id,
                Win.shared_with_mentor.is_(True),
                Win.is_private.is_(False),
                Win.phi_flagged.is_(False),
            )
            .order_by(Win.occurred_on.desc(), Win.logged_at.desc(), Win.id.desc())
            .limit(SHARED_WINS_SHOWN)
        )
    )
    return [w for w in wins if not guard.find(w.text)]


def goals_shared_with_mentor(session: Session, mentee_id: int, guard: Guard) -> list[Goal]:
    """The mentee's active goals they shared with their mentor (same rule as wins)."""
    goals = list(
        session.scalars(
            select(Goal)
            .where(
                Goal.member_id == mentee_id,
                Goal.status == "active",
                Goal.shared_with_mentor.is_(True),
                Goal.is_private.is_(False),
                Goal.phi_flagged.is_(False),
            )
            .order_by(Goal.created_at, Goal.id)
        )
    )
    return [g for g in goals if not guard.find(f"{g.title}\n{g.measure or ''}")]


def pair_line(
    session: Session,
    member: Member,
    pair: Pair,
    guard: Guard,
    catalog: Catalog | None = None,
    now: datetime | None = None,
    program: str = "",
) -> PairLine:
    """One of the member's pairs; a mentor also gets what the mentee shared with them,
    and the mentee's credential status (days left, on track or not: never their wins)."""
    mentoring = pair.mentor_id == member.id
    credentials = ""
    if mentoring and catalog is not None and now is not None:
        helds = statuses(session, pair.mentee_id, pair.mentee.tz, catalog, now)
        if helds:
            credentials = mentee_status_line(pair.mentee.slack_user_id, helds)
    wins = wins_shared_with_mentor(session, pair.mentee_id, guard) if mentoring else []
    goals = goals_shared_with_mentor(session, pair.mentee_id, guard) if mentoring else []
    return PairLine(
        pair_id=pair.id,
        partner=(pair.mentee if mentoring else pair.mentor).slack_user_id,
        my_role="mentor" if mentoring else "mentee",
        since=local_date(pair.started_at, member.tz),
        cadence_days=pair.cadence_days,
        next_meeting=cycle_of(pair).due_on,
        open_items=tuple(i.text for i in open_items(session, pair.id)),
        shared_wins=tuple((w.occurred_on, w.text) for w in wins),
        shared_goals=tuple(goal_line(g) for g in goals),
        credentials=credentials,
        program=program,
    )


def my_pairs(
    db: Database,
    member: Member,
    guard: Guard,
    catalog: Catalog | None = None,
    now: datetime | None = None,
) -> tuple[list[PairLine], bool]:
    """The member's active pairs from every program (each labelled with its program
    when the workspace has several), and whether they are on a roster."""
    with db.begin() as session:
        pairs = active_pairs(session, member.id)
        labels = program_labels(session, member.team_id)
        lines = [
            pair_line(session, member, p, guard, catalog, now, labels.get(p.program_id, ""))
            for p in pairs
        ]
        profile = profile_of(session, member.id)
        return lines, profile is not None and profile.left_at is None


def profile_form(db: Database, member: Member) -> dict[str, Any]:
    with db.begin() as session:
        profile = profile_of(session, member.id)
        if profile is None or profile.left_at is not None:
            values = ProfileValues(career_level=member.career_level, lab_section=member.lab_section)
        else:
            values = ProfileValues(
                role=profile.role,
                career_level=member.career_level,
                lab_section=member.lab_section,
                certifications=tuple(k for k in profile.certifications.split(",") if k),
                interests=tuple(k for k in profile.interests.split(",") if k),
                target_certification=profile.target_certification,
                capacity=profile.capacity,
                shift=profile.shift,
                supervisor=profile.supervisor_user_id,
            )
    return profile_modal(values)


@dataclass(frozen=True)
class ProfileSaved:
    row: RosterRow


@dataclass(frozen=True)
class ProfileErrors:
    errors: dict[str, str]  # block id -> why


def submit_profile(
    db: Database, member: Member, view: dict[str, Any], now: datetime
) -> ProfileSaved | ProfileErrors:
    """Check the form with the same rules as a roster row, then save it."""
    role = state.selected(view, "role") or ""
    capacity = state.text(view, "capacity").strip()
    if not capacity and role in ("mentor", "both"):
        capacity = str(DEFAULT_CAPACITY)
    if role == "mentee":
        capacity = ""  # the field is there for mentors; a mentee's is ignored
    values = {
        "who": member.slack_user_id,
        "role": role,
        "career_level": state.selected(view, "career_level") or "",
        "lab_section": state.selected(view, "lab_section") or "",
        "certifications": ",".join(state.multi_selected(view, "certifications")),
        "interests": ",".join(state.multi_selected(view, "interests")),
        "target_certification": state.selected(view, "target_certification") or "",
        "shift": state.selected(view, "shift") or "",
        "capacity": capacity,
        "supervisor": state.selected_user(view, "supervisor") or "",
    }
    row = check_row(0, values)
    if isinstance(row, list):
        errors: dict[str, str] = {}
        for field, why in row:
            errors.setdefault(field, why[0].upper() + why[1:] + ".")
        return ProfileErrors(errors)
    with db.begin() as session:
        current = session.get(Member, member.id)
        assert current is not None
        save_profile(session, current, row, now, supervisor=row.supervisor)
    return ProfileSaved(row)
