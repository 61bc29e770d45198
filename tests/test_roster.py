"""Roster import: every bad row reported with its line, all rows or none, from the CLI
and from the /program import modal; members' own profile form."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.rules.catalog import CERTIFICATIONS, vocabulary_key
from bot.rules.roster import parse_roster
from bot.store.models import Member, ProgramProfile
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import ROSTER, audit, counts

HEADER = "user,role,career level,lab section,mentor capacity\n"


def profiles(bench: Running) -> dict[str, ProgramProfile]:
    with bench.db.begin() as session:
        rows = session.execute(
            select(Member.slack_user_id, ProgramProfile).join(
                ProgramProfile, ProgramProfile.member_id == Member.id
            )
        )
        return {user: profile for user, profile in rows}


def test_vocabulary_forgives_case_spacing_and_aliases() -> None:
    assert vocabulary_key(CERTIFICATIONS, " MLS(ASCP) ") == "mls"
    rows, errors = parse_roster(
        "User ID , Role,Career-Level,LAB SECTION,Interests,Shift\n"
        "U301, MENTOR , Mid-career, Point of care ,Soft Skills; quality ,Nights\n"
    )
    assert errors == []
    [row] = rows
    assert (row.role, row.career_level, row.lab_section, row.interests, row.shift) == (
        "mentor",
        "mid",
        "point_of_care",
        ("soft_skills", "quality"),
        "night",
    )
    assert row.capacity == 1  # a mentor's default


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    text = (
        HEADER
        + "U301,mentor,senior,hematology,2\n"
        + "\n"
        + "not-an-id,mentr,junior,chem,x\n"
        + 'U402,mentee,entry,"molecular",3\n'
        + "U301,mentee,entry,,\n"
        + '"U403","mentee","entry","blood bank, extra"\n'
        + "U404,mentee\n"
    )
    rows, errors = parse_roster(text)
    assert [str(e) for e in errors] == [
        "line 4: 'not-an-id' is neither a Slack user id (U…) nor an e-mail",
        "line 4: role 'mentr' is not one of mentor, mentee, both",
        "line 4: career level 'junior' is not one of entry, mid, senior",
        "line 4: lab section 'chem' is not one of chemistry, hematology, microbiology, "
        "blood_bank, molecular, immunology, urinalysis, point_of_care, phlebotomy, lis, "
        "management",
        "line 4: mentor capacity 'x' is not a number from 0 to 20",
        "line 5: a mentee has no mentor capacity: leave it empty or make the role 'both'",
        "line 6: U301 is also on line 2",
        "line 7: lab section 'blood bank, extra' is not one of chemistry, hematology, "
        "microbiology, blood_bank, molecular, immunology, urinalysis, point_of_care, "
        "phlebotomy, lis, management",
        "line 8: no career level (entry, mid or senior)",
    ]
    assert [r.line for r in rows] == [2]


def test_quoted_values_may_hold_commas_and_line_breaks() -> None:
    rows, errors = parse_roster(
        'user,role,career level,certifications\nU301,mentor,senior,"MLS, SBB"\n'
        'U302,mentor,senior,"MLS,\nSH"\nU303,oops,senior,\n'
    )
    assert [r.certifications for r in rows] == [("mls", "sbb"), ("mls", "sh")]
    assert [str(e) for e in errors] == ["line 5: role 'oops' is not one of mentor, mentee, both"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the roster is empty"),
        ("user,role,career level,favourite colour\n", "line 1: unknown column 'favourite colour'"),
        ("user,role\nU301,mentor\n", "line 1: missing column(s): career level"),
        (HEADER, "line 1: the roster has a header but no people"),
    ],
)
def test_a_broken_file_is_explained(text: str, message: str) -> None:
    rows, errors = parse_roster(text)
    assert rows == []
    assert str(errors[0]).startswith(message)


@pytest.fixture
def cli_env(program: Running, monkeypatch: pytest.MonkeyPatch) -> Running:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", program.slack.api_url)
    monkeypatch.setenv("DATABASE_URL", program.db.url)
    monkeypatch.delenv("BENCHMATE_COORDINATORS", raising=False)
    return program


def test_cli_import_resolves_emails_and_imports_everyone(
    cli_env: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)

    assert main(["roster", "import", str(path), "--dry-run"]) == 0
    assert "would import 4 people: 4 new, 0 updated" in capsys.readouterr().out
    assert counts(cli_env)["program_profiles"] == 0

    assert main(["roster", "import", str(path)]) == 0
    assert "imported 4 people: 4 new, 0 updated" in capsys.readouterr().out
    looked_up = {c.args["email"] for c in cli_env.slack.sent("users.lookupByEmail")}
    assert looked_up == {"mia@lab.org", "ned@lab.org"}
    found = profiles(cli_env)
    assert set(found) == {"U301", "U302", "U401", "U402"}
    assert (found["U301"].capacity, found["U301"].certifications) == (2, "mls,sh")
    assert (found["U401"].supervisor_user_id, found["U401"].target_certification) == (
        "U301",
        "sh",
    )
    with cli_env.db.begin() as session:
        mia = session.scalars(select(Member).where(Member.slack_user_id == "U302")).one()
        assert (mia.name, mia.tz, mia.career_level, mia.lab_section) == (
            "Mia Mid",
            "America/New_York",
            "mid",
            "blood_bank",
        )
    assert audit(cli_env) == [("cli", "roster_import")]

    # Again: the same people are updated, not duplicated.
    assert main(["roster", "import", str(path)]) == 0
    assert "4 people: 0 new, 4 updated" in capsys.readouterr().out
    assert counts(cli_env)["program_profiles"] == 4


def test_cli_imports_nothing_when_one_person_is_unknown_to_slack(
    cli_env: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.slack.add_user("U777", "Gone Person", deleted=True)
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER + "nobody@lab.org,mentee,entry,,,,,,,\nU777,mentee,entry,,,,,,,\n")

    assert main(["roster", "import", str(path)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err == [
        "line 6: nobody in this Slack workspace has the e-mail nobody@lab.org",
        "line 7: U777 is deactivated in Slack",
        "nothing imported: 2 problem(s)",
    ]
    assert counts(cli_env)["program_profiles"] == 0
    assert counts(cli_env)["members"] == 0


def test_modal_import_shows_every_problem_and_keeps_the_text(program: Running) -> None:
    program.client.command("/program", "import", user=COORDINATOR)
    view = program.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "program_import_modal"
    bad = ROSTER + "U501,boss,senior,,,,,,,\n"

    reply = program.client.submit(view, {"csv": bad}, user=COORDINATOR)

    again = reply.json()["view"]
    assert "line 6: role 'boss' is not one of mentor, mentee, both" in str(again["blocks"])
    assert again["blocks"][-1]["element"]["initial_value"] == bad
    assert counts(program)["program_profiles"] == 0

    # Fixed and submitted again: everyone is imported.
    program.slack.add_user("U501", "Bo Boss")
    fixed = bad.replace("boss", "mentor")
    program.client.submit(again, {"csv": fixed}, user=COORDINATOR)
    done = program.slack.wait_for("views.update")[0].args["view"]
    assert "Imported 5 people: 5 new, 0 updated." in done["blocks"][0]["text"]["text"]
    assert len(profiles(program)) == 5


def test_modal_import_reports_slack_lookups_that_fail(program: Running) -> None:
    program.client.command("/program", "import", user=COORDINATOR)
    view = program.slack.wait_for("views.open")[0].args["view"]

    program.client.submit(
        view, {"csv": ROSTER.replace("ned@lab.org", "ted@lab.org")}, user=COORDINATOR
    )

    again = program.slack.wait_for("views.update")[0].args["view"]
    assert "line 5: nobody in this Slack workspace has the e-mail ted@lab.org" in str(
        again["blocks"]
    )
    assert counts(program)["program_profiles"] == 0


def test_a_member_fills_in_their_own_profile(program: Running) -> None:
    program.client.command("/mentor", "profile", user="U401")
    view = program.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "mentor_profile_modal"

    reply = program.client.submit(
        view,
        {
            "role": "both",
            "career_level": "mid",
            "lab_section": "microbiology",
            "interests": ["research", "quality"],
            "certifications": ["mls"],
            "target_certification": "sm",
            "shift": "evening",
            "capacity": "3",
            "supervisor": "U301",
        },
        user="U401",
    )
    assert reply.json()["response_action"] == "update"
    mine = profiles(program)["U401"]
    assert (mine.role, mine.capacity, mine.interests, mine.supervisor_user_id) == (
        "both",
        3,
        "quality,research",
        "U301",
    )

    # The form opens again with what they saved.
    program.client.command("/mentor", "profile", user="U401")
    again = program.slack.wait_for("views.open", 2)[1].args["view"]
    role = next(b for b in again["blocks"] if b["block_id"] == "role")
    assert role["element"]["initial_option"]["value"] == "both"


def test_profile_form_errors_are_shown_in_the_field(program: Running) -> None:
    program.client.command("/mentor", "profile", user="U401")
    view = program.slack.wait_for("views.open")[0].args["view"]
    reply = program.client.submit(
        view, {"role": "both", "career_level": "entry", "capacity": "99"}, user="U401"
    )
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"capacity": "Mentor capacity '99' is not a number from 0 to 20."},
    }
    assert counts(program)["program_profiles"] == 0
