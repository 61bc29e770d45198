"""Replying to the weekly prompt in the app's DM logs wins, once, however often Slack
delivers the event."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.store.models import Draft, Nudge, Win
from tests.conftest import Running, run_app
from tests.test_weekly_prompts import FRIDAY_14_CHICAGO, join, tick

_ts = itertools.count(1)


def dm(user: str = "U100", text: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": f"{1800000000 + next(_ts)}.000200",
        "event_ts": "1800000000.000200",
        **extra,
    }


def wins(bench: Running) -> list[Win]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Win).order_by(Win.id)))


def prompted(bench: Running) -> str:
    """Send U100 this week's prompt; returns its ts (the thread replies go to)."""
    join(bench, "U100")
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    with bench.db.begin() as session:
        ref = session.scalars(select(Nudge.ref)).one()
    assert ref is not None
    return ref.split("/", 1)[1]


def test_a_reply_after_the_prompt_logs_one_win_per_bullet(bench: Running) -> None:
    prompted(bench)
    bench.clock.advance(hours=2)
    event = dm(text="• validated the new Cobas analyzer\n• trained 2 phlebotomists")
    assert bench.client.event(event).status == 200
    [reaction] = bench.slack.wait_for("reactions.add")
    assert {k: reaction.args[k] for k in ("channel", "timestamp", "name")} == {
        "channel": "D100",
        "timestamp": event["ts"],
        "name": "white_check_mark",
    }
    assert [(w.text, w.source) for w in wins(bench)] == [
        ("validated the new Cobas analyzer", "dm_reply"),
        ("trained 2 phlebotomists", "dm_reply"),
    ]


def test_a_reply_in_the_prompts_thread_counts_even_days_later(bench: Running) -> None:
    prompt_ts = prompted(bench)
    bench.clock.advance(days=5)
    bench.client.event(dm(text="closed my CAP checklist items", thread_ts=prompt_ts))
    bench.slack.wait_for("reactions.add")
    assert [w.text for w in wins(bench)] == ["closed my CAP checklist items"]


def test_a_dm_outside_the_window_is_offered_not_logged(bench: Running) -> None:
    prompted(bench)
    bench.clock.advance(hours=73)
    bench.client.event(dm(text="fixed the pneumatic tube jam"))
    [offer] = bench.slack.wait_for("chat.postMessage", 2)[1:]
    button = offer.args["blocks"][-1]["elements"][0]
    assert button["action_id"] == "dm_log_as_win"
    assert wins(bench) == []
    # The button opens the win form with the text, and saving it logs a dm_reply win.
    bench.client.click("dm_log_as_win", button["value"])
    view = bench.slack.wait_for("views.open")[0].args["view"]
    bench.client.submit(view, {})
    assert [(w.text, w.source) for w in wins(bench)] == [
        ("fixed the pneumatic tube jam", "dm_reply")
    ]


def test_a_long_dm_is_offered_whole(bench: Running) -> None:
    long_text = "validated the new coag analyzer: " + "ran every control twice. " * 100
    bench.client.event(dm(text=long_text))
    [offer] = bench.slack.wait_for("chat.postMessage")
    bench.client.click("dm_log_as_win", offer.args["blocks"][-1]["elements"][0]["value"])
    view = bench.slack.wait_for("views.open")[0].args["view"]
    assert view["blocks"][0]["element"]["initial_value"] == long_text.strip()
    bench.client.submit(view, {})
    assert [w.text for w in wins(bench)] == [long_text.strip()]
    # The offer's button now finds nothing: the text was logged.
    bench.client.click("dm_log_as_win", offer.args["blocks"][-1]["elements"][0]["value"])
    assert "already logged" in bench.slack.wait_for_response()[-1]["text"]


def test_a_dm_with_no_prompt_ever_is_offered(bench: Running) -> None:
    bench.client.event(dm(text="hello there"))
    [offer] = bench.slack.wait_for("chat.postMessage")
    assert offer.args["blocks"][-1]["elements"][0]["action_id"] == "dm_log_as_win"
    assert wins(bench) == []


def test_bots_edits_deletions_and_other_subtypes_never_log(bench: Running) -> None:
    prompted(bench)
    for event in (
        dm(text="a bot wrote this", bot_id="B0001"),
        dm(text="edited", subtype="message_changed"),
        dm(text="", subtype="message_deleted"),
        dm(text="joined", subtype="channel_join"),
        {**dm(text="in a channel"), "channel_type": "channel", "channel": "C0GENERAL"},
    ):
        assert bench.client.event(event).status == 200
    bench.client.event(dm(text="the real win"))
    bench.slack.wait_for("reactions.add")
    assert [w.text for w in wins(bench)] == ["the real win"]
    assert len(bench.slack.sent("chat.postMessage")) == 1  # only the prompt


def test_patient_data_in_a_reply_is_held_and_the_member_asked(bench: Running) -> None:
    prompted(bench)
    bench.client.event(dm(text="caught a mislabeled tube for MRN 00123456"))
    [held] = bench.slack.wait_for("chat.postMessage", 2)[1:]
    actions = held.args["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == [
        "draft_edit",
        "draft_save_private",
        "draft_discard",
    ]
    assert held.args["thread_ts"]
    assert wins(bench) == []
    with bench.db.begin() as session:
        [draft] = session.scalars(select(Draft)).all()
        assert draft.source == "dm_reply"


def test_a_too_long_reply_is_answered_and_nothing_saved(bench: Running) -> None:
    prompted(bench)
    bench.client.event(dm(text="x" * 3100))
    [answer] = bench.slack.wait_for("chat.postMessage", 2)[1:]
    assert "limit is 3,000" in answer.args["text"]
    assert wins(bench) == []


def test_slack_retries_of_one_event_log_it_once(bench: Running) -> None:
    prompted(bench)
    event = dm(text="ran the new lot of controls")
    for retry in range(4):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        reply = bench.client.event(event, event_id="EvSAME", headers=headers if retry else {})
        assert reply.status == 200
    bench.slack.wait_for("reactions.add")
    assert [w.text for w in wins(bench)] == ["ran the new lot of controls"]
    assert len(bench.slack.sent("reactions.add")) == 1


def test_the_same_event_at_two_processes_is_logged_once(bench: Running, slack: Any) -> None:
    prompted(bench)
    other = run_app(slack, bench.db.url)
    second = next(other)
    try:
        event = dm(text="presented at the lab huddle")
        assert bench.client.event(event, event_id="EvTWICE").status == 200
        assert second.client.event(event, event_id="EvTWICE").status == 200
        bench.slack.wait_for("reactions.add")
    finally:
        other.close()
    assert [w.text for w in wins(bench)] == ["presented at the lab huddle"]
    assert len(slack.sent("reactions.add")) == 1


def test_prompt_a_week_later_opens_a_new_window(bench: Running) -> None:
    prompted(bench)
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    bench.clock.advance(hours=1)
    bench.client.event(dm(text="second week win"))
    bench.slack.wait_for("reactions.add")
    assert [w.text for w in wins(bench)] == ["second week win"]
