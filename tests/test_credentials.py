"""Credentials through the real app (issue 11): `/mentor credentials` and its forms, CE
credits from wins (one click after `/win`, or the win form's CE part), reminders at 12,
6, 3 and 1 months exactly once, the all-met DM and transcript once, cycle rollover, and
what a mentor sees. The full three-year cycle runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.rules.report import Month, monthly, shown_points
from bot.rules.schedule import local_instant
from bot.store.ledger import LEASE
from bot.store.models import (
    CECredit,
    CredentialCycle,
    Member,
    MemberCredential,
    Nudge,
    Pair,
)
from scheduler.runner import run_pass, scheduler_gateway
from tests import test_crash_once_pg as crash
from tests.conftest import COORDINATOR, Running, run_app
from tests.fakeslack import FakeSlack
from tests.scenario import all_text, block_ids, member, open_modal, stored_wins
from tests.test_home import open_home

MLS_END = "2029-06-30"


@pytest.fixture
def cycle_bench(slack: FakeSlack, any_db_url: str) -> Iterator[Running]:
    yield from run_app(slack, any_db_url)


def actions_of(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> value of every button in these blocks."""
    found: dict[str, str] = {}
    for b in blocks:
        for element in [*b.get("elements", []), b.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("type") == "button":
                found[element["action_id"]] = element.get("value", "")
    return found


def credentials_view(bench: Running, user: str = "U100") -> dict[str, Any]:
    reply = bench.client.command("/mentor", "credentials", user=user)
    assert reply.status == 200
    return reply.json()


def add_credential(
    bench: Running, code: str = "MLS", end: str = MLS_END, user: str = "U100"
) -> dict[str, Any]:
    before = len(bench.slack.sent("views.open"))
    bench.client.click("credential_add", user=user)
    view = open_modal(bench, before + 1)
    assert view["callback_id"] == "credential_modal"
    return bench.client.submit(
        view, {"code": code, "number": "MLS-0042", "cycle_end": end}, user=user
    ).json()


def add_credit(bench: Running, values: dict[str, Any], user: str = "U100") -> dict[str, Any]:
    before = len(bench.slack.sent("views.open"))
    bench.client.click("ce_credit_add", user=user)
    view = open_modal(bench, before + 1)
    assert view["callback_id"] == "ce_credit_modal"
    return bench.client.submit(view, values, user=user).json()


def credits(bench: Running) -> list[CECredit]:
    with bench.db.begin() as session:
        return list(session.scalars(select(CECredit).order_by(CECredit.id)))


def record_offer(reply: dict[str, Any]) -> str:
    return actions_of(reply["blocks"])["ce_credit_from_win"]


# --- /mentor credentials and its forms -------------------------------------------------------


def test_add_a_credential_and_see_points_owed_per_area(bench: Running) -> None:
    empty = credentials_view(bench)
    assert "No credential yet" in all_text(empty)
    assert {"credential_add", "ce_credit_add"} <= set(actions_of(empty["blocks"]))

    answer = add_credential(bench)
    assert answer["response_action"] == "update"
    assert "Medical Laboratory Scientist" in all_text(answer["view"])

    shown = all_text(credentials_view(bench))
    assert "Medical Laboratory Scientist, MLS(ASCP)" in shown and "MLS-0042" in shown
    assert "Cycle Jul 01, 2026 – Jun 30, 2029" in shown
    assert "Earned 0 of 36 points, 36 still owed" in shown
    assert "Blood banking: 0 of 2 (2 owed)" in shown
    # Nov 20, 2026 in Chicago: 953 days to Jun 30, 2029.
    assert "953 days left" in shown


def test_bad_credential_input_is_answered_in_the_form(bench: Running) -> None:
    before = len(bench.slack.sent("views.open"))
    bench.client.click("credential_add")
    view = open_modal(bench, before + 1)
    passed = bench.client.submit(view, {"code": "MLS", "cycle_end": "2025-01-01"}).json()
    assert passed["response_action"] == "errors" and "passed" in passed["errors"]["cycle_end"]
    far = bench.client.submit(view, {"code": "MLS", "cycle_end": "2031-01-01"}).json()
    assert "3 years" in far["errors"]["cycle_end"]
    unknown = bench.client.submit(view, {"code": "NOPE", "cycle_end": MLS_END}).json()
    assert "code" in unknown["errors"]
    with bench.db.begin() as session:
        assert session.scalars(select(MemberCredential)).all() == []


def test_add_credit_form_checks_and_saves(bench: Running) -> None:
    add_credential(bench)
    bad = add_credit(bench, {"title": "Coag webinar", "points": "lots", "areas": ["hematology"]})
    assert bad["response_action"] == "errors" and "points" in bad["errors"]
    phi = add_credit(
        bench,
        {"title": "Case review of John Smith MRN 00123456", "points": "1", "areas": None},
    )
    assert "patient information" in phi["errors"]["title"]
    future = add_credit(bench, {"title": "x", "points": "1", "earned_on": "2027-01-01"})
    assert "future" in future["errors"]["earned_on"]
    assert credits(bench) == []

    ok = add_credit(
        bench,
        {
            "title": "Transfusion reactions <!channel> webinar",
            "points": "1.5",
            "areas": ["blood_bank", "safety"],
            "provider": "ASCLS P.A.C.E.",
        },
    )
    assert ok["response_action"] == "update"
    [credit] = credits(bench)
    assert credit.points == 1.5 and credit.provider == "ASCLS P.A.C.E."
    assert "Earned 1.5 of 36" in all_text(credentials_view(bench))


# --- credits from wins -------------------------------------------------------------------


def test_a_ce_win_offers_one_click_credit_that_counts_once(bench: Running) -> None:
    add_credential(bench)
    reply = bench.client.command(
        "/win", "finished the 2-hour blood bank safety course (P.A.C.E.)"
    ).json()
    assert "That sounds like continuing education: 2 point(s)" in all_text(reply)
    key = record_offer(reply)

    bench.client.click("ce_credit_from_win", key)
    [first] = bench.slack.wait_for_response(1)
    assert (
        "Recorded as a CE credit: 2 point(s), Blood banking, Laboratory or patient safety"
        in (first["text"])
    )
    assert "ce_credit_edit" in actions_of(first["blocks"])
    bench.client.click("ce_credit_from_win", key)  # twice: still one credit
    second = bench.slack.wait_for_response(2)[1]
    assert "already" in second["text"]
    [credit] = credits(bench)
    assert credit.win_id == stored_wins(bench)[0].id and credit.points == 2.0

    shown = all_text(credentials_view(bench))
    assert "Earned 2 of 36" in shown and "Blood banking: 1 of 2 (1 owed)" in shown

    bench.client.click("win_undo", key)  # undoing the win removes its credit
    bench.slack.wait_for_response(3)
    assert credits(bench) == []


def test_ordinary_win_offers_nothing_and_someone_elses_win_is_refused(bench: Running) -> None:
    reply = bench.client.command("/win", "cut TAT for troponin by 12 minutes").json()
    assert "ce_credit_from_win" not in actions_of(reply["blocks"])
    ce = bench.client.command("/win", "attended the AABB webinar, 1 contact hour").json()
    bench.client.click("ce_credit_from_win", record_offer(ce), user="U200")
    [answer] = bench.slack.wait_for_response(1)
    assert "can't find that win" in answer["text"]
    assert credits(bench) == []


def test_win_form_has_an_optional_ce_part(bench: Running) -> None:
    bench.client.command("/win")
    view = open_modal(bench)
    assert block_ids(view)[-3:] == ["ce_points", "ce_areas", "ce_provider"]
    bad = bench.client.submit(view, {"text": "Chem course", "ce_points": "two"}).json()
    assert bad["response_action"] == "errors" and "ce_points" in bad["errors"]
    phi = bench.client.submit(
        view, {"text": "Chem course", "ce_points": "2", "ce_provider": "MRN 00123456"}
    ).json()
    assert "ce_provider" in phi["errors"]
    assert stored_wins(bench) == []

    saved = bench.client.submit(
        view,
        {
            "text": "Completed the lipid chemistry course",
            "ce_points": "2",
            "ce_areas": ["chemistry"],
            "ce_provider": "LabCE",
        },
    ).json()
    assert saved["response_action"] == "update"
    [win] = stored_wins(bench)
    [credit] = credits(bench)
    assert credit.win_id == win.id and credit.provider == "LabCE" and credit.points == 2.0
    assert credit.allocation == '{"chemistry": 2.0}'

    plain = open_modal(bench)  # the same form, no CE part filled: no credit
    bench.client.submit(plain, {"text": "Trained a new tech on the analyzer"})
    assert len(stored_wins(bench)) == 2 and len(credits(bench)) == 1


def test_home_tab_has_a_credentials_part_within_the_block_limit(bench: Running) -> None:
    assert "Credentials" not in all_text(open_home(bench))  # none yet: nothing shown
    add_credential(bench)
    for n in range(60):  # plenty of wins: the Home view stays within 100 blocks
        bench.client.command("/win", f"win number {n} of a busy week")
    home = open_home(bench)
    assert len(home["blocks"]) <= 100
    text = all_text(home)
    assert "*Credentials*" in text and "Medical Laboratory Scientist, MLS(ASCP)" in text
    assert "953 days left, 0 of 36 points" in text
    assert "ce_credit_add" in actions_of(home["blocks"])


# --- the mentor's view ---------------------------------------------------------------


def test_mentor_sees_mentee_credential_status_not_their_wins(program: Running) -> None:
    program.client.command("/mentor", "", user="U301")
    program.client.command("/mentor", "", user="U402")
    add_credential(program, user="U402")
    program.client.command(
        "/win", "finished a private 2-hour hematology course (P.A.C.E.)", user="U402"
    )
    mentor, mentee = member(program, "U301"), member(program, "U402")
    with program.db.begin() as session:
        session.add(
            Pair(
                team_id="T0001",
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                started_at=program.clock.now(),
                created_by=COORDINATOR,
            )
        )
    seen = all_text(program.client.command("/mentor", "", user="U301").json())
    assert "<@U402>'s credentials:* MLS" in seen and "days left" in seen
    assert "behind" in seen or "on track" in seen
    assert "hematology course" not in seen
    mine = all_text(program.client.command("/mentor", "", user="U402").json())
    assert "credentials:*" not in mine  # a mentee does not see their mentor's


# --- a full three-year cycle ---------------------------------------------------------------


def at_prompt_time(day: str) -> datetime:
    """14:00 in Chicago, the member's default prompt time (19:00 or 20:00 UTC)."""
    return local_instant(date.fromisoformat(day), time(14, 0), "America/Chicago")


def tick(bench: Running, when: datetime) -> list[tuple[str, str, str]]:
    bench.clock.current = when
    lines = run_pass(bench.deps, scheduler_gateway(bench.deps), when)
    return [(s.kind, s.period, s.status) for s in lines if s.kind.startswith("credential")]


def reminders(bench: Running) -> list[str]:
    return [
        c.args["text"]
        for c in bench.slack.sent("chat.postMessage")
        if "cycle ends in about" in c.args.get("text", "")
        or "requirements are met" in c.args.get("text", "")
    ]


def test_a_full_three_year_cycle_with_reminders_exactly_once(cycle_bench: Running) -> None:
    bench = cycle_bench
    bench.clock.current = datetime(2026, 7, 2, 15, 0, tzinfo=UTC)
    add_credential(bench)
    with bench.db.begin() as session:
        [credential] = session.scalars(select(MemberCredential)).all()
        cid = credential.id

    # Year one: a course logged with /win and recorded in one click.
    bench.clock.current = datetime(2026, 9, 10, 15, 0, tzinfo=UTC)
    reply = bench.client.command(
        "/win", "finished the 2-hour blood bank safety course (P.A.C.E.)"
    ).json()
    bench.client.click("ce_credit_from_win", record_offer(reply))
    bench.slack.wait_for_response(1)
    # Year two: more credits through the form.
    bench.clock.current = datetime(2027, 5, 3, 15, 0, tzinfo=UTC)
    add_credit(bench, {"title": "Chemistry update", "points": "10", "areas": ["chemistry"]})

    assert tick(bench, at_prompt_time("2028-06-29")) == []  # 12 months and a day before
    assert tick(bench, datetime(2028, 6, 30, 18, 59, tzinfo=UTC)) == []  # before prompt time
    twelve = f"c{cid}:{MLS_END}:12m"
    assert tick(bench, at_prompt_time("2028-06-30")) == [("credential_reminder", twelve, "sent")]
    assert tick(bench, at_prompt_time("2028-07-05")) == []  # once
    [dm] = reminders(bench)
    assert "about 12 months" in dm
    [message] = [c.args for c in bench.slack.sent("chat.postMessage") if c.args.get("text") == dm]
    body = all_text(message)
    assert "12 of 36 points" in body and "1 points in Blood banking" in body
    assert "2 points in Hematology" in body and "Chemistry" not in body.split("Ideas")[0]
    assert "Continuing education: workshops, seminars, conferences" in body

    six = f"c{cid}:{MLS_END}:6m"
    assert tick(bench, at_prompt_time("2028-12-30")) == [("credential_reminder", six, "sent")]
    assert tick(bench, at_prompt_time("2028-12-31")) == []
    three = f"c{cid}:{MLS_END}:3m"
    assert tick(bench, at_prompt_time("2029-03-30")) == [("credential_reminder", three, "sent")]
    assert len(reminders(bench)) == 3

    # Everything earned before the 1-month mark: no 1-month reminder, one "met" DM.
    bench.clock.current = datetime(2029, 4, 10, 15, 0, tzinfo=UTC)
    add_credit(
        bench,
        {
            "title": "Annual competency and CE bundle",
            "points": "24",
            "areas": ["ethics", "blood_bank", "hematology", "microbiology"],
        },
    )
    assert "all met" in all_text(credentials_view(bench))
    met = f"c{cid}:{MLS_END}"
    assert tick(bench, at_prompt_time("2029-04-10")) == [
        ("credential_met", met, "sent"),
        ("credential_transcript", met, "sent"),
    ]
    assert tick(bench, at_prompt_time("2029-05-30")) == []  # no 1-month reminder, no repeat
    assert tick(bench, at_prompt_time("2029-06-30")) == []
    texts = reminders(bench)
    assert len(texts) == 4 and "requirements are met" in texts[-1]
    [upload] = bench.slack.wait_for("files.completeUploadExternal")
    files = {f["id"]: f["title"] for f in upload.args["files"]}
    transcript = {t: bench.slack.uploads[i].decode() for i, t in files.items()}
    assert "Cycle: 2026-07-01 to 2029-06-30" in transcript["CE transcript"]
    assert "Earned: 36 points" in transcript["CE transcript"]
    assert (
        "2026-09-10,finished the 2-hour blood bank safety course (P.A.C.E.)"
        in (transcript["CE credits (CSV)"])
    )

    # The cycle ends: maintained, and the next one starts with nothing earned.
    assert tick(bench, at_prompt_time("2029-07-01")) == [
        ("credential_cycle", f"c{cid}:{MLS_END}", "maintained")
    ]
    assert tick(bench, at_prompt_time("2029-07-02")) == []
    shown = all_text(credentials_view(bench))
    assert "Jul 01, 2029 – Jun 30, 2032" in shown and "Earned 0 of 36" in shown

    # The next cycle: nothing earned, it lapses after its four reminders.
    for day, label in (
        ("2031-06-30", "12m"),
        ("2031-12-30", "6m"),
        ("2032-03-30", "3m"),
        ("2032-05-30", "1m"),
    ):
        period = f"c{cid}:2032-06-30:{label}"
        assert tick(bench, at_prompt_time(day)) == [("credential_reminder", period, "sent")]
    assert tick(bench, at_prompt_time("2032-07-01")) == [
        ("credential_cycle", f"c{cid}:2032-06-30", "lapsed")
    ]
    assert len(reminders(bench)) == 8
    with bench.db.begin() as session:
        outcomes = [
            (c.cycle_end, c.outcome)
            for c in session.scalars(select(CredentialCycle).order_by(CredentialCycle.id))
        ]
    assert outcomes == [(date(2029, 6, 30), "maintained"), (date(2032, 6, 30), "lapsed")]


# --- the impact report -------------------------------------------------------------------


def add_cycles_and_credits(bench: Running, people: int) -> None:
    """`people` members with an MLS each: the first lapsed, the rest maintained; each
    earned 2 points this month, and two of them 1 point last month."""
    now = bench.clock.now()
    with bench.db.begin() as session:
        for n in range(people):
            who = Member(team_id="T0001", slack_user_id=f"U7{n:02d}", name=f"M{n}", created_at=now)
            session.add(who)
            session.flush()
            held = MemberCredential(
                team_id="T0001",
                member_id=who.id,
                code="MLS",
                cycle_end=date(2029, 6, 30),
                created_at=now,
                updated_at=now,
            )
            session.add(held)
            session.flush()
            session.add(
                CredentialCycle(
                    team_id="T0001",
                    credential_id=held.id,
                    member_id=who.id,
                    code="MLS",
                    cycle_end=date(2026, 6, 30),
                    outcome="lapsed" if n == 0 else "maintained",
                    earned=36.0,
                    closed_at=now,
                )
            )
            for day, points in [(date(2026, 11, 2), 2.0)] + (
                [(date(2026, 10, 5), 1.0)] if n < 2 else []
            ):
                session.add(
                    CECredit(
                        team_id="T0001",
                        member_id=who.id,
                        title="course",
                        provider="",
                        earned_on=day,
                        points=points,
                        allocation="{}",
                        created_at=now,
                    )
                )


def test_report_counts_cycles_and_ce_points_with_small_groups_suppressed(
    program: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", program.db.url)
    add_cycles_and_credits(program, 6)
    assert main(["report", "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["credentials_maintained"]["value"] == {
        "part": 5,
        "whole": 6,
        "percent": 83.3,
    }
    assert figures["credentials_lapsed"]["value"] == 1
    assert figures["ce_points_2026_11"]["value"] == 12.0  # six people
    assert figures["ce_points_2026_10"]["suppressed"] is True  # two people

    program.client.command("/program", "report", user=COORDINATOR)
    [reply] = program.slack.wait_for_response()
    text = str(reply["blocks"])
    assert "Credential cycles maintained on time / ended*: 5 of 6 (83%)" in text
    assert "CE points earned in October 2026*: suppressed (fewer than 5 people)" in text
    program.slack.wait_for("files.completeUploadExternal")
    png = next(iter(program.slack.uploads.values()))
    assert png.startswith(b"\x89PNG")


def test_monthly_points_and_chart_suppression() -> None:
    months = monthly(
        [(date(2026, 11, 2), 2.0, 1), (date(2026, 11, 3), 1.5, 2), (date(2025, 1, 1), 9.0, 3)],
        months=3,
        today=date(2026, 11, 20),
    )
    assert [(m.start, m.points, m.people) for m in months] == [
        (date(2026, 9, 1), 0.0, 0),
        (date(2026, 10, 1), 0.0, 0),
        (date(2026, 11, 1), 3.5, 2),
    ]
    assert shown_points(months[-1]) == 0.0  # two people: not drawn
    assert shown_points(Month(date(2026, 11, 1), 10.0, 5)) == 10.0


# --- people's text stays inert -------------------------------------------------------------


def test_markup_in_credential_fields_stays_inert_in_messages_and_transcript(
    bench: Running,
) -> None:
    before = len(bench.slack.sent("views.open"))
    bench.client.click("credential_add")
    view = open_modal(bench, before + 1)
    bench.client.submit(view, {"code": "PBT", "number": "<!channel>", "cycle_end": MLS_END})
    shown = credentials_view(bench)
    assert "<!channel>" not in str(shown) and "&lt;!channel&gt;" in all_text(shown)

    bench.clock.current = datetime(2029, 3, 1, 18, 0, tzinfo=UTC)
    add_credit(
        bench,
        {
            "title": '=HYPERLINK("http://evil.example") <@U200> *bold*',
            "points": "9",
            "areas": ["safety", "ethics", "phlebotomy"],
            "provider": "[click](javascript:alert(1))",
        },
    )
    tick(bench, at_prompt_time("2029-03-01"))
    [upload] = bench.slack.wait_for("files.completeUploadExternal")
    files = {f["title"]: bench.slack.uploads[f["id"]].decode() for f in upload.args["files"]}
    markdown, table = files["CE transcript"], files["CE credits (CSV)"]
    assert "<@U200>" not in markdown and "\\*bold\\*" in markdown
    assert "[click](javascript" not in markdown
    assert ",'=HYPERLINK(" in table.replace('"', "")


def kill_tick_at_transcript(bench: Running, tmp_path: Path, method: str) -> datetime:
    """A credential all met, then a real `benchmate tick` SIGKILLed once Slack received
    its `method` call for the transcript upload (whose answer never comes); the instant
    the tick ran at."""
    add_credential(bench, end="2027-06-30")  # within a pass's horizon
    areas = ["safety", "ethics", "blood_bank", "chemistry", "hematology", "microbiology"]
    add_credit(bench, {"title": "Annual CE bundle", "points": "36", "areas": areas})
    bench.slack.delays[method] = 120.0
    now = at_prompt_time("2026-11-20")
    bench.slack.set_now(now)  # Slack stamps the files at the tick's time, not today's
    victim = crash.tick(bench.db.url, bench.slack, tmp_path, now)
    bench.slack.wait_for(method, 1, timeout=120)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL  # still uploading: killed mid-send
    bench.slack.delays.clear()
    return now


def test_a_transcript_upload_cut_short_by_sigkill_is_not_uploaded_again(
    bench: Running, tmp_path: Path
) -> None:
    """A file carries no metadata, so the transcript's names are unique to its ledger
    row: `benchmate tick` is killed (SIGKILL) once Slack has the upload but before it
    answers; the pass that takes the stale claim over finds the files (files.list) and
    records them instead of uploading a second copy."""
    now = kill_tick_at_transcript(bench, tmp_path, "files.completeUploadExternal")
    with bench.db.begin() as session:
        row = session.scalars(select(Nudge).where(Nudge.kind == "credential_transcript")).one()
        assert row.status == "claimed"  # uploaded, never recorded

    later = now + LEASE + timedelta(minutes=1)  # the killed claim is stale
    bench.slack.set_now(later)
    bench.slack.fail("files.list", status=500)  # the first look fails: no upload
    crash.finish(crash.tick(bench.db.url, bench.slack, tmp_path, later))
    assert len(bench.slack.sent("files.completeUploadExternal")) == 1
    # The next pass looks back to the same instant (before the crash), not from now.
    bench.slack.set_now(later + timedelta(minutes=2))
    crash.finish(crash.tick(bench.db.url, bench.slack, tmp_path, later + timedelta(minutes=2)))

    assert len(bench.slack.sent("files.completeUploadExternal")) == 1  # not uploaded again
    assert bench.slack.sent("files.list")  # it looked
    with bench.db.begin() as session:
        row = session.scalars(select(Nudge).where(Nudge.kind == "credential_transcript")).one()
        assert row.status == "sent"
    assert len([t for t in reminders(bench) if "requirements are met" in t]) == 1


def test_a_transcript_that_never_reached_slack_is_uploaded_by_the_takeover(
    bench: Running, tmp_path: Path
) -> None:
    """The other side of the look: killed before the upload reached Slack, the takeover
    finds nothing and uploads it, once."""
    now = kill_tick_at_transcript(bench, tmp_path, "files.getUploadURLExternal")

    later = now + LEASE + timedelta(minutes=1)  # the killed claim is stale
    bench.slack.set_now(later)
    crash.finish(crash.tick(bench.db.url, bench.slack, tmp_path, later))

    [upload] = bench.slack.sent("files.completeUploadExternal")
    names = {f["name"] for f in bench.slack.shared_files}
    with bench.db.begin() as session:
        cid = session.scalars(select(MemberCredential.id)).one()
    stem = f"ce-transcript-MLS-2027-06-30-c{cid}"
    assert names == {f"{stem}.md", f"{stem}.csv"}
    assert upload.args["channel_id"].startswith("D")
