"""The Home tab: what it shows, that it stays inside Slack's limits, and the goal menu."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks.common import SECTION_TEXT_MAX, VIEW_BLOCKS_MAX
from bot.store.models import Goal, Win
from tests.conftest import Running
from tests.scenario import all_text, block, member, open_modal, stored_goals, stored_wins


def open_home(bench: Running, user: str = "U100") -> dict[str, Any]:
    before = len(bench.slack.sent("views.publish"))
    reply = bench.client.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": "home",
            "event_ts": "1700000000.000100",
        }
    )
    assert reply.status == 200
    call = bench.slack.wait_for("views.publish", before + 1)[before]
    assert call.args["user_id"] == user
    return call.args["view"]


def new_goal(bench: Running, title: str, user: str = "U100") -> int:
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/goal", title, user=user)
    bench.client.submit(open_modal(bench, before + 1), {}, user=user)
    return stored_goals(bench)[-1].id


def test_home_shows_counts_latest_wins_goals_and_buttons(bench: Running) -> None:
    goal_id = new_goal(bench, "Master PCR")
    bench.client.command("/win", "ran my first PCR panel")
    bench.client.command("/win")
    bench.client.submit(open_modal(bench, 2), {"text": "validated PCR kit", "goal": str(goal_id)})

    view = open_home(bench)

    assert view["type"] == "home"
    text = all_text(view)
    assert "*This month:* 2    *This year:* 2" in text
    assert "ran my first PCR panel" in text and "validated PCR kit" in text
    assert "Master PCR" in text
    assert "Wins toward it:\n• validated PCR kit" in text
    buttons = block(view, "home_buttons")["elements"]
    assert [b["action_id"] for b in buttons] == ["home_log_win", "home_new_goal", "home_export"]
    [menu] = [
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == "goal_menu"
    ]
    assert [o["value"] for o in menu["options"]] == [f"achieved:{goal_id}", f"dropped:{goal_id}"]


def test_counts_follow_the_members_own_calendar(bench: Running) -> None:
    bench.client.command("/win", "a win from last year", user="U100")
    bench.client.command("/win", "a win from last year", user="U200")
    # 03:00 UTC on Dec 1: still Nov 30 in Chicago, already Dec 1 in Kolkata.
    bench.clock.current = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    with bench.db.begin() as session:  # move the first two wins into last year
        for win in session.scalars(select(Win)):
            win.occurred_on = date(2025, 12, 31)
    for user in ("U100", "U200"):
        bench.client.command("/win", "closed out the month with zero QC failures", user=user)

    assert "*This month:* 1    *This year:* 1" in all_text(open_home(bench, "U100"))
    assert "*This month:* 1    *This year:* 1" in all_text(open_home(bench, "U200"))
    dates = {w.member_id: w.occurred_on for w in stored_wins(bench)[2:]}
    assert sorted(dates.values()) == [date(2026, 11, 30), date(2026, 12, 1)]

    # Two days on, the Chicago win is last month's for its author.
    bench.clock.advance(days=2)
    assert "*This month:* 0    *This year:* 1" in all_text(open_home(bench, "U100"))
    assert "*This month:* 1    *This year:* 1" in all_text(open_home(bench, "U200"))


def test_home_stays_inside_slacks_limits_with_lots_of_history(bench: Running) -> None:
    bench.client.command("/win", "first win")
    me = member(bench)
    now = bench.clock.now()
    long_text = "Validated the new chemistry analyzer & trained <everyone> " * 60
    with bench.db.begin() as session:
        goals = [
            Goal(
                team_id=me.team_id,
                member_id=me.id,
                title=f"Goal {i}: " + "x" * 280,
                category="quality",
                status="active",
                created_at=now,
            )
            for i in range(40)
        ]
        session.add_all(goals)
        session.flush()
        session.add_all(
            Win(
                team_id=me.team_id,
                member_id=me.id,
                text=f"{i} {long_text}"[:3000],
                source="slash",
                occurred_on=date(2026, 11, 20) - timedelta(days=i % 300),
                logged_at=now,
                goal_id=goals[i % 40].id,
            )
            for i in range(500)
        )

    view = open_home(bench)

    assert len(view["blocks"]) <= VIEW_BLOCKS_MAX
    for b in view["blocks"]:
        texts = [b["text"]["text"]] if "text" in b else []
        texts += [e["text"] for e in b.get("elements", []) if "text" in e and "type" in e]
        for text in texts:
            assert len(text if isinstance(text, str) else text["text"]) <= SECTION_TEXT_MAX
    text = all_text(view)
    assert "*This year:* 501" in text
    assert "older wins" in text and "Export" in text
    assert "more: `/goal list`" in text


def test_dropping_a_goal_takes_it_off_home(bench: Running) -> None:
    goal_id = new_goal(bench, "Lead the LIS upgrade")
    bench.slack.wait_for("views.publish")

    reply = bench.client.click("goal_menu", where="home", selected=f"dropped:{goal_id}")

    assert reply.status == 200
    view = bench.slack.wait_for("views.publish", 2)[1].args["view"]
    assert "Lead the LIS upgrade" not in all_text(view)
    [goal] = stored_goals(bench)
    assert goal.status == "dropped" and goal.status_changed_at == bench.clock.now()
    assert bench.slack.sent("views.open")[1:] == []  # no win form for a dropped goal


def test_achieving_a_goal_offers_a_win_linked_to_it(bench: Running) -> None:
    goal_id = new_goal(bench, "Earn my SBB certification")
    bench.slack.wait_for("views.publish")

    bench.client.click("goal_menu", where="home", selected=f"achieved:{goal_id}")

    view = open_modal(bench, 2)
    assert view["callback_id"] == "win_modal"
    assert block(view, "text")["element"]["initial_value"] == (
        "Achieved my goal: Earn my SBB certification"
    )
    assert block(view, "goal")["element"]["initial_option"]["value"] == str(goal_id)
    home = bench.slack.wait_for("views.publish", 2)[1].args["view"]
    assert "Earn my SBB certification" not in all_text(home)  # no longer active
    assert stored_goals(bench)[0].status == "achieved"

    bench.client.submit(view, {})

    [win] = stored_wins(bench)
    assert (win.text, win.goal_id, win.source) == (
        "Achieved my goal: Earn my SBB certification",
        goal_id,
        "modal",
    )
    bench.slack.wait_for("views.publish", 3)


def test_home_buttons_open_the_forms(bench: Running) -> None:
    bench.client.click("home_log_win", where="home")
    assert open_modal(bench)["callback_id"] == "win_modal"
    bench.client.click("home_new_goal", where="home")
    assert open_modal(bench, 2)["callback_id"] == "goal_modal"


def test_other_tabs_are_left_alone(bench: Running) -> None:
    reply = bench.client.event({"type": "app_home_opened", "user": "U100", "tab": "messages"})
    assert reply.status == 200
    bench.client.command("/win", "help")  # something after, to let lazy work run
    assert bench.slack.sent("views.publish") == []
