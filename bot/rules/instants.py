"""The instants at which a scheduler pass can find something newly due. Pure.

Benchmate runs a pass every minute, so in Slack each nudge goes out at its due time. A
simulated clock that leaps ahead (the sandbox's clock jumps) runs a pass only at these
instants, and each nudge still goes out at its own due time, stamped then. They come
from Benchmate's own rules, applied to what it stores:
- the weekly prompt: each member's prompt time (wall-clock time in their zone, default
  Friday 14:00), deferred past their quiet hours (bot/rules/schedule.py);
- a pair's meeting reminders, "Did you meet?" follow-ups and the coordinators' flag
  (bot/rules/meetings.py `plan`), its pulse surveys and, once ended, its closing survey
  (bot/rules/surveys.py), each at the person's prompt time on its day, outside quiet
  hours;
- a goal review at the member's prompt time on the day their goals are due, then six
  months on;
- a credential's lapse-prevention reminders, 12, 6, 3 and 1 months before its cycle
  ends, at the member's prompt time outside quiet hours (bot/rules/credentials.py
  `reminders`, the schedule the reminder job's `reminder_due` picks from); after the
  credential is added or changed, or a CE credit recorded, a reminder due at once and
  the "all met" DM's time (`met_due_at`);
- the digest every Monday at 14:00 UTC (bot/rules/digest.py);
- stored instants: members' next prompt, announcements' send time.

A superset is harmless (a pass with nothing due sends nothing); a missing instant would
only delay a nudge to the next pass. Listing only these, rather than every member's
prompt time every day, keeps a two-week jump to a few dozen passes at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.rules.credentials import met_due_at, reminder_due, reminders
from bot.rules.digest import POST_AT, POST_WEEKDAY
from bot.rules.localtime import zone
from bot.rules.meetings import Cycle, plan
from bot.rules.schedule import PromptPrefs, next_review_date, review_due_at, weekly_occurrence
from bot.rules.surveys import closing_due_at, pulse_days


@dataclass(frozen=True)
class PairTimes:
    """One pair, as the meeting and survey rules see it."""

    cycle: Cycle
    mentor: PromptPrefs
    mentee: PromptPrefs
    mentor_started_on: date  # the start, each member's local date (surveys count from it)
    mentee_started_on: date
    ended_at: datetime | None = None


def _days(start: datetime, end: datetime, tz: str) -> list[date]:
    """Every local date in `tz` from the day before `start` to the day after `end`
    (a slot deferred past quiet hours may fall on the next day)."""
    first = start.astimezone(zone(tz)).date() - timedelta(days=1)
    last = end.astimezone(zone(tz)).date() + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def weekly_instants(start: datetime, end: datetime, prefs: PromptPrefs) -> set[datetime]:
    """The member's weekly prompt slots (pausing is ignored: an extra pass costs nothing)."""
    if prefs.stopped:
        return set()
    days = _days(start, end, prefs.tz)
    return {weekly_occurrence(day, prefs).due_at for day in [*days[::7], days[-1]]}


def pulse_instants(started_on: date, end: datetime, prefs: PromptPrefs) -> set[datetime]:
    last = end.astimezone(zone(prefs.tz)).date()
    return {
        review_due_at(started_on + timedelta(days=d), prefs) for d in pulse_days(started_on, last)
    }


def pair_instants(end: datetime, pair: PairTimes) -> set[datetime]:
    """A pair's meeting nudges (this cycle's round) and surveys; an ended pair's closing
    survey only."""
    if pair.ended_at is not None:
        return {
            closing_due_at(pair.ended_at, pair.mentor),
            closing_due_at(pair.ended_at, pair.mentee),
        }
    found = {nudge.due_at for nudge in plan(pair.cycle, pair.mentor, pair.mentee)}
    found |= pulse_instants(pair.mentor_started_on, end, pair.mentor)
    found |= pulse_instants(pair.mentee_started_on, end, pair.mentee)
    return found


def review_instants(due_on: date, end: datetime, prefs: PromptPrefs) -> set[datetime]:
    """A member's goal reviews from `due_on`: each one, once sent, is next due six months
    on (no program review dates: the sandbox sets none)."""
    found = set()
    while (at := review_due_at(due_on, prefs)) <= end:
        found.add(at)
        due_on = next_review_date(due_on)
    return found


@dataclass(frozen=True)
class CredentialTimes:
    """One credential a member keeps, as the reminder job sees it."""

    cycle_end: date  # the member's own calendar date
    prefs: PromptPrefs
    # When it was added or its end date changed, and when the member recorded a CE
    # credit: the moments a reminder can fall due at once or everything become met.
    changes: tuple[datetime, ...] = ()


def credential_instants(credential: CredentialTimes) -> set[datetime]:
    """The credential's reminders; after each change, the instant a reminder already
    due then goes (5 months before the end: the 6-month one, at once, as Slack's
    next-minute pass sends it) and the instant an "all met" DM would (the member's
    prompt time that day, or at once if it has passed). Whether points are owed is the
    job's to decide: a pass with nothing to send sends nothing."""
    end, prefs = credential.cycle_end, credential.prefs
    found = {reminder.due_at for reminder in reminders(end, prefs)}
    for at in credential.changes:
        if reminder_due(end, at, prefs) is not None:
            found.add(at)
        found.add(max(met_due_at(at, prefs), at))
    return found


def digest_instants(start: datetime, end: datetime) -> set[datetime]:
    """Monday 14:00 UTC, every week."""
    day = start.astimezone(UTC).date()
    day += timedelta(days=(POST_WEEKDAY - day.weekday()) % 7)
    found = set()
    while (at := datetime.combine(day, POST_AT, tzinfo=UTC)) <= end:
        found.add(at)
        day += timedelta(days=7)
    return found


def due_instants(
    start: datetime,
    end: datetime,
    *,
    members: Sequence[PromptPrefs] = (),
    pairs: Sequence[PairTimes] = (),
    reviews: Sequence[tuple[date, PromptPrefs]] = (),
    credentials: Sequence[CredentialTimes] = (),
    fixed: Iterable[datetime] = (),
) -> list[datetime]:
    """Sorted, distinct instants in (start, end] at which a pass can find something newly
    due: active members' weekly prompts, pairs' meeting nudges and surveys (pairs active
    or ended lately), goal reviews (the day each member's goals are next due),
    credential reminders, the digest, and `fixed` stored instants (members' next
    prompt, announcements' send time)."""
    found = digest_instants(start, end) | set(fixed)
    for prefs in members:
        found |= weekly_instants(start, end, prefs)
    for pair in pairs:
        found |= pair_instants(end, pair)
    for day, prefs in reviews:
        found |= review_instants(day, end, prefs)
    for credential in credentials:
        found |= credential_instants(credential)
    return sorted({at.astimezone(UTC) for at in found if start < at <= end})
