"""Bad input meets a clear answer and loses nothing: broken payloads, unknown buttons,
people Slack doesn't know, and Slack itself failing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from tests.conftest import Running
from tests.scenario import all_text, open_modal, stored_drafts, stored_goals, stored_wins

FORM = "application/x-www-form-urlencoded"


def nothing_happened(bench: Running) -> None:
    assert stored_wins(bench) == [] and stored_goals(bench) == [] and stored_drafts(bench) == []
    # auth.test is the app checking its token at start-up, before any request.
    assert [c.method for c in bench.slack.calls if c.method != "auth.test"] == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (urlencode({"payload": '{"type": "block_actions", "actions": ['}).encode(), FORM),
        (urlencode({"payload": "not json at all"}).encode(), FORM),
        (b'{"type": "event_callback", "event": {', "application/json"),
    ],
)
def test_malformed_json_is_refused_and_changes_nothing(
    bench: Running, body: bytes, content_type: str
) -> None:
    assert bench.client.post(body, content_type).status == 400
    assert bench.client.post(body, content_type, sign=False).status == 401
    nothing_happened(bench)


def test_a_payload_that_is_json_but_not_an_object_is_refused(bench: Running) -> None:
    for payload in ("[1, 2]", "42", "null", '"text"'):
        reply = bench.client.post(urlencode({"payload": payload}).encode(), FORM)
        assert reply.status == 400, payload
    nothing_happened(bench)


def test_an_unknown_button_in_a_message_is_answered_kindly(bench: Running) -> None:
    reply = bench.client.click("renamed_long_ago", "42")

    assert reply.status == 200
    [posted] = bench.slack.wait_for_response()
    assert posted["response_type"] == "ephemeral" and posted["replace_original"] is False
    assert "no longer works" in posted["text"]
    assert stored_wins(bench) == []


def test_an_unknown_button_on_home_is_answered_in_a_dm(bench: Running) -> None:
    bench.client.click("renamed_long_ago", where="home")
    [told] = bench.slack.wait_for("chat.postMessage")
    assert told.args["channel"] == "U100" and "no longer works" in told.args["text"]


def test_a_garbled_button_value_is_not_a_crash(bench: Running) -> None:
    bench.client.click("win_undo", "1;DROP TABLE wins")
    assert "can't find that win" in bench.slack.wait_for_response()[0]["text"]
    bench.client.click("draft_save_private", "abc")
    assert "draft is gone" in bench.slack.wait_for_response(2)[1]["text"]
    bench.client.click("goal_menu", where="home", selected="finished:xyz")
    assert "can't find that goal" in bench.slack.wait_for("chat.postMessage")[0].args["text"]


def test_someone_slack_does_not_know_can_still_use_the_forms(bench: Running) -> None:
    bench.client.command("/win", user="U999")
    view = open_modal(bench)
    assert bench.client.submit(view, {"text": "helped nights"}, user="U999").status == 200
    [win] = stored_wins(bench)
    assert win.text == "helped nights"
    [published] = bench.slack.wait_for("views.publish")
    assert published.args["user_id"] == "U999"


def test_an_expired_trigger_on_win_is_explained_and_nothing_is_saved(bench: Running) -> None:
    bench.slack.fail("views.open", "expired_trigger_id")

    assert bench.client.command("/win").status == 200

    [posted] = bench.slack.wait_for_response()
    assert posted["response_type"] == "ephemeral"
    assert (
        "couldn't open the form" in posted["text"]
        and "the form took too long to open" in posted["text"]
    )
    assert stored_wins(bench) == [] and stored_drafts(bench) == []


def test_an_expired_trigger_on_goal_is_explained(bench: Running) -> None:
    bench.slack.fail("views.open", "expired_trigger_id")
    bench.client.command("/goal")
    assert "couldn't open the goal form" in bench.slack.wait_for_response()[0]["text"]
    assert stored_goals(bench) == []


def test_an_expired_trigger_on_home_is_explained_in_a_dm(bench: Running) -> None:
    bench.slack.fail("views.open", "expired_trigger_id")
    bench.client.click("home_log_win", where="home")
    [told] = bench.slack.wait_for("chat.postMessage")
    assert "couldn't open the form" in told.args["text"]


def test_an_expired_trigger_on_achieving_a_goal_keeps_the_goal_achieved(bench: Running) -> None:
    bench.client.command("/goal", "Master PCR")
    bench.client.submit(open_modal(bench), {})
    goal_id = stored_goals(bench)[0].id
    bench.slack.fail("views.open", "expired_trigger_id")

    bench.client.click("goal_menu", where="home", selected=f"achieved:{goal_id}")

    [told] = bench.slack.wait_for("chat.postMessage")
    assert "couldn't open the form" in told.args["text"]
    assert stored_goals(bench)[0].status == "achieved" and stored_wins(bench) == []
    bench.slack.wait_for("views.publish", 2)  # Home still brought up to date


def test_an_expired_trigger_on_the_shortcut_is_explained(bench: Running) -> None:
    bench.slack.fail("views.open", "expired_trigger_id")
    bench.client.message_shortcut("log_message_as_win", {"ts": "1.2", "text": "thanks!"})
    assert "couldn't open the form" in bench.slack.wait_for_response()[0]["text"]
    assert stored_wins(bench) == []


def test_a_slack_outage_on_views_open_is_retried_then_explained(bench: Running) -> None:
    bench.slack.fail("views.open", status=500, times=3)

    bench.client.command("/win")

    [posted] = bench.slack.wait_for_response(timeout=10)
    assert "couldn't open the form" in posted["text"]
    assert len(bench.slack.sent("views.open")) == 3  # the first try and two retries
    assert stored_wins(bench) == []


def test_a_brief_slack_hiccup_is_retried_away(bench: Running) -> None:
    bench.slack.fail("views.open", status=500)
    bench.client.command("/win")
    bench.slack.wait_for("views.open", 2, timeout=10)
    bench.client.command("/win", "help")  # a later request, so lazy work has run
    assert bench.slack.responses == []


def test_slack_down_when_meeting_someone_still_logs_their_win(bench: Running) -> None:
    bench.slack.fail("users.info", status=500, times=3)
    body = bench.client.command("/win", "trained two new phlebotomists").json()
    assert "Logged your win" in all_text(body)
    assert [w.text for w in stored_wins(bench)] == ["trained two new phlebotomists"]


def test_a_submission_for_a_form_we_do_not_know_changes_nothing(bench: Running) -> None:
    view = {"callback_id": "mystery_form", "blocks": [], "private_metadata": json.dumps({})}
    reply = bench.client.submit(view, {})
    assert reply.status in (200, 404)
    assert stored_wins(bench) == [] and stored_goals(bench) == []


def test_a_failure_inside_a_command_gets_a_kind_answer(bench: Running) -> None:
    with bench.db.begin() as session:  # the database breaks under us
        session.execute(text("ALTER TABLE members RENAME TO members_gone"))

    reply = bench.client.command("/win", "restocked the blood bank fridge", user="U200")

    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("Sorry, something went wrong on my side")
    assert "restocked the blood bank fridge" in body["text"]
