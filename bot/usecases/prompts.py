"""The weekly win prompt: who is due, what it says, and when the next one comes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.rules.localtime import local_date
from bot.rules.schedule import (
    Occurrence,
    PromptPrefs,
    iso_week,
    next_weekly_prompt,
    occurrence_after,
)
from bot.store import ledger
from bot.store.models import Goal, Member, Nudge, Win

KIND = "weekly_prompt"


def prefs_of(member: Member) -> PromptPrefs:
    return PromptPrefs(
        tz=member.tz,
        weekday=member.prompt_weekday,
        at=member.prompt_time,
        quiet_start=member.quiet_start,
        quiet_end=member.quiet_end,
        paused_until=member.paused_until,
        stopped=member.prompts_stopped,
    )


def upcoming(session: Session, member: Member, now: datetime) -> Occurrence | None:
    """The member's next weekly prompt after `now`, skipping weeks already settled in
    the ledger (sent, missed, cancelled), so a change of day never sends twice a week."""
    since = iso_week(local_date(now, member.tz) - timedelta(days=14))
    settled = ledger.settled_periods(session, member_id=member.id, kind=KIND, since=since)
    return next_weekly_prompt(now, prefs_of(member), settled)


def reschedule(session: Session, member: Member, now: datetime) -> Occurrence | None:
    """Work out and store the member's next prompt (after preferences, time zone or a
    prompt changed). Inactive or stopped members have none."""
    occurrence = upcoming(session, member, now) if member.is_active else None
    member.next_prompt_at = occurrence.due_at if occurrence else None
    member.next_prompt_period = occurrence.period if occurrence else None
    return occurrence


def schedule_unscheduled(session: Session, now: datetime, *, limit: int = 1000) -> int:
    """Members with no next prompt yet (new, moved zone, back from deactivation)."""
    members = session.scalars(
        select(Member)
        .where(
            Member.next_prompt_at.is_(None),
            Member.is_active.is_(True),
            Member.prompts_stopped.is_(False),
        )
        .limit(limit)
    ).all()
    for member in members:
        reschedule(session, member, now)
    return len(members)


def due_member_ids(session: Session, now: datetime, *, after_id: int, limit: int) -> list[int]:
    """Ids of members whose prompt is due, by the `next_prompt_at` index only."""
    return list(
        session.scalars(
            select(Member.id)
            .where(
                Member.next_prompt_at <= now,
                Member.is_active.is_(True),
                Member.id > after_id,
            )
            .order_by(Member.id)
            .limit(limit)
        )
    )


def skip_next_week(session: Session, member: Member, now: datetime) -> Occurrence:
    """The prompt's "Skip next week": cancel the next weekly slot after `now` in the
    ledger (so no pass ever sends it) and reschedule past it."""
    following = occurrence_after(now, prefs_of(member))
    ledger.cancel(
        session,
        team_id=member.team_id,
        member_id=member.id,
        kind=KIND,
        period=following.period,
        due_at=following.due_at,
        now=now,
    )
    reschedule(session, member, now)
    return following


def last_prompt_within(session: Session, member: Member, now: datetime, hours: int) -> bool:
    """Whether a weekly prompt was sent to the member in the last `hours`."""
    found = session.scalar(
        select(func.count(Nudge.id)).where(
            Nudge.member_id == member.id,
            Nudge.kind == KIND,
            Nudge.status == "sent",
            Nudge.sent_at >= now - timedelta(hours=hours),
            Nudge.sent_at <= now,
        )
    )
    return bool(found)


def is_prompt_thread(session: Session, member: Member, channel: str, thread_ts: str) -> bool:
    """Whether `thread_ts` in `channel` is one of the member's weekly prompts."""
    found = session.scalar(
        select(func.count(Nudge.id)).where(
            Nudge.member_id == member.id,
            Nudge.kind == KIND,
            Nudge.ref == f"{channel}/{thread_ts}",
        )
    )
    return bool(found)


def prompt_contexts(
    session: Session, members: list[Member], now: datetime
) -> dict[int, tuple[int, str | None]]:
    """Last week's win count and a goal to work toward, for many members in two queries."""
    ids = [m.id for m in members]
    if not ids:
        return {}
    earliest = min(local_date(now, m.tz) for m in members) - timedelta(days=7)
    counts: dict[int, int] = {}
    rows = session.execute(
        select(Win.member_id, Win.occurred_on).where(
            Win.member_id.in_(ids), Win.occurred_on > earliest
        )
    )
    since = {m.id: local_date(now, m.tz) - timedelta(days=7) for m in members}
    for member_id, occurred_on in rows:
        if occurred_on > since[member_id]:
            counts[member_id] = counts.get(member_id, 0) + 1
    goals: dict[int, str] = {}
    for member_id, title in session.execute(
        select(Goal.member_id, Goal.title)
        .where(Goal.member_id.in_(ids), Goal.status == "active")
        .order_by(Goal.created_at.desc(), Goal.id.desc())
    ):
        goals[member_id] = title  # oldest last: the oldest open goal wins
    return {m.id: (counts.get(m.id, 0), goals.get(m.id)) for m in members}


def reschedule_many(session: Session, members: list[Member], now: datetime) -> None:
    """`reschedule` for many members: one ledger query, one bulk update."""
    if not members:
        return
    since = iso_week(min(local_date(now, m.tz) for m in members) - timedelta(days=14))
    settled: dict[int, set[str]] = {}
    for nudge in session.scalars(
        select(Nudge).where(
            Nudge.member_id.in_([m.id for m in members]),
            Nudge.kind == KIND,
            Nudge.period >= since,
        )
    ):
        if ledger.is_settled(nudge):
            settled.setdefault(nudge.member_id, set()).add(nudge.period)
    changes = []
    for member in members:
        found = (
            next_weekly_prompt(now, prefs_of(member), settled.get(member.id, set()))
            if member.is_active
            else None
        )
        changes.append(
            {
                "id": member.id,
                "next_prompt_at": found.due_at if found else None,
                "next_prompt_period": found.period if found else None,
            }
        )
    session.execute(update(Member), changes)
