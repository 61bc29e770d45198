"""Meetings end to end: reminders, "Did you meet?", the flag, logging a meeting, `/mentor`,
Not yet, Rescheduled, and leaving, through real HTTP, the Slack-like server and passes
of the scheduler at chosen instants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.rules.meetings import KINDS as MEETING_KINDS
from bot.slack.gateway import SlackGateway, make_client
from bot.store.models import ActionItem, Meeting, Member, Nudge, Pair
from scheduler.base import Sent
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import cli_env, import_roster

# The clock starts Fri Nov 20 2026 15:00 UTC. Sam (U301, Chicago) mentors Ned (U402,
# Denver) every two weeks: the first meeting is due Fri Dec 4, at 14:00 local for each.
DUE_SAM = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
DUE_NED = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def tick(bench: Running, at: datetime) -> list[tuple[str, str, str]]:
    bench.clock.current = at
    lines: list[Sent] = run_pass(bench.deps, scheduler_gateway(bench.deps), at)
    # Weekly win prompts (Fridays) go out too: only meetings matter here.
    return [(line.status, line.kind, line.user) for line in lines if line.kind in MEETING_KINDS]


def dms(bench: Running, user: str) -> list[dict[str, Any]]:
    """Messages to `user`, weekly win prompts left out."""
    return [
        c.args
        for c in bench.slack.sent("chat.postMessage")
        if c.args["channel"] == user and "What went well this week?" not in c.args["text"]
    ]


def paired(bench: Running) -> int:
    bench.client.command("/program", "pair <@U301|sam> <@U402|ned>", user=COORDINATOR)
    bench.slack.wait_for("conversations.open")
    bench.slack.wait_for_response()  # "Paired ..."
    with bench.db.begin() as session:
        return session.scalars(select(Pair.id)).one()


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"]
        for b in message["blocks"]
        for e in b.get("elements", []) + ([b["accessory"]] if "accessory" in b else [])
        if e.get("type") == "button"
    ]


def test_reminders_then_three_followups_then_the_coordinators_are_told(program: Running) -> None:
    paired(program)
    assert tick(program, DUE_SAM - timedelta(minutes=1)) == []
    assert tick(program, DUE_SAM) == [("sent", "meeting_reminder", "U301")]
    [reminder] = dms(program, "U301")
    assert "Time to meet <@U402>" in reminder["blocks"][0]["text"]["text"]
    assert buttons(reminder) == ["meeting_log"]
    assert tick(program, DUE_SAM + timedelta(minutes=1)) == []  # exactly once
    assert tick(program, DUE_NED) == [("sent", "meeting_reminder", "U402")]
    [lighter] = dms(program, "U402")
    assert "your mentor <@U301>" in lighter["text"] and buttons(lighter) == []

    assert tick(program, DUE_SAM + DAY) == [("sent", "meeting_followup", "U301")]
    followup = dms(program, "U301")[-1]
    assert followup["text"] == "Did you meet with <@U402>?"
    assert buttons(followup) == ["meeting_yes", "meeting_snooze", "meeting_reschedule"]
    assert tick(program, DUE_SAM + 2 * DAY) == []
    assert tick(program, DUE_SAM + 3 * DAY) == [("sent", "meeting_followup", "U301")]
    assert tick(program, DUE_SAM + 5 * DAY) == [("sent", "meeting_followup", "U301")]
    # Three unanswered: the coordinators hear of it, and Sam is asked no more.
    assert tick(program, DUE_SAM + 7 * DAY) == [("sent", "meeting_flag", "U301")]
    [flag] = dms(program, COORDINATOR)
    assert "<@U301> and <@U402> haven't said whether they met" in flag["text"]
    for days in (8, 9, 11, 13):
        assert tick(program, DUE_SAM + days * DAY) == []
    assert len(dms(program, "U301")) == 4 and len(dms(program, COORDINATOR)) == 1


def test_yes_logs_the_meeting_and_mentor_shows_next_meeting_and_action_items(
    program: Running,
) -> None:
    pair_id = paired(program)
    tick(program, DUE_SAM + DAY)  # the first "Did you meet?"
    program.client.click("meeting_yes", str(pair_id), user="U301")
    form = program.slack.wait_for("views.open")[-1].args["view"]
    assert form["callback_id"] == "meeting_log_modal"

    # A date in the future is refused on the form, and nothing is saved.
    reply = program.client.submit(form, {"held_on": "2026-12-25"}, user="U301")
    assert reply.json()["response_action"] == "errors" and "held_on" in reply.json()["errors"]
    reply = program.client.submit(
        form,
        {
            "held_on": "2026-12-03",
            "notes": "Talked about the SBB exam",
            "items": "- Read the AABB standards chapter\nShadow a QC review\n\n",
        },
        user="U301",
    )
    body = reply.json()
    assert body["response_action"] == "update"
    assert "Next one due Thursday, Dec 17" in body["view"]["blocks"][0]["text"]["text"]
    with program.db.begin() as session:
        [meeting] = session.scalars(select(Meeting)).all()
        assert (str(meeting.held_on), meeting.notes, meeting.logged_by) == (
            "2026-12-03",
            "Talked about the SBB exam",
            "U301",
        )
        items = [i.text for i in session.scalars(select(ActionItem).order_by(ActionItem.id))]
    assert items == ["Read the AABB standards chapter", "Shadow a QC review"]

    # The mentee sees the pair, the next meeting, the items and the button.
    reply = program.client.command("/mentor", user="U402")
    [block] = reply.json()["blocks"][:1]
    text = block["text"]["text"]
    assert "Your mentor is <@U301>" in text
    assert "*Next meeting:* Thursday, Dec 17" in text
    assert "• Read the AABB standards chapter" in text
    assert block["accessory"]["action_id"] == "meeting_log"
    assert block["accessory"]["value"] == str(pair_id)

    # The old cycle's follow-ups stop; the next cycle reminds on Dec 17.
    assert tick(program, DUE_SAM + 3 * DAY) == []
    assert tick(program, DUE_SAM + 13 * DAY) == [("sent", "meeting_reminder", "U301")]
    assert (
        "Read the AABB standards chapter" in dms(program, "U301")[-1]["blocks"][1]["text"]["text"]
    )

    # Logging the next meeting ticks an item off.
    program.client.click("meeting_log", str(pair_id), user="U402", where="home")
    form = program.slack.wait_for("views.open", 2)[-1].args["view"]
    done = next(b for b in form["blocks"] if b.get("block_id") == "done")
    first = done["element"]["options"][0]["value"]
    program.client.submit(form, {"held_on": "2026-12-17", "done": [first]}, user="U402")
    reply = program.client.command("/mentor", user="U301")
    text = reply.json()["blocks"][0]["text"]["text"]
    assert "AABB" not in text and "• Shadow a QC review" in text


def test_not_yet_asks_again_later_and_rescheduled_moves_the_meeting(program: Running) -> None:
    pair_id = paired(program)
    tick(program, DUE_SAM + DAY)
    program.client.click("meeting_snooze", str(pair_id), user="U301")
    answer = program.slack.wait_for_response(2)[-1]
    assert answer["text"] == "OK, I'll ask again on Tuesday, Dec 08."
    assert tick(program, DUE_SAM + 3 * DAY) == []  # the old round is over
    assert tick(program, DUE_SAM + 4 * DAY) == [("sent", "meeting_followup", "U301")]

    program.client.click("meeting_reschedule", str(pair_id), user="U301")
    form = program.slack.wait_for("views.open")[-1].args["view"]
    assert form["callback_id"] == "meeting_reschedule_modal"
    program.clock.current = DUE_SAM + 4 * DAY
    reply = program.client.submit(form, {"new_date": "2026-12-01"}, user="U301")
    assert reply.json()["errors"] == {"new_date": "Pick today or a later date."}
    reply = program.client.submit(form, {"new_date": "2026-12-10"}, user="U301")
    assert "Moved to Thursday, Dec 10" in reply.json()["view"]["blocks"][0]["text"]["text"]
    assert tick(program, DUE_NED + 6 * DAY) == [
        ("sent", "meeting_reminder", "U301"),
        ("sent", "meeting_reminder", "U402"),
    ]


def test_only_the_pair_can_log_or_move_its_meetings(program: Running) -> None:
    pair_id = paired(program)
    for action in ("meeting_log", "meeting_yes", "meeting_snooze", "meeting_reschedule"):
        program.client.click(action, str(pair_id), user="U302")
    answers = program.slack.wait_for_response(5)[1:]
    assert {a["text"] for a in answers} == {
        "That pairing has ended or isn't yours, so I saved nothing."
    }
    assert program.slack.sent("views.open") == []


def test_quiet_hours_hold_a_reminder(program: Running) -> None:
    paired(program)
    with program.db.begin() as session:
        sam = session.scalars(select(Member).where(Member.slack_user_id == "U301")).one()
        sam.quiet_start, sam.quiet_end = time(9, 0), time(17, 0)  # asleep after nights
    assert tick(program, DUE_SAM) == []
    assert tick(program, DUE_SAM + timedelta(hours=3) - timedelta(minutes=1)) == [
        ("sent", "meeting_reminder", "U402")  # Ned's 14:00 in Denver
    ]
    assert tick(program, DUE_SAM + timedelta(hours=3)) == [("sent", "meeting_reminder", "U301")]


def test_someone_who_leaves_gets_nothing_more_and_open_reminders_are_cancelled(
    program: Running,
) -> None:
    import_roster(program)
    paired(program)
    program.client.command("/program", "remove <@U402|ned>", user=COORDINATOR)
    program.slack.wait_for_response(2)
    with program.db.begin() as session:
        cancelled = session.scalars(select(Nudge).where(Nudge.status == "cancelled")).all()
        assert {(n.kind, n.period) for n in cancelled} >= {
            ("meeting_reminder", "p1:20261204"),
            ("meeting_followup", "p1:20261204:20261205:1"),
        }
    for days in range(0, 9):
        assert tick(program, DUE_SAM + days * DAY) == []
    assert dms(program, "U301")[-1]["text"].startswith("Hi <@U301>, Ned New, your mentee, has left")


def test_tick_now_sends_due_reminders(
    program: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paired(program)
    cli_env(program, monkeypatch)
    assert main(["tick", "--now", "2026-12-04T20:00:00Z", "--dry-run"]) == 0
    assert "would send  meeting_reminder U301" in capsys.readouterr().out
    assert main(["tick", "--now", "2026-12-04T14:00:00-06:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["sent", "meeting_reminder", "U301"]
    assert main(["tick", "--now", "2026-12-04T20:01:00Z"]) == 0
    assert "meeting_reminder" not in capsys.readouterr().out
    assert len(dms(program, "U301")) == 1


def test_meeting_notes_and_action_items_go_through_the_patient_data_guard(
    program: Running,
) -> None:
    pair_id = paired(program)
    program.client.click("meeting_log", str(pair_id), user="U301", where="home")
    form = program.slack.wait_for("views.open")[-1].args["view"]
    values = {
        "held_on": "2026-11-20",
        "notes": "Went over the SBB plan",
        "items": "Review the delta check on MRN 00123456",
    }
    reply = program.client.submit(form, values, user="U301")
    warned = reply.json()["view"]
    assert reply.json()["response_action"] == "update"
    assert "may contain patient information" in str(warned["blocks"])
    assert "medical record number" in str(warned["blocks"])
    with program.db.begin() as session:  # nothing saved yet
        assert session.scalars(select(Meeting)).all() == []
    # What was typed is still there.
    notes = next(b for b in warned["blocks"] if b.get("block_id") == "notes")
    assert notes["element"]["initial_value"] == "Went over the SBB plan"

    # Edited out: saved.
    reply = program.client.submit(
        warned, {**values, "items": "Review the delta check rules"}, user="U301"
    )
    assert "Logged your meeting of Nov 20" in str(reply.json()["view"]["blocks"])
    with program.db.begin() as session:
        assert [i.text for i in session.scalars(select(ActionItem))] == [
            "Review the delta check rules"
        ]

    # A false alarm (a textbook case) is saved once the member ticks that they checked.
    program.client.click("meeting_log", str(pair_id), user="U402", where="home")
    form = program.slack.wait_for("views.open", 2)[-1].args["view"]
    textbook = {"held_on": "2026-11-20", "notes": "Read the textbook case of patient Jones"}
    warned = program.client.submit(form, textbook, user="U402").json()["view"]
    reply = program.client.submit(warned, {**textbook, "phi_ack": True}, user="U402")
    assert "Logged your meeting" in str(reply.json()["view"]["blocks"])
    with program.db.begin() as session:
        assert len(session.scalars(select(Meeting)).all()) == 2


def test_a_flag_answered_after_the_timeout_is_not_told_twice(program: Running) -> None:
    """The coordinators' flag goes through the same look-first sending: Slack posts it
    but answers after the client's timeout; it is found, and nobody is told twice."""
    paired(program)
    for at in (DUE_SAM, DUE_NED, DUE_SAM + DAY, DUE_SAM + 3 * DAY, DUE_SAM + 5 * DAY):
        tick(program, at)
    with program.db.begin() as session:  # no weekly prompts in this pass: the flag only
        for person in session.scalars(select(Member)):
            person.prompts_stopped, person.next_prompt_at = True, None
    program.slack.set_now(DUE_SAM + 7 * DAY)  # Slack's clock with ours (ts vs `oldest`)
    program.slack.answer_late(2.0)
    impatient = SlackGateway(make_client("xoxb-test", program.slack.api_url, retries=0, timeout=1))
    program.clock.current = DUE_SAM + 7 * DAY
    lines = run_pass(program.deps, impatient, DUE_SAM + 7 * DAY)
    assert [(line.status, line.detail) for line in lines if line.kind == "meeting_flag"] == [
        ("sent", "to 1 coordinator(s)")
    ]
    assert tick(program, DUE_SAM + 8 * DAY) == []
    assert len(dms(program, COORDINATOR)) == 1
    assert program.slack.sent("conversations.history")  # found by looking
