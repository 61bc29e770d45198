"""The win form (`/win` alone): what it offers, what a submission stores, and how it
answers bad input and patient data inside the modal."""

from __future__ import annotations

from datetime import date

from bot.rules.catalog import CATEGORIES
from tests.conftest import Running
from tests.scenario import block, block_ids, open_modal, stored_drafts, stored_goals, stored_wins


def set_goal(bench: Running, title: str, user: str = "U100") -> int:
    """Set a goal through `/goal <title>` and its form; returns its id."""
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/goal", title, user=user)
    view = open_modal(bench, before + 1)
    assert bench.client.submit(view, {}, user=user).json()["response_action"] == "update"
    return stored_goals(bench)[-1].id


def test_bare_win_opens_the_form_with_its_fields(bench: Running) -> None:
    # 03:00 UTC on Nov 21 is still the evening of Nov 20 in Chicago.
    bench.clock.advance(hours=12)
    reply = bench.client.command("/win")
    assert reply.status == 200 and not reply.body  # a bare ack; the form opens after

    view = open_modal(bench)
    assert view["type"] == "modal" and view["callback_id"] == "win_modal"
    assert len(view["title"]["text"]) <= 24
    assert block_ids(view) == [  # no goals yet; then the optional CE part
        "text",
        "category",
        "occurred_on",
        "share",
        "digest",
        "ce_points",
        "ce_areas",
        "ce_provider",
    ]

    text = block(view, "text")
    assert "optional" not in text  # required
    assert text["element"]["multiline"] is True
    assert text["element"]["max_length"] == 3000

    category = block(view, "category")
    assert category["optional"] is True
    assert [o["value"] for o in category["element"]["options"]] == list(CATEGORIES)

    assert block(view, "occurred_on")["element"]["initial_date"] == "2026-11-20"
    share = block(view, "share")["element"]
    assert share["type"] == "checkboxes" and "initial_options" not in share
    assert "Share with my mentor" in share["options"][0]["text"]["text"]


def test_date_defaults_to_today_where_the_member_is(bench: Running) -> None:
    # 20:00 UTC on Nov 20 is already 01:30 on Nov 21 in Kolkata.
    bench.clock.advance(hours=5)
    bench.client.command("/win", user="U200")
    assert block(open_modal(bench), "occurred_on")["element"]["initial_date"] == "2026-11-21"


def test_open_goals_are_offered_once_there_are_some(bench: Running) -> None:
    goal_id = set_goal(bench, "Earn my SBB certification")
    set_goal(bench, "Someone else's goal", user="U200")

    bench.client.command("/win")
    view = open_modal(bench, 3)
    goal = block(view, "goal")
    assert goal["optional"] is True
    options = goal["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in options] == [
        (str(goal_id), "Earn my SBB certification")
    ]


def test_submitting_the_form_stores_a_modal_win(bench: Running) -> None:
    goal_id = set_goal(bench, "Earn my SBB certification")
    bench.client.command("/win")
    view = open_modal(bench, 2)

    reply = bench.client.submit(
        view,
        {
            "text": "Passed the SBB practice exam with 88%",
            "category": "development",
            "occurred_on": "2026-11-18",
            "goal": str(goal_id),
            "share": True,
        },
    )

    answer = reply.json()
    assert answer["response_action"] == "update"
    assert "Passed the SBB practice exam" in answer["view"]["blocks"][0]["text"]["text"]
    [win] = stored_wins(bench)
    assert (win.text, win.source, win.category) == (
        "Passed the SBB practice exam with 88%",
        "modal",
        "development",
    )
    assert (win.occurred_on, win.goal_id, win.shared_with_mentor) == (
        date(2026, 11, 18),
        goal_id,
        True,
    )
    assert (win.is_private, win.phi_flagged) == (False, False)
    # The Home tab is brought up to date after the ack.
    bench.slack.wait_for("views.publish", 2)


def test_a_bulleted_list_in_the_form_logs_one_win_per_line(bench: Running) -> None:
    bench.client.command("/win")
    bench.client.submit(open_modal(bench), {"text": "- ran QC\n- trained a new tech"})
    assert [w.text for w in stored_wins(bench)] == ["ran QC", "trained a new tech"]


def test_empty_and_whitespace_text_get_a_field_error(bench: Running) -> None:
    bench.client.command("/win")
    view = open_modal(bench)
    for text in (None, "", "   \n  "):
        answer = bench.client.submit(view, {"text": text}).json()
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) == {"text"}
        assert "needs some words" in answer["errors"]["text"]
    assert stored_wins(bench) == []


def test_over_long_text_gets_a_field_error(bench: Running) -> None:
    bench.client.command("/win")
    answer = bench.client.submit(open_modal(bench), {"text": "y" * 3001}).json()
    assert answer["response_action"] == "errors"
    assert "limit is 3,000" in answer["errors"]["text"]
    assert stored_wins(bench) == []


def test_a_future_date_gets_a_field_error(bench: Running) -> None:
    bench.client.command("/win")
    view = open_modal(bench)
    for day in ("2026-11-21", "2026-12-25"):
        answer = bench.client.submit(view, {"text": "validated the analyzer", "occurred_on": day})
        assert answer.json() == {
            "response_action": "errors",
            "errors": {"occurred_on": "A win can't be in the future. Pick today or earlier."},
        }
    assert stored_wins(bench) == []


def test_an_unknown_category_or_unreadable_date_gets_a_field_error(bench: Running) -> None:
    bench.client.command("/win")
    answer = bench.client.submit(
        open_modal(bench),
        {"text": "validated the analyzer", "category": "gossip", "occurred_on": "someday"},
    ).json()
    assert set(answer["errors"]) == {"category", "occurred_on"}
    assert stored_wins(bench) == []


def test_patient_data_brings_the_form_back_with_a_warning(bench: Running) -> None:
    bench.client.command("/win")
    text = "Caught a mislabeled tube for John Smith, MRN 00123456"
    answer = bench.client.submit(
        open_modal(bench), {"text": text, "category": "quality", "share": True}
    ).json()

    assert answer["response_action"] == "update"
    view = answer["view"]
    warning = next(b for b in view["blocks"] if b["type"] == "section")["text"]["text"]
    assert "patient information" in warning and "medical record number" in warning
    assert block(view, "text")["element"]["initial_value"] == text  # nothing lost
    assert block(view, "category")["element"]["initial_option"]["value"] == "quality"
    ack = block(view, "phi_ack")
    assert "Save anyway, as a private win" in ack["element"]["options"][0]["text"]["text"]
    assert stored_wins(bench) == [] and stored_drafts(bench) == []

    # Ticking "save anyway" (and still asking to share) keeps it private, never shared.
    view["id"] = "V0MODAL"
    answer = bench.client.submit(
        view, {"text": text, "category": "quality", "share": True, "phi_ack": True}
    ).json()
    assert answer["response_action"] == "update"
    assert "Kept private" in str(answer["view"])
    [win] = stored_wins(bench)
    assert (win.is_private, win.phi_flagged, win.shared_with_mentor) == (True, True, False)
    assert (win.text, win.source, win.category) == (text, "modal", "quality")


def test_editing_patient_data_out_saves_an_ordinary_win(bench: Running) -> None:
    bench.client.command("/win")
    warned = bench.client.submit(open_modal(bench), {"text": "Redrew patient Jane Doe"}).json()
    bench.client.submit(warned["view"], {"text": "Redrew a hemolyzed sample within 10 minutes"})
    [win] = stored_wins(bench)
    assert (win.text, win.is_private, win.phi_flagged) == (
        "Redrew a hemolyzed sample within 10 minutes",
        False,
        False,
    )


def test_edit_button_updates_the_win_without_duplicating(bench: Running) -> None:
    goal_id = set_goal(bench, "Master PCR")
    body = bench.client.command("/win", "ran my first PCR panel").json()
    [win] = stored_wins(bench)
    bench.client.click("win_edit", win.key)

    view = open_modal(bench, 2)
    assert view["title"]["text"] == "Edit your win"
    assert block(view, "text")["element"]["initial_value"] == "ran my first PCR panel"
    assert body["blocks"][1]["accessory"]["value"] == win.key

    answer = bench.client.submit(
        view,
        {
            "text": "ran my first PCR panel solo",
            "category": "technical",
            "occurred_on": "2026-11-19",
            "goal": str(goal_id),
            "share": True,
        },
    ).json()

    assert answer["response_action"] == "update"
    [edited] = stored_wins(bench)
    assert edited.id == win.id
    assert (edited.text, edited.category, edited.occurred_on, edited.goal_id) == (
        "ran my first PCR panel solo",
        "technical",
        date(2026, 11, 19),
        goal_id,
    )
    assert (edited.source, edited.shared_with_mentor) == ("slash", True)


def test_editing_keeps_the_link_to_an_achieved_goal(bench: Running) -> None:
    goal_id = set_goal(bench, "Master PCR")
    bench.client.command("/win")
    bench.client.submit(open_modal(bench, 2), {"text": "ran PCR solo", "goal": str(goal_id)})
    bench.client.click("goal_menu", where="home", selected=f"achieved:{goal_id}")
    bench.slack.wait_for("views.open", 3)
    [win] = stored_wins(bench)

    bench.client.click("win_edit", win.key)
    view = open_modal(bench, 4)
    assert block(view, "goal")["element"]["initial_option"]["value"] == str(goal_id)
    bench.client.submit(view, {"text": "ran PCR solo, twice", "goal": str(goal_id)})
    [edited] = stored_wins(bench)
    assert (edited.text, edited.goal_id) == ("ran PCR solo, twice", goal_id)
