"""The impact report: small-group suppression, the CLI, and `/program report` with its
chart in the coordinator's DM."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.rules.report import (
    Figure,
    Ratio,
    is_suppressed,
    meetings_due,
    render_json,
    retained,
    shown,
    weekly,
)
from bot.store.models import Meeting, Member, Pair, Win
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import audit, import_roster

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("figure", "suppressed"),
    [
        (Figure("a", "A", 3, 4), True),
        (Figure("a", "A", 2.5, 0), True),
        (Figure("a", "A", 0, 4), True),
        (Figure("a", "A", 12, 5), False),
        (Figure("a", "A", None, 0), False),  # not available yet: "n/a", nothing to hide
        (Figure("a", "A", Ratio(3, 4), 4), True),
        (Figure("a", "A", Ratio(30, 40), 12), False),
    ],
)
def test_figures_about_fewer_than_five_people_are_suppressed(
    figure: Figure, suppressed: bool
) -> None:
    assert is_suppressed(figure) is suppressed
    assert ("suppressed" in shown(figure)) is suppressed


def test_not_yet_available_figures_show_na() -> None:
    assert shown(Figure("satisfaction", "Satisfaction", None, 0)) == "n/a"


def test_ratios_show_part_whole_and_percent_and_hide_like_numbers() -> None:
    assert shown(Figure("meetings", "Meetings", Ratio(30, 40), 12)) == "30 of 40 (75%)"
    assert shown(Figure("meetings", "Meetings", Ratio(0, 0), 12)) == "0 of 0"
    data = json.loads(
        render_json(
            [Figure("m", "M", Ratio(30, 40), 12), Figure("s", "S", Ratio(1, 2), 2)], generated=NOW
        )
    )["figures"]
    assert data["m"]["value"] == {"part": 30, "whole": 40, "percent": 75.0}
    assert data["s"]["value"] is None and data["s"]["suppressed"] is True


def test_meetings_due_one_per_full_cadence() -> None:
    start = date(2026, 1, 1)
    assert meetings_due(start, date(2026, 1, 14), 14) == 0
    assert meetings_due(start, date(2026, 1, 31), 14) == 2
    assert meetings_due(start, date(2025, 12, 1), 14) == 0


def test_retention_counts_only_those_who_joined_long_enough_ago() -> None:
    year = timedelta(days=365)
    members = [
        (NOW - 2 * year, None),  # still here
        (NOW - 2 * year, NOW - 2 * year + timedelta(days=30)),  # left after a month
        (NOW - 2 * year, NOW - year),  # left after a year: kept at 6 months
        (NOW - timedelta(days=10), None),  # too new to count
    ]
    assert retained(members, NOW, timedelta(days=183)) == (2, 3)


def test_weekly_counts_wins_and_people_per_monday_week() -> None:
    today = date(2026, 11, 20)  # a Friday
    weeks = weekly(
        [(date(2026, 11, 16), (1,)), (date(2026, 11, 20), (1, 3)), (date(2026, 11, 9), (2,))],
        weeks=3,
        today=today,
    )
    assert [(w.start, w.count, w.people) for w in weeks] == [
        (date(2026, 11, 2), 0, 0),
        (date(2026, 11, 9), 1, 1),
        (date(2026, 11, 16), 2, 2),
    ]


def add_members_with_wins(bench: Running, count: int) -> None:
    with bench.db.begin() as session:
        for n in range(count):
            member = Member(
                team_id="T0001",
                slack_user_id=f"U6{n:02d}",
                name=f"M{n}",
                created_at=NOW - timedelta(days=400),
            )
            session.add(member)
            session.flush()
            for week in range(3):
                day = NOW - timedelta(weeks=week)
                session.add(
                    Win(
                        team_id="T0001",
                        member_id=member.id,
                        text="a win",
                        source="slash",
                        occurred_on=day.date(),
                        logged_at=day,
                    )
                )


def test_cli_report_in_json_and_markdown(
    program: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", program.db.url)
    add_members_with_wins(program, 6)
    with program.db.begin() as session:
        gone = session.scalars(select(Member).where(Member.slack_user_id == "U600")).one()
        gone.is_active, gone.deactivated_at = False, NOW - timedelta(days=300)

    assert main(["report", "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["members"] == {
        "label": "Members",
        "value": 5,
        "suppressed": False,
        "available": True,
    }
    assert figures["wins_per_member"]["value"] == 3.6  # 18 wins (one member left) / 5
    # Nobody here has been paired: 0 people, nothing to show, nothing to hide.
    assert figures["active_pairs"] == {
        "label": "Active pairs",
        "value": None,
        "suppressed": True,
        "available": True,
    }
    assert figures["meetings"]["suppressed"] is True  # nobody paired
    assert figures["satisfaction"] == {
        "label": "Survey satisfaction (1-5)",
        "value": None,
        "suppressed": False,
        "available": False,  # nobody answered yet
    }
    assert figures["retention_6m_others"]["value"] == pytest.approx(83.3)
    assert figures["retention_6m_participants"]["available"] is False

    assert main(["report"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Mentorship program report")
    assert "- **Meetings held / due**: suppressed (fewer than 5 people)" in markdown


def test_program_report_answers_and_uploads_the_chart(program: Running) -> None:
    add_members_with_wins(program, 6)
    import_roster(program)

    program.client.command("/program", "report", user=COORDINATOR)

    [reply] = program.slack.wait_for_response()
    assert reply["response_type"] == "ephemeral"
    text = str(reply["blocks"])
    assert "*Members*: 10" in text  # six with wins, four from the roster
    assert "*Active pairs*: suppressed (fewer than 5 people)" in text
    assert "*Survey satisfaction (1-5)*: n/a" in text
    [upload] = program.slack.wait_for("files.getUploadURLExternal")
    assert upload.args["filename"].endswith(".png")
    [done] = program.slack.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "D900"
    png = next(iter(program.slack.uploads.values()))
    assert png.startswith(b"\x89PNG")
    assert audit(program)[-1] == (COORDINATOR, "report")


def test_program_report_shows_meetings_held_against_due(program: Running) -> None:
    add_members_with_wins(program, 6)
    with program.db.begin() as session:
        people = list(session.scalars(select(Member).order_by(Member.id)))
        for mentor, mentee in zip(people[0::2], people[1::2], strict=True):
            pair = Pair(
                team_id="T0001",
                mentor_id=mentor.id,
                mentee_id=mentee.id,
                cadence_days=14,
                started_at=NOW - timedelta(days=30),  # two meetings due each
                created_by=COORDINATOR,
            )
            session.add(pair)
            session.flush()
            session.add(
                Meeting(
                    team_id="T0001",
                    pair_id=pair.id,
                    held_on=NOW.date() - timedelta(days=2),
                    logged_by=mentor.slack_user_id,
                    logged_at=NOW,
                )
            )
    program.client.command("/program", "report", user=COORDINATOR)
    [reply] = program.slack.wait_for_response()
    assert "*Meetings held / due*: 3 of 6 (50%)" in str(reply["blocks"])
    [upload] = program.slack.wait_for("files.getUploadURLExternal")
    assert upload.args["filename"].startswith("wins-and-meetings-")
