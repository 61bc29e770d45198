"""The pure time rules: weekly slots, daylight saving, quiet hours, pauses, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.schedule import (
    PromptPrefs,
    add_months,
    catch_up,
    catch_up_weekly,
    defer_past_quiet_hours,
    iso_week,
    local_instant,
    next_review_date,
    next_weekly_prompt,
    occurrence_after,
)

CHICAGO = "America/Chicago"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def test_default_prompt_is_friday_14_00_local() -> None:
    # Monday Nov 16 2026, noon UTC.
    got = next_weekly_prompt(utc(2026, 11, 16, 12), PromptPrefs(tz=CHICAGO))
    assert got is not None
    assert local(got.due_at, CHICAGO).replace(tzinfo=None) == datetime(2026, 11, 20, 14, 0)
    assert got.due_at == utc(2026, 11, 20, 20, 0)  # CST is UTC-6
    assert got.period == "2026-W47"


def test_chicago_spring_forward_week_keeps_wall_time() -> None:
    """DST starts Sunday March 8 2026: Friday 14:00 is 20:00 UTC before, 19:00 after."""
    prefs = PromptPrefs(tz=CHICAGO)
    before = next_weekly_prompt(utc(2026, 3, 2, 12), prefs)
    after = next_weekly_prompt(utc(2026, 3, 9, 12), prefs)
    assert before is not None and after is not None
    assert before.due_at == utc(2026, 3, 6, 20, 0)
    assert after.due_at == utc(2026, 3, 13, 19, 0)
    assert local(after.due_at, CHICAGO).hour == 14


def test_chicago_fall_back_week_keeps_wall_time() -> None:
    """DST ends Sunday November 1 2026: Friday 14:00 is 19:00 UTC before, 20:00 after."""
    prefs = PromptPrefs(tz=CHICAGO)
    before = next_weekly_prompt(utc(2026, 10, 26, 12), prefs)
    after = next_weekly_prompt(utc(2026, 11, 2, 12), prefs)
    assert before is not None and after is not None
    assert before.due_at == utc(2026, 10, 30, 19, 0)
    assert after.due_at == utc(2026, 11, 6, 20, 0)


def test_prompt_on_the_spring_forward_day_at_a_time_that_does_not_exist() -> None:
    """Sunday March 8 2026, 02:30 does not exist in Chicago (02:00 jumps to 03:00): the
    prompt moves to the first valid instant, 03:00 CDT, and is sent once."""
    prefs = PromptPrefs(tz=CHICAGO, weekday=6, at=time(2, 30))
    got = next_weekly_prompt(utc(2026, 3, 7, 12), prefs)
    assert got is not None
    assert got.due_at == utc(2026, 3, 8, 8, 0)
    assert local(got.due_at, CHICAGO).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 0)
    assert got.period == "2026-W10"
    # The week after it is back to 02:30 CDT.
    following = next_weekly_prompt(got.due_at, prefs, skip={got.period})
    assert following is not None
    assert following.due_at == utc(2026, 3, 15, 7, 30)


def test_ambiguous_time_on_fall_back_day_takes_the_first_occurrence() -> None:
    """Sunday November 1 2026, 01:30 happens twice in Chicago: CDT first (06:30 UTC)."""
    prefs = PromptPrefs(tz=CHICAGO, weekday=6, at=time(1, 30))
    got = next_weekly_prompt(utc(2026, 10, 31, 12), prefs)
    assert got is not None
    assert got.due_at == utc(2026, 11, 1, 6, 30)


def test_kolkata_half_hour_offset() -> None:
    got = next_weekly_prompt(utc(2026, 11, 16), PromptPrefs(tz="Asia/Kolkata"))
    assert got is not None
    assert got.due_at == utc(2026, 11, 20, 8, 30)  # 14:00 IST is UTC+5:30


def test_quiet_hours_defer_the_prompt_to_their_end() -> None:
    # A night-shift tech asleep 08:00-16:00 who chose 14:00: the prompt waits until 16:00.
    prefs = PromptPrefs(tz=CHICAGO, quiet_start=time(8), quiet_end=time(16))
    got = next_weekly_prompt(utc(2026, 11, 16), prefs)
    assert got is not None
    assert local(got.due_at, CHICAGO).replace(tzinfo=None) == datetime(2026, 11, 20, 16, 0)
    assert local(got.slot_at, CHICAGO).hour == 14
    assert got.period == "2026-W47"


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (time(23, 0), datetime(2026, 11, 21, 7, 0)),  # tonight -> tomorrow 07:00
        (time(3, 0), datetime(2026, 11, 20, 7, 0)),  # after midnight -> this morning
        (time(7, 0), datetime(2026, 11, 20, 7, 0)),  # at the end: not quiet
        (time(21, 59), datetime(2026, 11, 20, 21, 59)),  # before the start: not quiet
    ],
)
def test_quiet_hours_across_midnight(wall: time, expected: datetime) -> None:
    when = local_instant(date(2026, 11, 20), wall, CHICAGO)
    got = defer_past_quiet_hours(when, CHICAGO, time(22), time(7))
    assert local(got, CHICAGO).replace(tzinfo=None) == expected


def test_no_quiet_hours_or_empty_ones_change_nothing() -> None:
    when = utc(2026, 11, 20, 20)
    assert defer_past_quiet_hours(when, CHICAGO, None, None) == when
    assert defer_past_quiet_hours(when, CHICAGO, time(9), time(9)) == when


def test_pause_skips_weeks_until_the_date() -> None:
    prefs = PromptPrefs(tz=CHICAGO, paused_until=date(2026, 12, 10))
    got = next_weekly_prompt(utc(2026, 11, 16), prefs)
    assert got is not None
    assert local(got.due_at, CHICAGO).date() == date(2026, 12, 11)


def test_stopped_prompts_have_no_next() -> None:
    assert next_weekly_prompt(utc(2026, 11, 16), PromptPrefs(tz=CHICAGO, stopped=True)) is None


def test_settled_weeks_are_skipped() -> None:
    prefs = PromptPrefs(tz=CHICAGO)
    got = next_weekly_prompt(utc(2026, 11, 16), prefs, skip={"2026-W47"})
    assert got is not None and got.period == "2026-W48"


def test_a_slot_just_past_is_not_next_but_a_deferred_one_still_is() -> None:
    prefs = PromptPrefs(tz=CHICAGO)
    after_slot = utc(2026, 11, 20, 20, 1)
    got = next_weekly_prompt(after_slot, prefs)
    assert got is not None and got.period == "2026-W48"
    quiet = PromptPrefs(tz=CHICAGO, quiet_start=time(13), quiet_end=time(18))
    got = next_weekly_prompt(after_slot, quiet)
    assert got is not None and got.period == "2026-W47"  # still waiting for 18:00


def test_occurrence_after_ignores_pause() -> None:
    prefs = PromptPrefs(tz=CHICAGO, paused_until=date(2027, 1, 1))
    assert occurrence_after(utc(2026, 11, 21), prefs).period == "2026-W48"


def test_iso_week_at_the_turn_of_the_year() -> None:
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert iso_week(date(2026, 12, 28)) == "2026-W53"


@pytest.mark.parametrize(
    ("late", "decision"),
    [
        (timedelta(minutes=-1), "wait"),
        (timedelta(0), "send"),
        (timedelta(hours=23, minutes=59), "send"),
        (timedelta(hours=24), "send"),
        (timedelta(hours=24, seconds=1), "missed"),
    ],
)
def test_catch_up_grace_window(late: timedelta, decision: str) -> None:
    due = utc(2026, 11, 20, 20)
    assert catch_up(due, due + late, timedelta(hours=24)) == decision


def test_down_for_weeks_back_just_after_this_weeks_slot_sends_it() -> None:
    """Stored slot three weeks back (W44), back 30 s after this week's (W47) time: W45
    and W46 are missed, W47 is due now (within its grace window), not skipped."""
    prefs = PromptPrefs(tz=CHICAGO)
    w44 = utc(2026, 10, 30, 19)  # Friday 14:00 in Chicago (CDT until Nov 1)
    now = utc(2026, 11, 20, 20, 0, 30)
    missed, upcoming = catch_up_weekly(w44, now, prefs, skip={"2026-W44"})
    assert [m.period for m in missed] == ["2026-W45", "2026-W46"]
    assert [m.due_at for m in missed] == [utc(2026, 11, 6, 20), utc(2026, 11, 13, 20)]
    assert upcoming is not None and upcoming.period == "2026-W47"
    assert upcoming.due_at == utc(2026, 11, 20, 20)
    assert catch_up(upcoming.due_at, now, timedelta(hours=24)) == "send"


def test_down_for_weeks_back_after_this_weeks_grace_schedules_next_week() -> None:
    prefs = PromptPrefs(tz=CHICAGO)
    now = utc(2026, 11, 21, 20, 0, 1)  # this week's slot 24 h and 1 s ago
    missed, upcoming = catch_up_weekly(utc(2026, 10, 30, 19), now, prefs, skip={"2026-W44"})
    assert [m.period for m in missed] == ["2026-W45", "2026-W46", "2026-W47"]
    assert upcoming is not None and upcoming.period == "2026-W48"


def test_catch_up_leaves_paused_and_settled_weeks_alone() -> None:
    prefs = PromptPrefs(tz=CHICAGO, paused_until=date(2026, 11, 10))
    now = utc(2026, 11, 20, 20, 0, 30)
    missed, upcoming = catch_up_weekly(
        utc(2026, 10, 30, 19), now, prefs, skip={"2026-W44", "2026-W46"}
    )
    assert missed == []  # W45 paused, W46 cancelled ("skip next week")
    assert upcoming is not None and upcoming.period == "2026-W47"


def test_review_six_months_later_clamped_to_month_end() -> None:
    assert next_review_date(date(2026, 5, 20)) == date(2026, 11, 20)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_review_on_program_dates() -> None:
    dates = [(6, 1), (12, 1)]
    assert next_review_date(date(2026, 5, 20), dates) == date(2026, 6, 1)
    assert next_review_date(date(2026, 6, 1), dates) == date(2026, 12, 1)
    assert next_review_date(date(2026, 12, 2), dates) == date(2027, 6, 1)
