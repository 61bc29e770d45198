"""Semiannual goal reviews: which goals are due, what the review says, what comes next.

Each active goal has `review_due_on`, a date in the member's own calendar: six months
after it was set (or last reviewed), or the program's next review date when a
coordinator sets them (`/program settings`, else BENCHMATE_REVIEW_DATES). One review
DM per member lists all their goals due, at the member's prompt time outside quiet
hours; its ledger key is (member, "goal_review", the due date).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.localtime import local_date
from bot.rules.schedule import next_review_date, review_due_at
from bot.store.models import Goal, Member, Win
from bot.usecases.prompts import prefs_of

KIND = "goal_review"


@dataclass(frozen=True)
class DueReview:
    member: Member
    goals: list[Goal]
    period: str  # the due date, ISO
    due_at: datetime


def schedule_unscheduled(
    session: Session,
    program_dates: Callable[[str], Sequence[tuple[int, int]]],
    *,
    limit: int = 1000,
) -> int:
    """Give goals set since the last pass their first review date (`program_dates`
    gives a team's review dates)."""
    rows = session.execute(
        select(Goal, Member)
        .join(Member, Goal.member_id == Member.id)
        .where(Goal.status == "active", Goal.review_due_on.is_(None))
        .limit(limit)
    ).all()
    for goal, member in rows:
        goal.review_due_on = next_review_date(
            local_date(goal.created_at, member.tz), program_dates(member.team_id)
        )
    return len(rows)


def due_reviews(session: Session, now: datetime) -> list[DueReview]:
    """Members with goals due for review at `now` (by the `review_due_on` index)."""
    horizon = now.date() + timedelta(days=1)  # no zone is more than a day ahead of UTC
    rows = session.execute(
        select(Goal, Member)
        .join(Member, Goal.member_id == Member.id)
        .where(
            Goal.status == "active",
            Goal.review_due_on <= horizon,
            Member.is_active.is_(True),
        )
        .order_by(Member.id, Goal.created_at, Goal.id)
    ).all()
    by_member: dict[int, tuple[Member, list[Goal]]] = {}
    for goal, member in rows:
        by_member.setdefault(member.id, (member, []))[1].append(goal)
    due = []
    for member, goals in by_member.values():
        day = min(g.review_due_on for g in goals if g.review_due_on is not None)
        at = review_due_at(day, prefs_of(member))
        if at <= now:
            due.append(DueReview(member, goals, day.isoformat(), at))
    return due


def linked_wins(session: Session, goals: list[Goal]) -> dict[int, list[Win]]:
    """Wins linked to each goal since its last review (or since it was set)."""
    found: dict[int, list[Win]] = {}
    for goal in goals:
        since = goal.reviewed_at or goal.created_at
        found[goal.id] = list(
            session.scalars(
                select(Win)
                .where(Win.goal_id == goal.id, Win.logged_at >= since)
                .order_by(Win.occurred_on, Win.id)
            )
        )
    return found


def advance(
    session: Session,
    goal_ids: list[int],
    today: date,
    now: datetime,
    program_dates: Sequence[tuple[int, int]],
    *,
    reviewed: bool,
) -> None:
    """After a review went out (or was missed): the next one, six months on."""
    for goal_id in goal_ids:
        goal = session.get(Goal, goal_id)
        if goal is None:
            continue
        goal.review_due_on = next_review_date(today, program_dates)
        if reviewed:
            goal.reviewed_at = now
