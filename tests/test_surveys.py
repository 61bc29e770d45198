"""Match-quality surveys end to end: pulses at 30 and 90 days, the closing survey when a
pair ends, answering in the form (patient-data guard included), nobody who left is
surveyed, and results only for coordinators, in aggregate, comments only when allowed
and never with a name."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.rules.schedule import PromptPrefs
from bot.rules.surveys import Answer, due_surveys, is_label, summarize
from bot.store.models import Member, Pair, SurveyResponse
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import audit, cli_env, counts, ephemeral_text, import_roster

# Paired Fri Nov 20 2026 15:00 UTC: the 30-day pulse is Sun Dec 20, 14:00 local (Sam in
# Chicago: 20:00 UTC; Ned in Denver: 21:00 UTC).
PULSE_SAM = datetime(2026, 12, 20, 20, 0, tzinfo=UTC)
PULSE_NED = datetime(2026, 12, 20, 21, 0, tzinfo=UTC)


def tick(bench: Running, at: datetime) -> list[tuple[str, str, str]]:
    bench.clock.current = at
    lines = run_pass(bench.deps, scheduler_gateway(bench.deps), at)
    return sorted((line.status, line.user, line.period) for line in lines if line.kind == "survey")


def pair_sam_and_ned(bench: Running) -> None:
    bench.client.command("/program", "pair <@U301|sam> <@U402|ned>", user=COORDINATOR)
    bench.slack.wait_for_response()


def survey_dms(bench: Running, user: str) -> list[dict[str, Any]]:
    return [
        c.args
        for c in bench.slack.sent("chat.postMessage")
        if c.args["channel"] == user and "survey_open" in str(c.args.get("blocks"))
    ]


def open_form(bench: Running, value: str, user: str) -> dict[str, Any]:
    opened = len(bench.slack.sent("views.open"))
    bench.client.click("survey_open", value, user=user, where="message")
    return bench.slack.wait_for("views.open", opened + 1)[-1].args["view"]


def answers(bench: Running) -> list[tuple[str, int, str, bool]]:
    with bench.db.begin() as session:
        return [
            (a.period, a.satisfaction, a.comment, a.anonymous)
            for a in session.scalars(select(SurveyResponse).order_by(SurveyResponse.id))
        ]


# --- the pure rules -------------------------------------------------------------------


def test_pulses_come_30_days_in_then_every_60() -> None:
    prefs = PromptPrefs(tz="UTC")
    start = date(2026, 1, 1)
    at = datetime(2026, 4, 1, 14, 0, tzinfo=UTC)  # day 90
    due = due_surveys(started_on=start, ended_at=None, prefs=prefs, now=at)
    assert [(d.label, d.decision) for d in due] == [("pulse-30", "missed"), ("pulse-90", "send")]
    settled = {"pulse-30", "pulse-90"}
    assert due_surveys(started_on=start, ended_at=None, prefs=prefs, now=at, settled=settled) == []
    assert is_label("pulse-150") and is_label("closing")
    assert not is_label("pulse-31") and not is_label("pulse-") and not is_label("pulse-9999x")


def test_the_closing_survey_waits_for_the_end_and_for_quiet_hours_to_pass() -> None:
    prefs = PromptPrefs(tz="UTC", quiet_start=time(22, 0), quiet_end=time(7, 0))
    start = date(2026, 1, 1)
    # Ended in the morning: at the prompt time (14:00) that day; only the closing survey.
    ended = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    assert due_surveys(started_on=start, ended_at=ended, prefs=prefs, now=ended) == []
    later = datetime(2026, 4, 1, 14, 0, tzinfo=UTC)
    [closing] = due_surveys(started_on=start, ended_at=ended, prefs=prefs, now=later)
    assert (closing.label, closing.due_at, closing.decision) == ("closing", later, "send")
    # Ended late at night: not before quiet hours end, next morning at 07:00.
    night = datetime(2026, 4, 1, 23, 0, tzinfo=UTC)
    assert due_surveys(started_on=start, ended_at=night, prefs=prefs, now=night) == []
    [closing] = due_surveys(
        started_on=start, ended_at=night, prefs=prefs, now=datetime(2026, 4, 2, 7, tzinfo=UTC)
    )
    assert closing.due_at == datetime(2026, 4, 2, 7, 0, tzinfo=UTC)


def test_results_are_suppressed_under_five_people_and_comments_need_consent() -> None:
    few = [Answer(n, "pulse-30", 5, "Great", True) for n in range(4)]
    assert summarize(few).overall.average is None
    assert summarize(few).comments == [] and summarize(few).distribution == {}
    many = [
        *(Answer(n, "pulse-30", 4, "", False) for n in range(5)),
        Answer(5, "pulse-30", 2, "Zed: not shown", False),
        Answer(6, "closing", 5, "Kept me going", True),
        Answer(7, "closing", 5, "Patient MRN 00123456 was a good case", True),
    ]
    results = summarize(many)
    assert results.overall.average == 4.0 and results.overall.people == 8
    assert [(s.title, s.average) for s in results.by_kind] == [
        ("Pulses", 3.7),
        ("Closing surveys", None),  # 2 people
    ]
    # 2 (one answer) and 5 (two) are hidden: neither can be worked out from the total.
    assert results.distribution == {1: 0, 2: None, 3: 0, 4: 5, 5: None}
    assert results.comments == ["Kept me going"]


# --- end to end ----------------------------------------------------------------------


def test_pulse_goes_to_both_once_and_is_answered_in_the_form(program: Running) -> None:
    import_roster(program)
    pair_sam_and_ned(program)
    assert tick(program, PULSE_SAM - timedelta(minutes=1)) == []
    assert tick(program, PULSE_SAM) == [("sent", "U301", "p1:pulse-30")]
    assert tick(program, PULSE_NED) == [("sent", "U402", "p1:pulse-30")]
    assert tick(program, PULSE_NED + timedelta(hours=1)) == []  # exactly once
    [dm] = survey_dms(program, "U402")
    assert dm["text"] == "How is your mentoring with <@U301> going?"

    form = open_form(program, "1:pulse-30", "U402")
    assert form["callback_id"] == "survey_modal" and len(form["title"]["text"]) <= 24
    reply = program.client.submit(form, {"satisfaction": None}, user="U402")
    assert "satisfaction" in reply.json()["errors"]

    # A comment that names a patient: the form warns and nothing is saved yet.
    reply = program.client.submit(
        form,
        {"satisfaction": "4", "comment": "Helped with pt John Smith", "share": True},
        user="U402",
    )
    warned = reply.json()["view"]
    assert "patient information" in str(warned["blocks"]) and answers(program) == []
    # Edited out: saved, the comment shareable as ticked.
    reply = program.client.submit(
        warned, {"satisfaction": "4", "comment": "Very helpful", "share": True}, user="U402"
    )
    assert reply.json()["view"]["callback_id"] == "survey_thanks"
    assert answers(program) == [("pulse-30", 4, "Very helpful", True)]
    # Answering again replaces the answer: still one per person and survey.
    form = open_form(program, "1:pulse-30", "U402")
    assert form["blocks"][1]["element"]["initial_option"]["value"] == "4"
    reply = program.client.submit(
        form, {"satisfaction": "5", "comment": "", "share": False}, user="U402"
    )
    assert "replaced" in str(reply.json()["view"]["blocks"])
    assert answers(program) == [("pulse-30", 5, "", False)]

    # Someone outside the pair, or a survey never sent, cannot be answered.
    program.client.click("survey_open", "1:pulse-30", user="U302", where="message")
    assert "isn't one I sent you" in program.slack.wait_for_response(2)[-1]["text"]
    program.client.click("survey_open", "1:pulse-90", user="U402", where="message")
    assert "isn't one I sent you" in program.slack.wait_for_response(3)[-1]["text"]
    stale = dict(form, private_metadata='{"pair_id": 1, "label": "pulse-90"}')
    reply = program.client.submit(stale, {"satisfaction": "1"}, user="U402")
    assert "isn't about one of your pairs" in reply.json()["errors"]["satisfaction"]

    # The next pulse, 60 days later (Feb 18).
    assert tick(program, datetime(2027, 2, 18, 21, 0, tzinfo=UTC)) == [
        ("sent", "U301", "p1:pulse-90"),
        ("sent", "U402", "p1:pulse-90"),
    ]


def test_a_pulse_found_too_late_is_recorded_missed_not_sent(program: Running) -> None:
    import_roster(program)
    pair_sam_and_ned(program)
    late = PULSE_NED + timedelta(days=4)  # past the three-day grace
    assert tick(program, late) == [
        ("missed", "U301", "p1:pulse-30"),
        ("missed", "U402", "p1:pulse-30"),
    ]
    assert tick(program, late + timedelta(minutes=1)) == []
    assert survey_dms(program, "U301") == []


def test_closing_survey_when_a_pair_ends_but_not_to_someone_who_left(program: Running) -> None:
    import_roster(program)
    pair_sam_and_ned(program)
    program.client.command("/program", "remove <@U402|ned>", user=COORDINATOR)
    program.slack.wait_for_response(2)
    # Same day, at Sam's prompt time: only Sam gets the closing survey.
    assert tick(program, datetime(2026, 11, 20, 20, 0, tzinfo=UTC)) == [
        ("sent", "U301", "p1:closing")
    ]
    assert tick(program, datetime(2026, 11, 21, 20, 0, tzinfo=UTC)) == []
    assert tick(program, PULSE_NED) == []  # and no pulse for an ended pair
    assert survey_dms(program, "U402") == []
    [closing] = survey_dms(program, "U301")
    assert "has ended. How did it go?" in closing["text"]
    form = open_form(program, "1:closing", "U301")
    reply = program.client.submit(form, {"satisfaction": "3"}, user="U301")
    assert reply.json()["view"]["callback_id"] == "survey_thanks"
    assert answers(program) == [("closing", 3, "", False)]


def test_unpairing_sends_both_a_closing_survey_through_benchmate_tick(
    program: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import_roster(program)
    pair_sam_and_ned(program)
    program.client.command("/program", "unpair <@U301|sam> <@U402|ned>", user=COORDINATOR)
    program.slack.wait_for_response(2)
    cli_env(program, monkeypatch)
    assert main(["tick", "--now", "2026-11-20T21:00:00Z", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would send  survey" in out and "p1:closing" in out
    assert main(["tick", "--now", "2026-11-20T21:00:00Z"]) == 0
    sent = [line.split() for line in capsys.readouterr().out.splitlines() if " survey " in line]
    assert sorted(line[2] for line in sent) == ["U301", "U402"]
    assert main(["tick", "--now", "2026-11-20T21:05:00Z"]) == 0
    assert " survey " not in capsys.readouterr().out


def test_only_coordinators_see_results_in_aggregate(program: Running) -> None:
    import_roster(program)
    pair_sam_and_ned(program)
    before = counts(program)
    reply = program.client.command("/program", "surveys", user="U301")
    assert "only for the mentorship program's coordinators" in ephemeral_text(reply)
    assert counts(program) == before
    reply = program.client.command("/program", "surveys", user=COORDINATOR)
    assert "shown once at least 5 people have answered" in str(reply.json())
    assert audit(program)[-1] == (COORDINATOR, "surveys")

    with program.db.begin() as session:
        pair = session.scalars(select(Pair)).one()
        now = program.clock.now()
        for n, score in enumerate([5, 4, 4, 3, 5]):
            person = Member(
                team_id="T0001", slack_user_id=f"U70{n}", name=f"Person {n}", created_at=now
            )
            session.add(person)
            session.flush()
            session.add(
                SurveyResponse(
                    team_id="T0001",
                    pair_id=pair.id,
                    member_id=person.id,
                    period="pulse-30",
                    satisfaction=score,
                    comment=["Loved it", "Private thoughts", "", "", ""][n],
                    anonymous=n == 0,
                    answered_at=now,
                )
            )
    reply = program.client.command("/program", "surveys", user=COORDINATOR)
    text = str(reply.json())
    assert "*All surveys*: 4.2 / 5 (5 answers from 5 people)" in text
    assert "• Loved it" in text and "Person" not in text
    assert "Private thoughts" not in text
    assert "fewer than 5" in text  # the distribution's small counts

    program.client.command("/program", "report", user="U301")  # refused, nothing posted
    program.client.command("/program", "report", user=COORDINATOR)
    [report] = program.slack.wait_for_response(2)[1:]
    assert "*Survey satisfaction (1-5)*: 4.2" in str(report)
