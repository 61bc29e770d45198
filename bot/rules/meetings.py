"""Meeting reminders and "Did you meet?" follow-ups: pure functions of `now`.

A pair's meeting is due on a date (the mentor's local date). On that date the mentor
gets a reminder and the mentee a lighter one, each at their own prompt time outside
their quiet hours. From the day after (or the day "Not yet" chose), the mentor is asked
"Did you meet?" every FOLLOWUP_GAP_DAYS days, at most MAX_FOLLOWUPS times; then the
pair is flagged to the coordinators instead. Any answer moves the dates, which starts a
new round with new ledger periods: so "unanswered" needs no extra bookkeeping.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.rules.schedule import Decision, PromptPrefs, catch_up, review_due_at

REMINDER = "meeting_reminder"
FOLLOWUP = "meeting_followup"
FLAG = "meeting_flag"
KINDS = (REMINDER, FOLLOWUP, FLAG)

FOLLOWUP_GAP_DAYS = 2
MAX_FOLLOWUPS = 3
SNOOZE_DAYS = 3
MAX_RESCHEDULE_DAYS = 92
# A reminder or follow-up more than a day late (the scheduler was down) is recorded
# as missed, not sent; a flag to the coordinators is still worth sending a week late.
NUDGE_GRACE = timedelta(hours=24)
FLAG_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class Cycle:
    """One pair's current meeting cycle."""

    pair_id: int
    due_on: date
    followups_from: date | None = None

    @property
    def first_followup_on(self) -> date:
        return self.followups_from or self.due_on + timedelta(days=1)


@dataclass(frozen=True)
class MeetingNudge:
    kind: str  # REMINDER, FOLLOWUP or FLAG
    to: str  # "mentor", "mentee" (reminders only) or "coordinators" (the flag)
    period: str  # the ledger period; unique per pair, cycle and round
    due_at: datetime
    decision: Decision = "wait"
    number: int = 0  # which follow-up (1..MAX_FOLLOWUPS)


def first_due_on(started_on: date, cadence_days: int) -> date:
    return started_on + timedelta(days=cadence_days)


def next_due_on(held_on: date, cadence_days: int) -> date:
    return held_on + timedelta(days=cadence_days)


def snoozed_until(today: date) -> date:
    """ "Not yet": ask again in a few days."""
    return today + timedelta(days=SNOOZE_DAYS)


def reschedule_problem(new_date: date, today: date) -> str | None:
    if new_date < today:
        return "Pick today or a later date."
    if new_date > today + timedelta(days=MAX_RESCHEDULE_DAYS):
        return "Pick a date within the next three months."
    return None


def _day(value: date) -> str:
    return f"{value:%Y%m%d}"


def reminder_period(cycle: Cycle) -> str:
    return f"p{cycle.pair_id}:{_day(cycle.due_on)}"


def round_period(cycle: Cycle) -> str:
    return f"{reminder_period(cycle)}:{_day(cycle.first_followup_on)}"


def plan(cycle: Cycle, mentor: PromptPrefs, mentee: PromptPrefs) -> list[MeetingNudge]:
    """Every nudge of this cycle's round, in time order (decision not yet made)."""
    reminder = reminder_period(cycle)
    nudges = [
        MeetingNudge(REMINDER, "mentor", reminder, review_due_at(cycle.due_on, mentor)),
        MeetingNudge(REMINDER, "mentee", reminder, review_due_at(cycle.due_on, mentee)),
    ]
    base = round_period(cycle)
    for number in range(1, MAX_FOLLOWUPS + 1):
        day = cycle.first_followup_on + timedelta(days=(number - 1) * FOLLOWUP_GAP_DAYS)
        nudges.append(
            MeetingNudge(
                FOLLOWUP, "mentor", f"{base}:{number}", review_due_at(day, mentor), number=number
            )
        )
    flag_day = cycle.first_followup_on + timedelta(days=MAX_FOLLOWUPS * FOLLOWUP_GAP_DAYS)
    nudges.append(MeetingNudge(FLAG, "coordinators", base, review_due_at(flag_day, mentor)))
    return sorted(nudges, key=lambda n: n.due_at)


def due_now(
    cycle: Cycle,
    mentor: PromptPrefs,
    mentee: PromptPrefs,
    now: datetime,
    settled: Collection[tuple[str, str, str]] = (),
) -> list[MeetingNudge]:
    """What is due at `now` for this pair: nudges whose time came and that are not
    settled in the ledger, each with a decision ("send", or "missed" when past its
    grace). `settled` holds (kind, to, period) keys."""
    due = []
    for nudge in plan(cycle, mentor, mentee):
        if (nudge.kind, nudge.to, nudge.period) in settled:
            continue
        grace = FLAG_GRACE if nudge.kind == FLAG else NUDGE_GRACE
        decision = catch_up(nudge.due_at, now, grace)
        if decision != "wait":
            due.append(
                MeetingNudge(
                    nudge.kind, nudge.to, nudge.period, nudge.due_at, decision, nudge.number
                )
            )
    return due
