"""When nudges are due: pure functions of `now`, the member's zone and preferences.

All instants are aware UTC datetimes; wall times are the member's own. Daylight saving:
a wall time that does not exist (spring forward) moves to the first valid instant after
the gap; an ambiguous one (fall back) takes its first occurrence.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from bot.rules.localtime import zone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKLY_GRACE = timedelta(hours=24)
REVIEW_GRACE = timedelta(days=7)
REVIEW_MONTHS = 6


@dataclass(frozen=True)
class PromptPrefs:
    """A member's weekly prompt preferences, in their own wall-clock time."""

    tz: str
    weekday: int = 4  # Monday is 0; Friday by default
    at: time = time(14, 0)
    quiet_start: time | None = None
    quiet_end: time | None = None
    paused_until: date | None = None  # prompts resume on this date
    stopped: bool = False


@dataclass(frozen=True)
class Occurrence:
    """One weekly slot: its period key, the chosen wall time as UTC, and when it is
    actually due (later than the slot when the slot falls in quiet hours)."""

    period: str
    slot_at: datetime
    due_at: datetime


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`, DST-safe.

    Nonexistent (spring-forward gap): the first valid instant after the gap.
    Ambiguous (fall-back overlap): the first occurrence (fold=0).
    """
    z = zone(tz)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=z)  # fold=0
    as_utc = first.astimezone(UTC)
    if as_utc.astimezone(z).replace(tzinfo=None) == wall:
        return as_utc
    # In a gap: fold=1 reads the wall time with the offset after the transition, which
    # lands before the gap; fold=0 lands after it. The transition lies between them:
    # find the first second whose wall time is at or past the requested one.
    low = wall.replace(tzinfo=z, fold=1).astimezone(UTC)
    high = as_utc
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(z).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0)


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # spans midnight, e.g. 22:00-07:00


def defer_past_quiet_hours(
    when_utc: datetime, tz: str, quiet_start: time | None, quiet_end: time | None
) -> datetime:
    """`when_utc`, or the end of the member's quiet hours if it falls inside them."""
    local = when_utc.astimezone(zone(tz))
    wall = local.time().replace(tzinfo=None)
    if quiet_start is None or quiet_end is None or not in_quiet_hours(wall, quiet_start, quiet_end):
        return when_utc
    assert quiet_end is not None
    end_day = local.date()
    if quiet_start > quiet_end and wall >= quiet_start:
        end_day += timedelta(days=1)  # quiet from tonight until tomorrow morning
    return local_instant(end_day, quiet_end, tz)


def weekly_occurrence(day: date, prefs: PromptPrefs) -> Occurrence:
    """The slot in the week of `day` (on the chosen weekday), with quiet hours applied."""
    slot_day = day + timedelta(days=prefs.weekday - day.weekday())
    slot_at = local_instant(slot_day, prefs.at, prefs.tz)
    due_at = defer_past_quiet_hours(slot_at, prefs.tz, prefs.quiet_start, prefs.quiet_end)
    return Occurrence(period=iso_week(slot_day), slot_at=slot_at, due_at=due_at)


def next_weekly_prompt(
    now: datetime,
    prefs: PromptPrefs,
    skip: Collection[str] = (),
    *,
    grace: timedelta = timedelta(0),
) -> Occurrence | None:
    """The next weekly prompt still to come: the first slot due after `now` whose week
    is not in `skip` (already sent, missed or cancelled) and not paused. None when
    prompts are stopped. With `grace`, a slot due up to that long before `now` still
    counts (catching up after downtime: it is due at once)."""
    if prefs.stopped:
        return None
    # Start a week back: a slot already past may still be due later (quiet hours).
    day = now.astimezone(zone(prefs.tz)).date() - timedelta(days=7)
    if prefs.paused_until and prefs.paused_until > day:
        day = prefs.paused_until
    for _ in range(60):
        occurrence = weekly_occurrence(day, prefs)
        slot_day = occurrence.slot_at.astimezone(zone(prefs.tz)).date()
        paused = prefs.paused_until is not None and slot_day < prefs.paused_until
        if occurrence.due_at > now - grace and occurrence.period not in skip and not paused:
            return occurrence
        day += timedelta(days=7)
    return None


def catch_up_weekly(
    missed_due: datetime,
    now: datetime,
    prefs: PromptPrefs,
    skip: Collection[str] = (),
    grace: timedelta = WEEKLY_GRACE,
) -> tuple[list[Occurrence], Occurrence | None]:
    """Back after downtime, with the member's stored slot (due `missed_due`) past its
    grace window: the later slots that passed their grace window too (to record as
    missed), and the slot to schedule next. That one may be due already, within its
    grace window (this week's, when we come back just after its time): then it is sent
    at once, not skipped. Looking for the next slot only after `now` (as a reschedule
    after a prompt does) skipped it."""
    upcoming = next_weekly_prompt(now, prefs, skip, grace=grace)
    missed: list[Occurrence] = []
    if upcoming is None:
        return missed, None
    day = missed_due.astimezone(zone(prefs.tz)).date()
    for _ in range(60):  # more than a year down: the oldest weeks go unrecorded
        occurrence = weekly_occurrence(day, prefs)
        if occurrence.due_at >= upcoming.due_at:
            break
        slot_day = occurrence.slot_at.astimezone(zone(prefs.tz)).date()
        paused = prefs.paused_until is not None and slot_day < prefs.paused_until
        if occurrence.due_at > missed_due and occurrence.period not in skip and not paused:
            missed.append(occurrence)
        day += timedelta(days=7)
    return missed, upcoming


def occurrence_after(now: datetime, prefs: PromptPrefs) -> Occurrence:
    """The first weekly slot after `now` ignoring pause and stop (for "skip next week")."""
    day = now.astimezone(zone(prefs.tz)).date()
    for _ in range(3):
        occurrence = weekly_occurrence(day, prefs)
        if occurrence.due_at > now:
            return occurrence
        day += timedelta(days=7)
    raise AssertionError("a weekly slot always comes within three weeks")


Decision = Literal["wait", "send", "missed"]


def catch_up(due_at: datetime, now: datetime, grace: timedelta) -> Decision:
    """Not yet due; due (on time, or late but within its grace window); or too late."""
    if now < due_at:
        return "wait"
    return "send" if now - due_at <= grace else "missed"


# --- semiannual goal review --------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's end (Aug 31 + 6 = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_review_date(after: date, program_dates: Sequence[tuple[int, int]] = ()) -> date:
    """When a goal set or last reviewed on `after` is next reviewed: six months later,
    or, when the program sets review dates (month, day), the first of those after it."""
    if not program_dates:
        return add_months(after, REVIEW_MONTHS)
    candidates = []
    for year in (after.year, after.year + 1):
        for month, day in program_dates:
            try:
                candidate = date(year, month, day)
            except ValueError:  # Feb 29 in a common year
                candidate = date(year, month, 28)
            if candidate > after:
                candidates.append(candidate)
    return min(candidates)


def review_due_at(day: date, prefs: PromptPrefs) -> datetime:
    """A review due on `day` goes out at the member's prompt time, outside quiet hours."""
    at = local_instant(day, prefs.at, prefs.tz)
    return defer_past_quiet_hours(at, prefs.tz, prefs.quiet_start, prefs.quiet_end)
