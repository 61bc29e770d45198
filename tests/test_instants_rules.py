"""The instants a simulated clock stops at: every nudge's due time, from Benchmate's own
rules, and nothing outside the jump."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.credentials import met_due_at, reminder_due
from bot.rules.instants import CredentialTimes, PairTimes, due_instants
from bot.rules.meetings import Cycle, due_now
from bot.rules.schedule import PromptPrefs, next_weekly_prompt
from bot.rules.surveys import due_surveys

CHICAGO, NEW_YORK, DENVER = "America/Chicago", "America/New_York", "America/Denver"
START = datetime(2026, 11, 30, 15, tzinfo=UTC)  # Monday 09:00 in Chicago


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_prompts_at_each_members_own_friday_14_00() -> None:
    got = due_instants(START, utc(2026, 12, 5), members=[PromptPrefs(CHICAGO), PromptPrefs(DENVER)])
    assert got == [utc(2026, 12, 4, 20), utc(2026, 12, 4, 21)]


def test_a_prompt_in_quiet_hours_is_due_when_they_end() -> None:
    quiet = PromptPrefs(CHICAGO, quiet_start=time(13), quiet_end=time(15, 30))
    assert due_instants(START, utc(2026, 12, 5), members=[quiet]) == [utc(2026, 12, 4, 21, 30)]


def test_stopped_prompts_are_not_listed_but_chosen_days_and_times_are() -> None:
    stopped = PromptPrefs(CHICAGO, stopped=True)
    tuesday_9 = PromptPrefs(NEW_YORK, weekday=1, at=time(9))
    got = due_instants(START, utc(2026, 12, 9), members=[stopped, tuesday_9])
    assert got == [utc(2026, 12, 1, 14), utc(2026, 12, 7, 14), utc(2026, 12, 8, 14)]  # + digest


def test_the_digest_every_monday_14_00_utc_within_the_jump_only() -> None:
    got = due_instants(START, utc(2026, 12, 21, 14))
    assert got == [utc(2026, 12, 7, 14), utc(2026, 12, 14, 14), utc(2026, 12, 21, 14)]
    # The start is excluded (a pass ran there), the end included.
    assert due_instants(utc(2026, 12, 7, 14), utc(2026, 12, 8)) == []


def test_meeting_reminders_follow_ups_and_the_flag_at_each_persons_prompt_time() -> None:
    mentor, mentee = PromptPrefs(CHICAGO), PromptPrefs(NEW_YORK, at=time(10))
    pair = PairTimes(
        Cycle(1, date(2026, 12, 1)), mentor, mentee, date(2026, 11, 17), date(2026, 11, 17)
    )
    got = due_instants(START, utc(2026, 12, 10), pairs=[pair])
    assert got == [
        utc(2026, 12, 1, 15),  # the mentee's reminder, 10:00 in New York
        utc(2026, 12, 1, 20),  # the mentor's, 14:00 in Chicago
        utc(2026, 12, 2, 20),  # "Did you meet?" 1, 2, 3
        utc(2026, 12, 4, 20),
        utc(2026, 12, 6, 20),
        utc(2026, 12, 7, 14),  # the digest
        utc(2026, 12, 8, 20),  # the coordinators' flag, at the mentor's time
    ]


def test_pulse_surveys_and_an_ended_pairs_closing_survey() -> None:
    prefs = PromptPrefs(CHICAGO)
    cycle = Cycle(1, date(2027, 3, 1))  # no meeting nudge within the jump
    active = PairTimes(cycle, prefs, prefs, date(2026, 11, 17), date(2026, 11, 17))
    assert utc(2026, 12, 17, 20) in due_instants(START, utc(2026, 12, 18), pairs=[active])
    ended = PairTimes(cycle, prefs, prefs, date(2026, 11, 1), date(2026, 11, 1), START)
    assert due_instants(START - timedelta(hours=1), utc(2026, 12, 3), pairs=[ended]) == [
        utc(2026, 11, 30, 20)  # 14:00 on the day it ended
    ]


def test_goal_reviews_on_their_day_then_six_months_on() -> None:
    prefs = PromptPrefs(CHICAGO)
    got = due_instants(START, utc(2027, 7, 1), reviews=[(date(2026, 12, 2), prefs)])
    reviews = [at for at in got if at.weekday() != 0 or at.hour != 14]
    assert reviews == [utc(2026, 12, 2, 20), utc(2027, 6, 2, 19)]  # CDT in June


def not_digest(instants: list[datetime]) -> list[datetime]:
    return [at for at in instants if at.weekday() != 0 or at.hour != 14]


def test_credential_reminders_12_6_3_1_months_before_at_the_prompt_time() -> None:
    credential = CredentialTimes(date(2027, 12, 15), PromptPrefs(CHICAGO))
    got = not_digest(due_instants(START, utc(2028, 1, 31), credentials=[credential]))
    assert got == [
        utc(2026, 12, 15, 20),  # 14:00 CST
        utc(2027, 6, 15, 19),  # 14:00 CDT
        utc(2027, 9, 15, 19),
        utc(2027, 11, 15, 20),
    ]


def test_a_credential_reminder_in_quiet_hours_is_due_when_they_end() -> None:
    quiet = PromptPrefs(CHICAGO, quiet_start=time(13), quiet_end=time(15, 30))
    credential = CredentialTimes(date(2027, 12, 15), quiet)
    assert not_digest(due_instants(START, utc(2026, 12, 31), credentials=[credential])) == [
        utc(2026, 12, 15, 21, 30)
    ]


def test_a_credential_added_with_a_reminder_already_due_is_listed_when_added() -> None:
    """Five months before the end the 6-month reminder is due at once: the pass at the
    instant it was added sends it, as Slack's next-minute pass would."""
    added = utc(2026, 11, 30, 16, 5)
    late = CredentialTimes(date(2027, 4, 30), PromptPrefs(CHICAGO), changes=(added,))
    early = CredentialTimes(date(2028, 4, 30), PromptPrefs(CHICAGO), changes=(added,))
    assert not_digest(due_instants(START, utc(2027, 1, 31), credentials=[late])) == [
        added,
        utc(2026, 11, 30, 20),  # an "all met" DM's time that day, had it become met
        utc(2027, 1, 30, 20),  # the 3-month reminder
    ]
    assert not_digest(due_instants(START, utc(2027, 1, 31), credentials=[early])) == [
        utc(2026, 11, 30, 20)
    ]


def test_a_ce_credit_recorded_lists_the_all_met_dms_time_that_day_or_at_once() -> None:
    prefs = PromptPrefs(CHICAGO)
    morning, evening = utc(2026, 11, 30, 16), utc(2026, 11, 30, 23)
    credential = CredentialTimes(date(2028, 6, 30), prefs, changes=(morning, evening))
    got = not_digest(due_instants(START, utc(2026, 12, 2), credentials=[credential]))
    assert got == [utc(2026, 11, 30, 20), evening]  # 14:00 in Chicago; past it: at once
    assert got == sorted({max(met_due_at(at, prefs), at) for at in (morning, evening)})


def test_no_credential_reminder_after_the_cycle_ends() -> None:
    # The 1-month reminder was on 20 November, before the jump; then the cycle ends.
    ending = CredentialTimes(date(2026, 12, 20), PromptPrefs(CHICAGO))
    assert not_digest(due_instants(START, utc(2027, 12, 31), credentials=[ending])) == []


def test_stored_instants_within_the_jump_are_kept_sorted_and_once() -> None:
    fixed = [utc(2026, 12, 3, 9, 30), START, utc(2026, 12, 3, 9, 30), utc(2026, 12, 7, 14)]
    assert due_instants(START, utc(2026, 12, 8), fixed=fixed) == [
        utc(2026, 12, 3, 9, 30),
        utc(2026, 12, 7, 14),
    ]


ZONES = ["America/Chicago", "America/Denver", "Asia/Kolkata", "Pacific/Auckland", "UTC"]
prefs_strategy = st.builds(
    PromptPrefs,
    tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    quiet_start=st.none() | st.sampled_from([time(22), time(12), time(0)]),
    quiet_end=st.sampled_from([time(7), time(14, 30), time(6)]),
)
starts = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@settings(max_examples=150, deadline=None)
@given(mentor=prefs_strategy, mentee=prefs_strategy, start=starts, days=st.integers(0, 40))
def test_every_nudge_the_rules_make_due_during_the_jump_is_listed(
    mentor: PromptPrefs, mentee: PromptPrefs, start: datetime, days: int
) -> None:
    """Whatever the rules make due between two listed instants was already due at the
    earlier one: so a pass at each listed instant sends every nudge at its due time."""
    end = start + timedelta(days=days, hours=7)
    due_on = (start + timedelta(days=days // 3)).date()
    pair = PairTimes(Cycle(1, due_on), mentor, mentee, due_on - timedelta(days=40), due_on)
    listed = due_instants(start, end, members=[mentor], pairs=[pair])
    for at in [*listed, end]:
        if not at > start:
            continue
        last = max([start, *(t for t in listed if t < at)])
        weekly = next_weekly_prompt(last, mentor)
        assert weekly is None or not (last < weekly.due_at <= at) or weekly.due_at == at
        for nudge in due_now(pair.cycle, mentor, mentee, at):
            assert nudge.due_at <= last or nudge.due_at == at
        for survey in due_surveys(
            started_on=pair.mentor_started_on, ended_at=None, prefs=mentor, now=at
        ):
            assert survey.due_at <= last or survey.due_at == at


@settings(max_examples=150, deadline=None)
@given(
    prefs=prefs_strategy,
    start=starts,
    days=st.integers(0, 400),
    ends_in=st.integers(-30, 420),
)
def test_every_credential_reminder_due_during_the_jump_is_listed(
    prefs: PromptPrefs, start: datetime, days: int, ends_in: int
) -> None:
    """The reminder job's own decision (`reminder_due`) at any instant of the jump names
    a reminder whose due time is a listed instant, or was already due at the last one."""
    end = start + timedelta(days=days, hours=5)
    cycle_end = start.date() + timedelta(days=ends_in)
    listed = due_instants(start, end, credentials=[CredentialTimes(cycle_end, prefs)])
    checks = sorted({*listed, end, *(start + timedelta(days=d) for d in range(0, days, 3))})
    for at in checks:
        if not at > start:
            continue
        last = max([start, *(t for t in listed if t < at)])
        due = reminder_due(cycle_end, at, prefs)
        if due is not None and due.due_at > last:
            assert due.due_at == at or due.due_at in listed
            assert reminder_due(cycle_end, last, prefs) != due
