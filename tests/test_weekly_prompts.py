"""The weekly win prompt, end to end: passes at chosen instants, the Slack-like server,
and the ledger. Asserts exactly what was sent to whom and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.rules import once
from bot.slack.gateway import SlackGateway, make_client
from bot.store import ledger
from bot.store.models import Member, Nudge
from bot.usecases.members import ensure_member, refresh_member
from scheduler.base import Sent
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import Running
from tests.scenario import settle

# The bench clock starts Friday Nov 20 2026, 15:00 UTC (09:00 in Chicago, 20:30 in Kolkata).
FRIDAY_14_CHICAGO = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def join(bench: Running, *users: str) -> None:
    gateway = SlackGateway(make_client("xoxb-test", bench.slack.api_url))
    for user in users:
        ensure_member(bench.db, gateway, "T0001", user, bench.clock.now())


def tick(bench: Running, at: datetime | None = None) -> list[Sent]:
    settle(bench)  # a first contact's time zone arrives after the answer
    if at is not None:
        bench.clock.current = at
    return run_pass(bench.deps, scheduler_gateway(bench.deps), bench.clock.now())


def prompts_to(bench: Running, user: str) -> list[dict]:
    return [c.args for c in bench.slack.sent("chat.postMessage") if c.args["channel"] == user]


def nudges(bench: Running) -> list[Nudge]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Nudge).order_by(Nudge.id)))


def member(bench: Running, user: str) -> Member:
    with bench.db.begin() as session:
        found = session.scalars(select(Member).where(Member.slack_user_id == user)).one()
        return found


def test_prompt_arrives_at_local_time_once_with_its_buttons(bench: Running) -> None:
    bench.client.command("/win", "calibrated the new coag analyzer")  # U100, Chicago
    assert tick(bench) == []  # schedules; nothing due yet
    assert tick(bench, FRIDAY_14_CHICAGO - timedelta(minutes=1)) == []
    assert prompts_to(bench, "U100") == []

    lines = tick(bench, FRIDAY_14_CHICAGO)

    assert [str(line).split() for line in lines] == [["sent", "weekly_prompt", "U100", "2026-W47"]]
    [prompt] = prompts_to(bench, "U100")
    assert prompt["text"] == "Hi Ada! What went well this week?"
    buttons = prompt["blocks"][-1]["elements"]
    assert [(b["action_id"], b["text"]["text"]) for b in buttons] == [
        ("prompt_log_win", "Log a win"),
        ("prompt_nothing", "Nothing this week"),
        ("prompt_skip_next", "Skip next week"),
        ("open_settings", "Settings"),
    ]
    assert "1 win in the last 7 days" in prompt["blocks"][1]["elements"][0]["text"]
    # A second pass, and a later one the same week, send nothing.
    assert tick(bench) == []
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(hours=5)) == []
    assert len(prompts_to(bench, "U100")) == 1
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.period, nudge.due_at) == ("sent", "2026-W47", FRIDAY_14_CHICAGO)
    assert nudge.ref is not None and nudge.ref.startswith("D100/")  # the DM channel and ts
    # Next week, at the same wall time.
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    assert len(prompts_to(bench, "U100")) == 2


def test_each_member_gets_their_own_local_time(bench: Running) -> None:
    join(bench, "U100", "U200")  # Chicago and Kolkata
    tick(bench)
    # Kolkata's Friday 14:00 (08:30 UTC) had passed when they joined: next Friday.
    assert member(bench, "U200").next_prompt_at == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    tick(bench, FRIDAY_14_CHICAGO)
    assert len(prompts_to(bench, "U100")) == 1 and prompts_to(bench, "U200") == []
    tick(bench, datetime(2026, 11, 27, 8, 30, tzinfo=UTC))
    assert len(prompts_to(bench, "U200")) == 1 and len(prompts_to(bench, "U100")) == 1


def test_catch_up_after_downtime_within_grace_sends_once(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(hours=23))
    assert [line.status for line in lines] == ["sent"]
    assert tick(bench) == []
    assert len(prompts_to(bench, "U100")) == 1


def test_past_grace_is_recorded_missed_and_not_sent(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(hours=25))
    assert [(line.status, line.period) for line in lines] == [("missed", "2026-W47")]
    assert prompts_to(bench, "U100") == []
    assert [(n.status, n.period) for n in nudges(bench)] == [("missed", "2026-W47")]
    # Back to normal the week after.
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    assert len(prompts_to(bench, "U100")) == 1


def test_rate_limited_waits_retry_after_and_goes_on(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    bench.slack.fail("chat.postMessage", status=429, retry_after=1)
    lines = tick(bench, FRIDAY_14_CHICAGO)
    assert [line.status for line in lines] == ["sent"]
    posts = bench.slack.sent("chat.postMessage")
    assert len(posts) == 2  # the 429, then the one that went through
    assert posts[1].at - posts[0].at >= 0.95
    assert [n.attempts for n in nudges(bench)] == [1]


def test_server_errors_are_retried_then_left_for_the_next_pass(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    bench.slack.fail("chat.postMessage", status=500, times=3)
    lines = tick(bench, FRIDAY_14_CHICAGO)
    assert [(line.status, line.detail) for line in lines] == [("failed", "http_500")]
    assert len(bench.slack.sent("chat.postMessage")) == 3  # bounded retries
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.attempts, nudge.last_error) == ("failed", 1, "http_500")
    # A pass a minute later tries again, and succeeds once.
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=1))
    assert [line.status for line in lines] == ["sent"]
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=2)) == []
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.attempts) == ("sent", 2)


def test_deleted_user_is_not_messaged_and_never_nudged_again(bench: Running) -> None:
    join(bench, "U100", "U200")
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    assert len(prompts_to(bench, "U100")) == 1
    bench.slack.add_user("U100", "Ada Tech", "America/Chicago", deleted=True)
    # Their cached profile is older than a day by then, so users.info is asked first.
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    assert {(line.user, line.status) for line in lines} == {
        ("U100", "deactivated"),
        ("U200", "sent"),
    }
    assert len(prompts_to(bench, "U100")) == 1
    gone = member(bench, "U100")
    assert (gone.is_active, gone.deactivated_reason, gone.next_prompt_at) == (
        False,
        "deleted",
        None,
    )
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=14))
    assert len(prompts_to(bench, "U100")) == 1


@pytest.mark.parametrize("error", ["user_disabled", "account_inactive", "channel_not_found"])
def test_unreachable_member_is_deactivated_and_the_pass_goes_on(bench: Running, error: str) -> None:
    bench.slack.add_user("U300", "Lin Night", "America/Chicago")
    join(bench, "U100", "U300")
    tick(bench)
    bench.slack.fail("chat.postMessage", error)  # the first of the two due this pass
    lines = tick(bench, FRIDAY_14_CHICAGO)
    assert sorted(line.status for line in lines) == ["deactivated", "sent"]
    gone = next(line.user for line in lines if line.status == "deactivated")
    assert member(bench, gone).is_active is False
    statuses = {(n.status, n.last_error) for n in nudges(bench)}
    assert ("failed", error) in statuses


def test_crash_between_claim_and_send_is_recovered_once(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    who = member(bench, "U100")
    with bench.db.begin() as session:  # a process claimed it, then died
        ledger.claim(
            session,
            team_id="T0001",
            member_id=who.id,
            kind="weekly_prompt",
            period="2026-W47",
            due_at=FRIDAY_14_CHICAGO,
            now=FRIDAY_14_CHICAGO,
            worker="dead",
        )
    assert [line.status for line in tick(bench, FRIDAY_14_CHICAGO)] == ["busy"]
    assert prompts_to(bench, "U100") == []
    assert [line.status for line in tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=11))] == [
        "sent"
    ]
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=12)) == []
    assert len(prompts_to(bench, "U100")) == 1


def test_time_zone_change_in_slack_moves_the_prompt(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    assert member(bench, "U100").next_prompt_at == FRIDAY_14_CHICAGO
    # They move to Kolkata; we learn it when their profile is next refreshed.
    bench.slack.add_user("U100", "Ada Tech", "Asia/Kolkata")
    bench.clock.advance(days=1, hours=1)  # Saturday
    gateway = SlackGateway(make_client("xoxb-test", bench.slack.api_url))
    refresh_member(bench.db, gateway, "T0001", "U100", bench.clock.now())
    tick(bench)
    assert member(bench, "U100").next_prompt_at == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    tick(bench, datetime(2026, 11, 27, 8, 30, tzinfo=UTC))
    assert len(prompts_to(bench, "U100")) == 1


def test_dry_run_lists_what_is_due_and_sends_nothing(bench: Running) -> None:
    join(bench, "U100")
    tick(bench)
    bench.clock.current = FRIDAY_14_CHICAGO
    lines = run_pass(bench.deps, scheduler_gateway(bench.deps), bench.clock.now(), dry_run=True)
    assert [(line.status, line.user) for line in lines] == [("would send", "U100")]
    assert prompts_to(bench, "U100") == [] and nudges(bench) == []


def test_down_for_weeks_and_back_just_after_this_weeks_prompt_time(bench: Running) -> None:
    """Scheduler down since late October, back 30 s after this week's prompt time: the
    older weeks are recorded missed and this week's prompt goes out, once."""
    bench.clock.current = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)
    join(bench, "U100")
    tick(bench)
    assert member(bench, "U100").next_prompt_period == "2026-W44"

    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(seconds=30))

    assert [(line.status, line.period) for line in lines] == [
        ("missed", "2026-W44"),
        ("missed", "2026-W45"),
        ("missed", "2026-W46"),
        ("sent", "2026-W47"),
    ]
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=5)) == []
    assert len(prompts_to(bench, "U100")) == 1
    assert {(n.period, n.status) for n in nudges(bench)} == {
        ("2026-W44", "missed"),
        ("2026-W45", "missed"),
        ("2026-W46", "missed"),
        ("2026-W47", "sent"),
    }
    assert member(bench, "U100").next_prompt_period == "2026-W48"


def test_a_post_answered_after_the_client_timeout_is_recorded_not_sent_again(
    bench: Running,
) -> None:
    """Slack posts the prompt but answers after the client's timeout: the pass looks
    in the DM for the ledger key, finds it and records it; nothing is sent twice."""
    join(bench, "U100")
    tick(bench)
    bench.clock.current = FRIDAY_14_CHICAGO
    bench.slack.set_now(FRIDAY_14_CHICAGO)  # Slack's clock with ours (ts vs `oldest`)
    bench.slack.answer_late(2.0)
    impatient = SlackGateway(
        make_client("xoxb-test", bench.slack.api_url, retries=0, timeout=1)
    )  # 1 s instead of 10 s, to keep the test short

    lines = run_pass(bench.deps, impatient, FRIDAY_14_CHICAGO)

    assert [(line.status, line.period) for line in lines] == [("sent", "2026-W47")]
    assert len(prompts_to(bench, "U100")) == 1
    [message] = bench.slack.posted("D100")
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.ref) == ("sent", f"D100/{message['ts']}")
    assert message["metadata"]["event_payload"]["key"] == (
        f"nudge/T0001/{nudge.member_id}/weekly_prompt/2026-W47"
    )
    for minutes in (2, 11, 30):
        assert tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=minutes)) == []
    assert len(prompts_to(bench, "U100")) == 1


def test_a_claim_taken_over_after_a_crash_records_the_prompt_already_posted(
    bench: Running,
) -> None:
    """A process claimed the prompt, posted it, and died before recording it: the pass
    that takes the claim over finds it in the DM by its metadata and does not resend."""
    join(bench, "U100")
    tick(bench)
    who = member(bench, "U100")
    key = {"team_id": "T0001", "member_id": who.id, "kind": "weekly_prompt"}
    with bench.db.begin() as session:
        ledger.claim(
            session,
            **key,
            period="2026-W47",
            due_at=FRIDAY_14_CHICAGO,
            now=FRIDAY_14_CHICAGO,
            worker="dead",
        )
    gateway = SlackGateway(make_client("xoxb-test", bench.slack.api_url))
    posted = gateway.send_dm(
        "U100", "Hi Ada!", metadata=once.metadata(once.nudge_key(**key, period="2026-W47"))
    )
    assert [line.status for line in tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=5))] == [
        "busy"
    ]
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=11))

    assert [line.status for line in lines] == ["sent"]
    assert len(prompts_to(bench, "U100")) == 1  # the dead process's, only
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.ref, nudge.attempts) == ("sent", posted.ref, 2)
    [look] = bench.slack.sent("conversations.history")
    assert look.args["channel"] == "D100" and look.args["include_all_metadata"] in ("1", "true")
    assert float(look.args["oldest"]) == (FRIDAY_14_CHICAGO - once.MARGIN).timestamp()
    assert member(bench, "U100").next_prompt_period == "2026-W48"


def test_a_prompt_posted_despite_a_500_is_recorded_not_posted_again(bench: Running) -> None:
    """Slack posted the prompt but answered 500: the sender looks before retrying."""
    join(bench, "U100")
    tick(bench)
    bench.slack.set_now(FRIDAY_14_CHICAGO)
    bench.slack.post_then_fail(500)

    lines = tick(bench, FRIDAY_14_CHICAGO)

    assert [(line.status, line.period) for line in lines] == [("sent", "2026-W47")]
    assert len(prompts_to(bench, "U100")) == 1
    assert len(bench.slack.posted("D100")) == 1
    [nudge] = nudges(bench)
    assert (nudge.status, nudge.ref) == ("sent", f"D100/{bench.slack.posted('D100')[0]['ts']}")


def test_a_look_that_fails_neither_sends_nor_records_and_the_next_pass_looks_again(
    bench: Running,
) -> None:
    """A claim taken over after a crash, and conversations.history fails: nothing is
    sent (it may be out); the next pass looks again, from the same instant."""
    join(bench, "U100")
    tick(bench)
    who = member(bench, "U100")
    with bench.db.begin() as session:  # a process claimed it, posted it, died
        ledger.claim(
            session,
            team_id="T0001",
            member_id=who.id,
            kind="weekly_prompt",
            period="2026-W47",
            due_at=FRIDAY_14_CHICAGO,
            now=FRIDAY_14_CHICAGO,
            worker="dead",
        )
    key = once.nudge_key("T0001", who.id, "weekly_prompt", "2026-W47")
    SlackGateway(make_client("xoxb-test", bench.slack.api_url)).send_dm(
        "U100", "Hi Ada!", metadata=once.metadata(key)
    )
    bench.slack.fail("conversations.history", "internal_error")

    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=11))
    assert [(line.status, line.detail) for line in lines] == [("failed", "unsure:look_unfinished")]
    lines = tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=13))
    assert [line.status for line in lines] == ["sent"]
    assert len(prompts_to(bench, "U100")) == 1  # the dead process's, only
    looks = bench.slack.sent("conversations.history")
    assert [float(c.args["oldest"]) for c in looks] == [
        (FRIDAY_14_CHICAGO - once.MARGIN).timestamp()
    ] * 2
