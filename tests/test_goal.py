"""`/goal` end to end: the form, templates by career level, saving, listing, and the
same patient-data guard as wins."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.rules.catalog import CATEGORIES, GOAL_TEMPLATES, TEMPLATES_BY_KEY
from tests.conftest import Running
from tests.scenario import all_text, block, block_ids, member, open_modal, stored_goals


def set_level(bench: Running, level: str, user: str = "U100") -> None:
    # Career levels come from the roster (a later issue); set it as the roster would.
    with bench.db.begin() as session:
        session.merge(member(bench, user)).career_level = level


def goal_form(bench: Running, text: str = "", user: str = "U100") -> dict[str, Any]:
    before = len(bench.slack.sent("views.open"))
    reply = bench.client.command("/goal", text, user=user)
    assert reply.status == 200 and not reply.body  # a bare ack; the form opens after
    return open_modal(bench, before + 1)


def test_bare_goal_opens_the_form(bench: Running) -> None:
    view = goal_form(bench)

    assert view["callback_id"] == "goal_modal" and len(view["title"]["text"]) <= 24
    assert block_ids(view) == [
        "template",
        "title",
        "category",
        "target_date",
        "measure",
        "share",
    ]
    assert "initial_value" not in block(view, "title")["element"]
    share = block(view, "share")["element"]
    assert "Share with my mentor" in share["options"][0]["text"]["text"]
    assert "initial_options" not in share  # private unless the member ticks it
    categories = block(view, "category")["element"]["options"]
    assert [o["value"] for o in categories] == list(CATEGORIES)
    # Level unknown: every template, in one flat list.
    options = block(view, "template")["element"]["options"]
    assert [o["value"] for o in options] == [t.key for t in GOAL_TEMPLATES]


def test_goal_with_a_title_opens_the_form_with_it(bench: Running) -> None:
    view = goal_form(bench, "get my SBB certification")
    assert block(view, "title")["element"]["initial_value"] == "get my SBB certification"


def test_help_and_unknown_single_words_show_usage(bench: Running) -> None:
    assert "/goal list" in bench.client.command("/goal", "help").json()["text"]
    body = bench.client.command("/goal", "frobnicate").json()
    assert body["response_type"] == "ephemeral"
    assert "I don't know `/goal frobnicate`" in body["text"] and "/goal list" in body["text"]
    assert stored_goals(bench) == []
    assert bench.slack.sent("views.open") == []


def test_templates_are_grouped_by_career_level(bench: Running) -> None:
    bench.client.command("/goal", "list")  # first contact creates the member
    set_level(bench, "senior")

    element = block(goal_form(bench), "template")["element"]

    suggested, more = element["option_groups"]
    assert suggested["label"]["text"] == "Suggested for senior"
    assert {o["value"] for o in suggested["options"]} == {
        t.key for t in GOAL_TEMPLATES if "senior" in t.levels
    }
    assert {o["value"] for o in more["options"]} == {
        t.key for t in GOAL_TEMPLATES if "senior" not in t.levels
    }
    assert "options" not in element


def test_a_template_with_an_empty_title_gives_title_category_and_measure(
    bench: Running,
) -> None:
    view = goal_form(bench)
    answer = bench.client.submit(view, {"template": "tat", "target_date": "2027-06-30"}).json()

    assert answer["response_action"] == "update"
    assert "Cut turnaround time" in all_text(answer["view"])
    [goal] = stored_goals(bench)
    template = TEMPLATES_BY_KEY["tat"]
    assert (goal.title, goal.category, goal.measure, goal.template_key) == (
        template.title,
        template.category,
        template.measure,
        "tat",
    )
    assert (goal.status, goal.target_date, goal.is_private) == (
        "active",
        date(2027, 6, 30),
        False,
    )
    bench.slack.wait_for("views.publish")  # Home brought up to date


def test_own_title_and_category_win_over_the_template(bench: Running) -> None:
    view = goal_form(bench)
    bench.client.submit(
        view,
        {"template": "cert_specialty", "title": "Pass the SBB exam", "category": "technical"},
    )
    [goal] = stored_goals(bench)
    assert (goal.title, goal.category, goal.measure) == (
        "Pass the SBB exam",
        "technical",
        TEMPLATES_BY_KEY["cert_specialty"].measure,
    )


def test_no_title_and_no_template_is_a_field_error(bench: Running) -> None:
    answer = bench.client.submit(goal_form(bench), {"title": "   "}).json()
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"title"}
    assert stored_goals(bench) == []


def test_a_target_date_in_the_past_is_a_field_error(bench: Running) -> None:
    view = goal_form(bench, "lead the LIS upgrade")
    answer = bench.client.submit(view, {"target_date": "2026-11-19"}).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"target_date": "Pick a target date in the future."},
    }
    assert stored_goals(bench) == []


def test_patient_data_in_a_goal_is_warned_then_saved_privately(bench: Running) -> None:
    view = goal_form(bench)
    title = "Follow up on patient Maria Lopez's transfusion reaction"
    answer = bench.client.submit(
        view, {"title": title, "category": "quality", "share": True}
    ).json()

    assert answer["response_action"] == "update"
    warned = answer["view"]
    assert "patient information" in all_text(warned)
    assert block(warned, "title")["element"]["initial_value"] == title
    assert block(warned, "category")["element"]["initial_option"]["value"] == "quality"
    assert "initial_options" in block(warned, "share")["element"]  # nothing lost
    assert stored_goals(bench) == []

    # Saved anyway, still asking to share: private, and never shared with the mentor.
    bench.client.submit(warned, {"phi_ack": True})
    [goal] = stored_goals(bench)
    assert (goal.title, goal.is_private, goal.phi_flagged) == (title, True, True)
    assert goal.shared_with_mentor is False


def test_a_goal_is_shared_with_the_mentor_only_when_ticked(bench: Running) -> None:
    bench.client.submit(goal_form(bench), {"title": "Pass the SBB exam", "share": True})
    bench.client.submit(goal_form(bench), {"title": "Keep this one to myself"})
    assert [(g.title, g.shared_with_mentor) for g in stored_goals(bench)] == [
        ("Pass the SBB exam", True),
        ("Keep this one to myself", False),
    ]


def test_goal_list_shows_only_my_active_goals(bench: Running) -> None:
    bench.client.submit(goal_form(bench, "Master mass spectrometry"), {})
    bench.client.submit(goal_form(bench, "Lead the LIS upgrade"), {})
    bench.client.submit(goal_form(bench, "Someone else's goal", user="U200"), {}, user="U200")
    dropped = stored_goals(bench)[1].id
    bench.client.click("goal_menu", where="home", selected=f"dropped:{dropped}")
    bench.slack.wait_for("views.publish", 4)

    body = bench.client.command("/goal", "list").json()

    assert body["response_type"] == "ephemeral"
    listing = all_text(body)
    assert "Master mass spectrometry" in listing
    assert "Lead the LIS upgrade" not in listing
    assert "Someone else" not in listing


def test_goal_list_when_there_are_none(bench: Running) -> None:
    assert "No active goals yet" in all_text(bench.client.command("/goal", "list").json())
