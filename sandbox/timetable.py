"""When a clock jump runs Benchmate's scheduler pass: the instants something can fall due
(bot/rules/instants.py), from what Benchmate stores.

The sandbox owns Benchmate's SQLite file and reads it here, read-only, through
Benchmate's own models: the harness observing state, as a test does. Benchmate itself
is unchanged and still decides, at each pass, what is due.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, or_, select
from sqlalchemy.orm import Session

from bot.rules.instants import CredentialTimes, PairTimes, due_instants
from bot.rules.localtime import local_date
from bot.rules.schedule import next_review_date
from bot.rules.surveys import CLOSING_WINDOW_DAYS
from bot.store.models import Announcement, CECredit, Goal, Member, MemberCredential, Pair
from bot.usecases.meetings import cycle_of
from bot.usecases.prompts import prefs_of


class Timetable:
    """Reads Benchmate's SQLite file, read-only. One engine for a Benchmate's life, so
    its statements are compiled once."""

    def __init__(self, database: Path) -> None:
        self.engine = create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")

    def instants(self, start: datetime, end: datetime) -> list[datetime]:
        """Sorted instants in (start, end] at which a pass can find something newly due."""
        with Session(self.engine) as session:
            return _instants(session, start, end)

    def close(self) -> None:
        self.engine.dispose()


def _instants(session: Session, start: datetime, end: datetime) -> list[datetime]:
    members = list(session.scalars(select(Member).where(Member.is_active.is_(True))))
    recent = start - timedelta(days=CLOSING_WINDOW_DAYS)
    pairs = [
        PairTimes(
            cycle=cycle_of(pair),
            mentor=prefs_of(pair.mentor),
            mentee=prefs_of(pair.mentee),
            mentor_started_on=local_date(pair.started_at, pair.mentor.tz),
            mentee_started_on=local_date(pair.started_at, pair.mentee.tz),
            ended_at=pair.ended_at,
        )
        for pair in session.scalars(
            select(Pair).where(or_(Pair.ended_at.is_(None), Pair.ended_at >= recent))
        )
    ]
    # Goals set since the last pass get their first review date at the next one
    # (bot/usecases/reviews.py schedule_unscheduled): worked out the same way here.
    first_review: dict[int, tuple[Member, date]] = {}
    for goal, member in session.execute(
        select(Goal, Member)
        .join(Member, Goal.member_id == Member.id)
        .where(Goal.status == "active", Member.is_active.is_(True))
    ):
        day = goal.review_due_on or next_review_date(local_date(goal.created_at, member.tz))
        known = first_review.get(member.id)
        if known is None or day < known[1]:
            first_review[member.id] = (member, day)
    # CE credits recorded lately: each may have made a credential met.
    credited: dict[int, list[datetime]] = {}
    for member_id, created_at in session.execute(
        select(CECredit.member_id, CECredit.created_at).where(
            CECredit.created_at >= start - timedelta(days=1)
        )
    ):
        credited.setdefault(member_id, []).append(created_at)
    credentials = [
        CredentialTimes(
            credential.cycle_end,
            prefs_of(member),
            (credential.updated_at, *credited.get(member.id, [])),
        )
        for credential, member in session.execute(
            select(MemberCredential, Member)
            .join(Member, MemberCredential.member_id == Member.id)
            .where(
                Member.is_active.is_(True),
                MemberCredential.cycle_end >= start.date() - timedelta(days=1),
            )
        )
    ]
    fixed = [m.next_prompt_at for m in members if m.next_prompt_at is not None]
    fixed += session.scalars(select(Announcement.send_at).where(Announcement.done_at.is_(None)))
    return due_instants(
        start,
        end,
        members=[prefs_of(m) for m in members],
        pairs=pairs,
        reviews=[(day, prefs_of(m)) for m, day in first_review.values()],
        credentials=credentials,
        fixed=fixed,
    )
