"""`/win` end to end: signed HTTP in, database and Slack calls out."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import func, select

from bot.store.models import Draft, Member, Win
from tests.conftest import Running
from tests.scenario import settle


def wins(bench: Running) -> list[Win]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Win).order_by(Win.id)))


def test_win_with_text_is_logged_and_answered_ephemerally(bench: Running) -> None:
    reply = bench.client.command("/win", "cut TAT for troponin by 12 minutes")

    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    texts = [b.get("text", {}).get("text", "") for b in body["blocks"]]
    assert any("cut TAT for troponin by 12 minutes" in t for t in texts)
    [win] = wins(bench)
    assert (win.text, win.source, win.team_id) == (
        "cut TAT for troponin by 12 minutes",
        "slash",
        "T0001",
    )
    # 15:00 UTC on Nov 20 is 09:00 in Chicago: the member's own date.
    assert win.occurred_on == date(2026, 11, 20)
    edit = body["blocks"][1]["accessory"]
    assert (edit["action_id"], edit["value"]) == ("win_edit", win.key)
    undo = body["blocks"][-1]["elements"][0]
    assert (undo["action_id"], undo["value"]) == ("win_undo", win.key)


def test_first_contact_creates_member_from_users_info(bench: Running) -> None:
    bench.client.command("/win", "passed my MLS(ASCP) exam", user="U200")

    # The profile is fetched after the answer (nothing on the answer path waits on Slack).
    member = member_named(bench, "Grace Lead")
    assert member is not None
    assert (member.slack_user_id, member.tz) == ("U200", "Asia/Kolkata")
    assert [c.args["user"] for c in bench.slack.sent("users.info")] == ["U200"]


def test_profile_is_cached_for_a_day(bench: Running) -> None:
    bench.client.command("/win", "first win of the day")
    bench.client.command("/win", "second win of the day")
    bench.clock.advance(hours=25)
    bench.client.command("/win", "a win the next day")
    bench.slack.wait_for("users.info", count=2)
    assert len(bench.slack.sent("users.info")) == 2


def test_bulleted_lines_log_one_win_each(bench: Running) -> None:
    text = "- validated the new Cobas analyzer\n- trained 3 phlebotomists\n* earned 2 CE credits"
    body = bench.client.command("/win", text).json()

    assert [w.text for w in wins(bench)] == [
        "validated the new Cobas analyzer",
        "trained 3 phlebotomists",
        "earned 2 CE credits",
    ]
    ids = ",".join(w.key for w in wins(bench))
    assert body["blocks"][-1]["elements"][0]["value"] == ids


def test_numbered_lines_log_one_win_each(bench: Running) -> None:
    bench.client.command("/win", "1. fixed the centrifuge\n2) ran QC on night shift")
    assert [w.text for w in wins(bench)] == ["fixed the centrifuge", "ran QC on night shift"]


def test_undo_removes_the_wins_and_replaces_the_message(bench: Running) -> None:
    body = bench.client.command("/win", "- one\n- two").json()
    ids = body["blocks"][-1]["elements"][0]["value"]

    reply = bench.client.click("win_undo", ids)

    assert reply.status == 200
    [posted] = bench.slack.wait_for_response()
    assert posted["replace_original"] is True
    assert "Removed 2 wins" in posted["blocks"][0]["text"]["text"]
    assert wins(bench) == []


def test_someone_else_cannot_undo_my_win(bench: Running) -> None:
    body = bench.client.command("/win", "my own win", user="U100").json()
    ids = body["blocks"][-1]["elements"][0]["value"]

    bench.client.click("win_undo", ids, user="U200")

    [posted] = bench.slack.wait_for_response()
    assert "can't find that win" in posted["text"]
    assert len(wins(bench)) == 1


def test_edit_opens_the_form_with_the_win(bench: Running) -> None:
    body = bench.client.command("/win", "calibrated the pipettes").json()
    bench.client.click("win_edit", body["blocks"][1]["accessory"]["value"])

    [call] = bench.slack.wait_for("views.open")
    view = call.args["view"]
    assert view["blocks"][0]["element"]["initial_value"] == "calibrated the pipettes"

    reply = bench.client.submit(
        view, {"text": "calibrated all the pipettes", "category": "quality"}
    )

    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    [win] = wins(bench)
    assert (win.text, win.category) == ("calibrated all the pipettes", "quality")


def test_empty_and_whitespace_win_open_the_form(bench: Running) -> None:
    for text in ("", "   "):
        reply = bench.client.command("/win", text)
        assert reply.status == 200
    bench.slack.wait_for("views.open", count=2)
    assert wins(bench) == []


def test_over_long_win_is_refused_and_echoed(bench: Running) -> None:
    text = "validated " + "x" * 3100
    body = bench.client.command("/win", text).json()

    assert "limit is 3,000" in body["text"]
    assert text in body["text"]  # nothing the member typed is lost
    assert wins(bench) == []


def test_list_shows_latest_ten(bench: Running) -> None:
    for i in range(12):
        bench.client.command("/win", f"win number {i}")
    body = bench.client.command("/win", "list").json()

    listing = body["blocks"][1]["text"]["text"]
    assert "win number 11" in listing
    assert "win number 1\n" not in listing + "\n"
    assert listing.count("•") == 10


def test_help_and_unknown_sub_words_show_usage(bench: Running) -> None:
    assert "/win list" in bench.client.command("/win", "help").json()["blocks"][0]["text"]["text"]
    body = bench.client.command("/win", "frobnicate").json()
    assert "I don't know `/win frobnicate`" in body["text"]
    assert wins(bench) == []


def test_patient_data_is_held_not_saved(bench: Running) -> None:
    text = "caught a mislabeled specimen for John Smith, MRN 00123456"
    body = bench.client.command("/win", text).json()

    assert "Nothing saved yet" in body["blocks"][0]["text"]["text"]
    assert "medical record number" in body["blocks"][0]["text"]["text"]
    assert wins(bench) == []
    with bench.db.begin() as session:
        assert session.scalar(select(func.count(Draft.id))) == 1


def test_held_text_can_be_saved_as_private(bench: Running) -> None:
    body = bench.client.command("/win", "patient John Smith MRN 00123456 redraw").json()
    draft_id = body["blocks"][-1]["elements"][1]["value"]

    bench.client.click("draft_save_private", draft_id)

    bench.slack.wait_for_response()
    [win] = wins(bench)
    assert (win.is_private, win.phi_flagged, win.shared_with_mentor) == (True, True, False)
    with bench.db.begin() as session:
        assert session.scalar(select(func.count(Draft.id))) == 0


def test_held_text_can_be_discarded(bench: Running) -> None:
    body = bench.client.command("/win", "DOB 03/14/1962 redraw done").json()
    bench.client.click("draft_discard", body["blocks"][-1]["elements"][2]["value"])

    [posted] = bench.slack.wait_for_response()
    assert "Nothing was saved" in posted["text"]
    assert wins(bench) == []


def test_unknown_user_still_logs_with_utc(bench: Running) -> None:
    body = bench.client.command("/win", "helped the night shift", user="U999").json()

    assert body["response_type"] == "ephemeral"
    [win] = wins(bench)
    with bench.db.begin() as session:
        member = session.scalars(select(Member)).one()
    assert (member.slack_user_id, member.tz) == ("U999", "UTC")
    assert win.text == "helped the night shift"


def member_named(bench: Running, name: str, timeout: float = 5.0) -> Member | None:
    """The member once the lazy profile refresh has saved `name` (None if it never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bench.db.begin() as session:
            member = session.scalars(select(Member)).one()
        if member.name == name:
            return member
        time.sleep(0.02)
    return None


def test_a_stale_profile_is_refreshed_after_the_win_is_answered(bench: Running) -> None:
    bench.client.command("/win", "first win of the day")
    settle(bench)  # the first contact's profile is fetched after the answer
    bench.slack.add_user("U100", "Ada Lovelace", "Europe/London")
    bench.client.command("/win", "a second win, same day")
    bench.clock.advance(hours=25)
    reply = bench.client.command("/win", "a win the next day")
    settle(bench)

    assert reply.status == 200
    member = member_named(bench, "Ada Lovelace")
    assert member is not None and member.tz == "Europe/London"
    assert len(bench.slack.sent("users.info")) == 2
    assert len(wins(bench)) == 3


def test_list_shows_every_one_of_ten_long_wins(bench: Running) -> None:
    for i in range(10):
        bench.client.command("/win", f"long win {i} " + "x" * 2900)
    body = bench.client.command("/win", "list").json()

    shown = "".join(b["text"]["text"] for b in body["blocks"][1:])
    assert all(f"long win {i} " in shown for i in range(10))
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"])
