"""Prompt preferences (`/win settings`, the Home tab) and the prompt's own buttons."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot.store.models import Member, Nudge
from tests.conftest import Running
from tests.test_weekly_prompts import FRIDAY_14_CHICAGO, member, prompts_to, tick


def open_settings(bench: Running, user: str = "U100") -> dict:
    bench.client.command("/win", "settings", user=user)
    return bench.slack.wait_for("views.open")[-1].args["view"]


def test_win_settings_opens_the_form_with_the_defaults(bench: Running) -> None:
    reply = bench.client.command("/win", "settings")
    assert reply.status == 200 and not reply.body  # bare ack; the form opens after
    view = bench.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "prefs_modal"
    assert len(view["title"]["text"]) <= 24
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert fields["weekday"]["initial_option"]["value"] == "4"  # Friday
    assert fields["at"]["initial_time"] == "14:00"
    assert "America/Chicago" in view["blocks"][0]["elements"][0]["text"]


def test_saved_settings_move_the_next_prompt(bench: Running) -> None:
    view = open_settings(bench)
    reply = bench.client.submit(
        view, {"weekday": "1", "at": "07:30", "quiet_start": "22:00", "quiet_end": "06:00"}
    )
    body = reply.json()
    assert body["response_action"] == "update"
    assert "Tuesdays at 07:30" in body["view"]["blocks"][0]["text"]["text"]
    saved = member(bench, "U100")
    assert (saved.prompt_weekday, saved.prompt_time) == (1, time(7, 30))
    assert (saved.quiet_start, saved.quiet_end) == (time(22), time(6))
    # Tuesday Nov 24, 07:30 in Chicago is 13:30 UTC.
    tuesday = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert saved.next_prompt_at == tuesday
    assert tick(bench, FRIDAY_14_CHICAGO) == []
    assert [line.status for line in tick(bench, tuesday)] == ["sent"]
    bench.slack.wait_for("views.publish")  # the Home tab shows the new schedule


def test_bad_settings_are_answered_in_the_form_and_nothing_changes(bench: Running) -> None:
    view = open_settings(bench)
    body = bench.client.submit(view, {"quiet_start": "22:00", "paused_until": "2026-11-01"}).json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"quiet_end", "paused_until"}
    body = bench.client.submit(view, {"quiet_start": "09:00", "quiet_end": "09:00"}).json()
    assert set(body["errors"]) == {"quiet_end"}
    body = bench.client.submit(view, {"at": None}).json()
    assert set(body["errors"]) == {"at"}
    unchanged = member(bench, "U100")
    assert (unchanged.quiet_start, unchanged.paused_until, unchanged.prompt_time) == (
        None,
        None,
        time(14),
    )


def test_stopped_prompts_are_not_sent(bench: Running) -> None:
    view = open_settings(bench)
    bench.client.submit(view, {"stopped": True})
    assert member(bench, "U100").next_prompt_at is None
    tick(bench, FRIDAY_14_CHICAGO)
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    assert prompts_to(bench, "U100") == []


def test_pause_until_a_date(bench: Running) -> None:
    view = open_settings(bench)
    bench.client.submit(view, {"paused_until": "2026-12-10"})
    tick(bench, FRIDAY_14_CHICAGO)
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7))
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=14))
    assert prompts_to(bench, "U100") == []
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=21))  # Friday Dec 11
    assert len(prompts_to(bench, "U100")) == 1


def test_home_tab_shows_the_schedule_and_a_settings_button(bench: Running) -> None:
    bench.client.event({"type": "app_home_opened", "user": "U100", "tab": "home"})
    view = bench.slack.wait_for("views.publish")[0].args["view"]
    [line] = [b for b in view["blocks"] if b.get("block_id") == "home_prompt"]
    assert "Fridays at 14:00" in line["text"]["text"]
    assert line["accessory"]["action_id"] == "open_settings"
    bench.client.click("open_settings", "home", where="home")
    assert bench.slack.wait_for("views.open")[0].args["view"]["callback_id"] == "prefs_modal"


def test_prompt_buttons(bench: Running) -> None:
    bench.client.command("/win", "ran the weekly QC review")
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    [prompt] = prompts_to(bench, "U100")
    period = prompt["blocks"][-1]["elements"][0]["value"]

    bench.client.click("prompt_log_win", period)
    assert bench.slack.wait_for("views.open")[0].args["view"]["callback_id"] == "win_modal"

    bench.client.click("prompt_nothing", period)
    [answer] = bench.slack.wait_for_response()
    assert answer["replace_original"] is True and "Noted" in answer["blocks"][0]["text"]["text"]

    bench.client.click("prompt_skip_next", period)
    skipped = bench.slack.wait_for_response(2)[-1]
    assert "no prompt on Fri Nov 27" in skipped["text"]
    assert "Fri Dec 04, 14:00" in skipped["text"]
    with bench.db.begin() as session:
        rows = session.scalars(select(Nudge).order_by(Nudge.period)).all()
        assert [(n.period, n.status) for n in rows] == [
            ("2026-W47", "sent"),
            ("2026-W48", "cancelled"),
        ]
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(days=7)) == []
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=14))
    assert len(prompts_to(bench, "U100")) == 2


def test_changing_the_day_after_this_weeks_prompt_does_not_send_twice(bench: Running) -> None:
    bench.client.command("/win", "ran the weekly QC review")
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    bench.clock.current = FRIDAY_14_CHICAGO + timedelta(hours=1)
    view = open_settings(bench)
    bench.client.submit(view, {"weekday": "5"})  # Saturday: same ISO week
    with bench.db.begin() as session:
        saved = session.scalars(select(Member)).one()
        assert saved.next_prompt_period == "2026-W48"
    tick(bench, datetime(2026, 11, 21, 20, 0, tzinfo=UTC))
    assert len(prompts_to(bench, "U100")) == 1
