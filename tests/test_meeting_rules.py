"""The pure meeting rules: when reminders, follow-ups and the flag are due (time passed in)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.rules import meetings as rules
from bot.rules.schedule import PromptPrefs

CHICAGO = PromptPrefs(tz="America/Chicago")  # 14:00 local by default
KOLKATA = PromptPrefs(tz="Asia/Kolkata")
CYCLE = rules.Cycle(pair_id=7, due_on=date(2026, 12, 4))
DEC_4_14_CHICAGO = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def keys(nudges: list[rules.MeetingNudge]) -> list[tuple[str, str, str]]:
    return [(n.kind, n.to, n.period) for n in nudges]


def test_plan_reminds_both_then_asks_the_mentor_three_times_then_flags() -> None:
    plan = rules.plan(CYCLE, CHICAGO, KOLKATA)
    assert [(n.kind, n.to, n.number, n.due_at) for n in plan] == [
        # Kolkata's 14:00 on Dec 4 comes first (08:30 UTC).
        (rules.REMINDER, "mentee", 0, datetime(2026, 12, 4, 8, 30, tzinfo=UTC)),
        (rules.REMINDER, "mentor", 0, DEC_4_14_CHICAGO),
        (rules.FOLLOWUP, "mentor", 1, DEC_4_14_CHICAGO + timedelta(days=1)),
        (rules.FOLLOWUP, "mentor", 2, DEC_4_14_CHICAGO + timedelta(days=3)),
        (rules.FOLLOWUP, "mentor", 3, DEC_4_14_CHICAGO + timedelta(days=5)),
        (rules.FLAG, "coordinators", 0, DEC_4_14_CHICAGO + timedelta(days=7)),
    ]
    assert plan[0].period == plan[1].period == "p7:20261204"
    assert [n.period for n in plan[2:]] == [
        "p7:20261204:20261205:1",
        "p7:20261204:20261205:2",
        "p7:20261204:20261205:3",
        "p7:20261204:20261205",
    ]


def test_nothing_is_due_before_its_time_and_settled_nudges_are_not_due_again() -> None:
    assert rules.due_now(CYCLE, CHICAGO, CHICAGO, DEC_4_14_CHICAGO - timedelta(seconds=1)) == []
    due = rules.due_now(CYCLE, CHICAGO, CHICAGO, DEC_4_14_CHICAGO)
    assert [(n.to, n.decision) for n in due] == [("mentor", "send"), ("mentee", "send")]
    settled = set(keys(due))
    assert rules.due_now(CYCLE, CHICAGO, CHICAGO, DEC_4_14_CHICAGO, settled) == []


def test_late_by_more_than_a_day_is_missed_but_a_late_flag_still_goes() -> None:
    later = DEC_4_14_CHICAGO + timedelta(days=8)  # the scheduler was down all that time
    due = rules.due_now(CYCLE, CHICAGO, CHICAGO, later)
    assert [(n.kind, n.decision) for n in due] == [
        (rules.REMINDER, "missed"),
        (rules.REMINDER, "missed"),
        (rules.FOLLOWUP, "missed"),
        (rules.FOLLOWUP, "missed"),
        (rules.FOLLOWUP, "missed"),
        (rules.FLAG, "send"),
    ]


def test_quiet_hours_hold_a_reminder_until_they_end() -> None:
    sleeping = PromptPrefs(tz="America/Chicago", quiet_start=time(8, 0), quiet_end=time(16, 0))
    reminder = rules.plan(CYCLE, sleeping, CHICAGO)
    mentor = next(n for n in reminder if n.kind == rules.REMINDER and n.to == "mentor")
    assert mentor.due_at == datetime(2026, 12, 4, 22, 0, tzinfo=UTC)  # 16:00 in Chicago


def test_local_time_holds_across_daylight_saving() -> None:
    # Chicago springs forward on Sunday Mar 8 2026: 14:00 is 20:00 UTC before, 19:00 after.
    before = rules.Cycle(1, date(2026, 3, 7))
    after = rules.Cycle(1, date(2026, 3, 9))
    assert rules.plan(before, CHICAGO, CHICAGO)[0].due_at.hour == 20
    assert rules.plan(after, CHICAGO, CHICAGO)[0].due_at.hour == 19


def test_not_yet_starts_a_new_round_with_new_periods() -> None:
    snoozed = rules.Cycle(7, date(2026, 12, 4), rules.snoozed_until(date(2026, 12, 5)))
    assert snoozed.first_followup_on == date(2026, 12, 8)
    followups = [n for n in rules.plan(snoozed, CHICAGO, CHICAGO) if n.kind == rules.FOLLOWUP]
    assert followups[0].period == "p7:20261204:20261208:1"
    # The reminder of the cycle is the same one: it is not sent again.
    assert rules.reminder_period(snoozed) == rules.reminder_period(CYCLE)


def test_cadence_and_reschedule_limits() -> None:
    assert rules.first_due_on(date(2026, 11, 20), 14) == date(2026, 12, 4)
    assert rules.next_due_on(date(2026, 12, 3), 21) == date(2026, 12, 24)
    today = date(2026, 12, 5)
    assert rules.reschedule_problem(today, today) is None
    assert (
        rules.reschedule_problem(today - timedelta(days=1), today) == "Pick today or a later date."
    )
    assert rules.reschedule_problem(today + timedelta(days=120), today) is not None
