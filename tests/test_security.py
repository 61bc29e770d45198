"""Only Slack gets in, and a member only ever reaches their own wins, goals and drafts,
however ids are replayed or forged."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.store.models import Draft, Goal, Member, Win
from tests.conftest import Running
from tests.scenario import all_text, open_modal, stored_drafts, stored_goals, stored_wins

Send = Callable[[Running, dict[str, Any]], Any]

REQUESTS: dict[str, Send] = {
    "slash command": lambda b, kw: b.client.command("/win", "a win from an impostor", **kw),
    "bare slash command": lambda b, kw: b.client.command("/win", **kw),
    "button": lambda b, kw: b.client.click("home_export", where="home", **kw),
    "form": lambda b, kw: b.client.submit({"callback_id": "win_modal", "blocks": []}, {}, **kw),
    "event": lambda b, kw: b.client.event(
        {"type": "app_home_opened", "user": "U100", "tab": "home"}, **kw
    ),
}
BAD_SIGNATURES: dict[str, Callable[[], dict[str, Any]]] = {
    "missing": lambda: {"sign": False},
    "wrong secret": lambda: {"secret": "not-the-secret"},
    "stale": lambda: {"timestamp": str(int(time.time()) - 301)},
    "from the future": lambda: {"timestamp": str(int(time.time()) + 302)},
    "garbage timestamp": lambda: {"timestamp": "yesterday"},
}


def rows(bench: Running) -> int:
    with bench.db.begin() as session:
        return sum(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, Win, Goal, Draft)
        )


@pytest.mark.parametrize("signature", BAD_SIGNATURES)
@pytest.mark.parametrize("request_kind", REQUESTS)
def test_unsigned_or_stale_requests_get_401_and_change_nothing(
    bench: Running, request_kind: str, signature: str
) -> None:
    reply = REQUESTS[request_kind](bench, BAD_SIGNATURES[signature]())

    assert reply.status == 401
    bench.client.command("/goal", "help")  # a good request after, so any lazy work ran
    assert rows(bench) == 0
    assert [c.method for c in bench.slack.calls if c.method != "auth.test"] == []


def test_a_signature_for_another_body_is_refused(bench: Running) -> None:
    ts = str(int(time.time()))
    from tests.slackclient import signature

    forged = signature("test-signing-secret", ts, b"text=something+else")
    reply = bench.client.post(
        b"command=%2Fwin&text=sneaky&user_id=U100&team_id=T0001",
        "application/x-www-form-urlencoded",
        sign=False,
        headers={"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": forged},
    )
    assert reply.status == 401 and rows(bench) == 0


# --- one member never reaches another's things ------------------------------------------


def my_win(bench: Running) -> Win:
    bench.client.command("/win", "my own win", user="U100")
    return stored_wins(bench)[-1]


def my_goal(bench: Running) -> Goal:
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/goal", "my own goal", user="U100")
    bench.client.submit(open_modal(bench, before + 1), {}, user="U100")
    return stored_goals(bench)[-1]


def my_draft(bench: Running) -> Draft:
    bench.client.command("/win", "redraw for patient John Smith MRN 00123456", user="U100")
    return stored_drafts(bench)[-1]


def test_another_member_cannot_open_my_win_to_edit(bench: Running) -> None:
    win = my_win(bench)
    bench.client.click("win_edit", win.key, user="U200")
    assert "can't find that win" in bench.slack.wait_for_response()[0]["text"]
    assert bench.slack.sent("views.open") == []


def test_another_member_cannot_undo_my_wins_even_mixed_with_theirs(bench: Running) -> None:
    mine = my_win(bench)
    bench.client.command("/win", "their own win", user="U200")
    theirs = stored_wins(bench)[-1]

    bench.client.click("win_undo", f"{mine.key},{theirs.key}", user="U200")

    bench.slack.wait_for_response()
    assert [w.id for w in stored_wins(bench)] == [mine.id]


@pytest.mark.parametrize("action", ["draft_edit", "draft_save_private", "draft_discard"])
def test_another_member_cannot_touch_my_draft(bench: Running, action: str) -> None:
    draft = my_draft(bench)

    bench.client.click(action, str(draft.id), user="U200")

    assert "draft is gone" in bench.slack.wait_for_response()[0]["text"]
    assert [d.id for d in stored_drafts(bench)] == [draft.id]
    assert stored_wins(bench) == [] and bench.slack.sent("views.open") == []


@pytest.mark.parametrize("status", ["achieved", "dropped"])
def test_another_member_cannot_change_my_goal(bench: Running, status: str) -> None:
    goal = my_goal(bench)

    bench.client.click("goal_menu", where="home", selected=f"{status}:{goal.id}", user="U200")

    [told] = bench.slack.wait_for("chat.postMessage")
    assert told.args["channel"] == "U200" and "can't find that goal" in told.args["text"]
    assert stored_goals(bench)[0].status == "active"
    assert len(bench.slack.sent("views.open")) == 1  # only my own /goal form


def forged_form(bench: Running, metadata: dict[str, Any], user: str = "U200") -> dict[str, Any]:
    """A win form opened by `user`, with its private_metadata swapped for `metadata`."""
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/win", user=user)
    view = open_modal(bench, before + 1)
    return {**view, "private_metadata": json.dumps(metadata)}


def test_a_forged_win_key_in_a_form_cannot_edit_my_win(bench: Running) -> None:
    win = my_win(bench)
    view = forged_form(bench, {"win": win.key, "source": "modal"})

    answer = bench.client.submit(view, {"text": "overwritten by someone else"}, user="U200")

    assert answer.json()["response_action"] == "errors"
    [still] = stored_wins(bench)
    assert (still.text, still.member_id) == ("my own win", win.member_id)


def test_a_forged_goal_in_a_form_does_not_link_to_my_goal(bench: Running) -> None:
    goal = my_goal(bench)
    bench.client.command("/goal", "their goal", user="U200")
    bench.client.submit(open_modal(bench, 2), {}, user="U200")
    view = forged_form(bench, {"source": "modal"})

    # The form only offers their goal; submit mine anyway.
    bench.client.submit(view, {"text": "a win of theirs", "goal": str(goal.id)}, user="U200")

    [win] = stored_wins(bench)
    assert (win.text, win.goal_id) == ("a win of theirs", None)


def test_a_forged_draft_id_in_a_form_leaves_my_draft_alone(bench: Running) -> None:
    draft = my_draft(bench)
    view = forged_form(bench, {"draft_id": draft.id, "source": "slash"})

    bench.client.submit(view, {"text": "a clean win of theirs"}, user="U200")

    assert [d.id for d in stored_drafts(bench)] == [draft.id]
    [win] = stored_wins(bench)
    assert win.text == "a clean win of theirs"


def test_a_forged_source_or_junk_metadata_is_not_stored(bench: Running) -> None:
    forgeries: list[Any] = [
        {"source": "admin-import", "permalink": "javascript:alert(1)"},
        {"win": 1, "draft_id": True},
        {"win": ["x"], "draft_id": "1 OR 1=1"},
        ["a", "list"],
    ]
    for metadata in forgeries:
        reply = bench.client.submit(forged_form(bench, metadata), {"text": "a win"}, user="U200")
        assert reply.json()["response_action"] == "update"
    assert [(w.source, w.permalink) for w in stored_wins(bench)] == [("modal", None)] * 4


def test_lists_and_home_show_only_my_own(bench: Running) -> None:
    my_win(bench)
    my_goal(bench)

    listing = all_text(bench.client.command("/win", "list", user="U200").json())
    goals = all_text(bench.client.command("/goal", "list", user="U200").json())
    bench.client.event({"type": "app_home_opened", "user": "U200", "tab": "home"})
    home = [c for c in bench.slack.wait_for("views.publish", 2) if c.args["user_id"] == "U200"]

    assert "my own" not in listing + goals + all_text(home[-1].args["view"])
