"""`/program channel` and `/program announce`, end to end: the form, the audience, the
channel post and DMs exactly once, rate limits, the delivery report, the patient-data
warning, scheduled sending, and refusals for anyone but a coordinator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.store.models import Announcement, Member, Nudge, ProgramPost
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import audit, counts, ephemeral_text, import_roster
from tests.scenario import profile_known

# The roster: U301 mentor (hematology), U302 (mia) mentor (blood bank),
# U401 mentee (hematology), U402 (ned) mentee (blood bank).


def posts_to(bench: Running, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in bench.slack.sent("chat.postMessage") if c.args["channel"] == channel]


def open_form(bench: Running, user: str = COORDINATOR) -> dict[str, Any]:
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/program", "announce", user=user)
    return bench.slack.wait_for("views.open", before + 1)[-1].args["view"]


def report_dm(bench: Running, count: int = 1) -> str:
    deadline = datetime.now() + timedelta(seconds=5)
    while datetime.now() < deadline:
        reports = [p for p in posts_to(bench, COORDINATOR) if "delivery report" in p["text"]]
        if len(reports) >= count:
            return str(reports[count - 1]["text"])
    raise AssertionError("no delivery report")


def test_channel_setting_and_announce_to_mentees_by_dm_and_channel(program: Running) -> None:
    import_roster(program)
    reply = program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    assert "The program channel is now <#C0PROGRAM>" in ephemeral_text(reply)
    assert audit(program)[-1] == (COORDINATOR, "program_channel")

    form = open_form(program)
    assert form["callback_id"] == "program_announce_modal"
    assert "<#C0PROGRAM>" in form["blocks"][-1]["elements"][0]["text"]
    reply = program.client.submit(
        form,
        {
            "message": "Lab week starts Monday: bring a win to share!",
            "audience": "mentees",
            "delivery": "both",
            "when": "now",
        },
        user=COORDINATOR,
    )
    assert "Sending now" in reply.json()["view"]["blocks"][0]["text"]["text"]
    text = report_dm(program)
    assert "Program channel <#C0PROGRAM>: posted" in text
    assert "DMs sent: 2 of 2" in text
    assert len(posts_to(program, "C0PROGRAM")) == 1
    for mentee in ("U401", "U402"):
        [dm] = posts_to(program, mentee)
        assert "Lab week starts Monday" in dm["blocks"][0]["text"]["text"]
    assert posts_to(program, "U301") == posts_to(program, "U302") == []

    # Passes afterwards send nothing again: once per recipient, one channel post.
    lines = run_pass(program.deps, scheduler_gateway(program.deps), program.clock.now())
    assert [line for line in lines if line.kind.startswith("announcement")] == []
    assert len(posts_to(program, "C0PROGRAM")) == 1 and len(posts_to(program, "U401")) == 1
    with program.db.begin() as session:
        [announcement] = session.scalars(select(Announcement)).all()
        assert announcement.done_at is not None
        assert len(session.scalars(select(ProgramPost)).all()) == 1


def test_one_lab_section_by_dm_with_a_failure_and_a_rate_limit_reported(program: Running) -> None:
    import_roster(program)
    # The first DM is rate limited (Retry-After is waited out), then Slack says that
    # person's account is disabled; the other one gets it.
    program.slack.fail("chat.postMessage", status=429, retry_after=1)
    program.slack.fail("chat.postMessage", "user_disabled")
    form = open_form(program)
    program.client.submit(
        form,
        {
            "message": "Blood bank: new antibody panel training on Thursday.",
            "audience": "section:blood_bank",
            "delivery": "dm",
        },
        user=COORDINATOR,
    )
    # Blood bank: Mia (U302) and Ned (U402).
    text = report_dm(program)
    assert "DMs sent: 1 of 2" in text and "Program channel" not in text
    with program.db.begin() as session:
        gone = session.scalars(select(Member).where(Member.is_active.is_(False))).all()
        [missed] = [m.slack_user_id for m in gone]  # marked inactive: never nudged again
    assert f"Not delivered to <@{missed}>: their Slack account is deactivated" in text
    tries = [p for p in program.slack.sent("chat.postMessage") if p.args["channel"] == missed]
    assert len(tries) == 2  # the 429, then the refusal: nothing more


def test_patient_data_never_goes_to_the_channel(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    form = open_form(program)
    values = {
        "message": "Great catch on MRN 00123456 for John Smith yesterday!",
        "audience": "everyone",
        "delivery": "both",
        "phi_ack": True,  # even a forged tick of the box does not open the channel
    }
    reply = program.client.submit(form, values, user=COORDINATOR)
    error = reply.json()["errors"]["message"]
    assert "never posted to a channel" in error
    assert "medical record number" in error
    with program.db.begin() as session:
        assert session.scalars(select(Announcement)).all() == []
    assert posts_to(program, "C0PROGRAM") == []
    # Edited: it goes out.
    values["message"] = "Great catch on a mislabeled specimen yesterday!"
    reply = program.client.submit(form, values, user=COORDINATOR)
    assert "Sending now" in reply.json()["view"]["blocks"][0]["text"]["text"]
    assert "Program channel <#C0PROGRAM>: posted" in report_dm(program)


def test_patient_data_by_dm_only_is_warned_first(program: Running) -> None:
    import_roster(program)
    form = open_form(program)
    values = {
        "message": "Great catch on MRN 00123456 yesterday!",
        "audience": "everyone",
        "delivery": "dm",
    }
    warned = program.client.submit(form, values, user=COORDINATOR).json()
    assert warned["response_action"] == "update"
    assert "may contain patient information" in warned["view"]["blocks"][1]["text"]["text"]
    with program.db.begin() as session:
        assert session.scalars(select(Announcement)).all() == []


def test_channel_delivery_needs_a_channel_and_a_later_time_needs_a_date(program: Running) -> None:
    import_roster(program)
    form = open_form(program)
    reply = program.client.submit(
        form, {"message": "Hi", "audience": "everyone", "delivery": "channel"}, user=COORDINATOR
    )
    assert "no program channel yet" in reply.json()["errors"]["delivery"]
    reply = program.client.submit(
        form,
        {"message": "Hi", "audience": "everyone", "delivery": "dm", "when": "later"},
        user=COORDINATOR,
    )
    assert reply.json()["errors"] == {"day": "Pick both a date and a time, or choose “Now”."}


def test_scheduled_announcement_goes_out_at_its_time_once(program: Running) -> None:
    import_roster(program)
    form = open_form(program)
    profile_known(program, COORDINATOR)  # the form's time is in their own zone
    # The coordinator is in Chicago: Monday Nov 23, 08:00 local is 14:00 UTC.
    reply = program.client.submit(
        form,
        {
            "message": "Mentor lunch today at noon.",
            "audience": "mentors",
            "delivery": "dm",
            "when": "later",
            "day": "2026-11-23",
            "time": "08:00",
        },
        user=COORDINATOR,
    )
    assert "Scheduled for" in reply.json()["view"]["blocks"][0]["text"]["text"]
    at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

    def tick(when: datetime) -> list[tuple[str, str]]:
        program.clock.current = when
        lines = run_pass(program.deps, scheduler_gateway(program.deps), when)
        return [(line.status, line.user) for line in lines if line.kind == "announcement"]

    assert tick(at - timedelta(minutes=1)) == []
    assert sorted(tick(at)) == [("sent", "U301"), ("sent", "U302")]
    assert tick(at + timedelta(minutes=1)) == []
    assert "DMs sent: 2 of 2" in report_dm(program)
    with program.db.begin() as session:
        sent = session.scalars(select(Nudge).where(Nudge.kind == "announcement")).all()
        assert sorted(n.period for n in sent) == ["1", "1"]


def test_only_coordinators_announce_or_set_the_channel(program: Running) -> None:
    import_roster(program)
    form = open_form(program)
    profile_known(program, COORDINATOR)  # opening the form made them a member
    before = counts(program)
    for text in ("announce", "channel <#C0PROGRAM|mentoring>"):
        reply = program.client.command("/program", text, user="U301")
        assert "only for the mentorship program's coordinators" in ephemeral_text(reply)
    # A forged submission of the form is refused too.
    reply = program.client.submit(
        form, {"message": "Hi all", "audience": "everyone", "delivery": "dm"}, user="U301"
    )
    assert reply.json()["view"]["callback_id"] == "program_refused"
    assert counts(program) == before
    with program.db.begin() as session:
        assert session.scalars(select(Announcement)).all() == []
