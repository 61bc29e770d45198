"""Several programs beyond `/program` (docs/programs.md): the CLI's `--program`, a
roster file shared in the app DM by someone coordinating several programs, `/mentor`
and meeting reminders naming the program, and the report's credential figures per
program. Through the real HTTP endpoint and the real `benchmate` process."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.store.models import Member, Pair, Program, ProgramProfile
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import ROSTER, counts, import_roster
from tests.test_cli import run
from tests.test_credentials import add_cycles_and_credits
from tests.test_meetings import DAY, DUE_NED, DUE_SAM
from tests.test_meetings import dms as meeting_dms
from tests.test_meetings import tick as meeting_tick
from tests.test_programs import MIA, NORTH_ROSTER, import_into, north_site, rosters
from tests.test_roster_upload import dms, refuses_a_non_coordinators_file, shared


def cli(bench: Running, tmp_path: Path, *args: str) -> Any:
    """`benchmate …` as its own process, against this app's Slack and database."""
    return run(
        list(args),
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=bench.slack.api_url,
        DATABASE_URL=bench.deps.settings.database_url,
    )


# --- the CLI: --program ----------------------------------------------------------------


def test_cli_import_and_report_act_on_the_program_named(program: Running, tmp_path: Path) -> None:
    csv = tmp_path / "north.csv"
    csv.write_text(NORTH_ROSTER)
    # One program: no --program needed, and the output is what it always was.
    alone = cli(program, tmp_path, "report", "--format", "json")
    assert alone.returncode == 0, alone.stderr
    assert alone.stderr == "" and "program" not in json.loads(alone.stdout)

    north_site(program)
    lookups = len(program.slack.sent("users.info"))
    unknown = cli(program, tmp_path, "roster", "import", str(csv), "--program", "south")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        "benchmate: no program called 'south'; the programs are: main, north-site"
    ]
    assert len(program.slack.sent("users.info")) == lookups  # nobody was looked up
    assert rosters(program) == set()

    into_north = cli(program, tmp_path, "roster", "import", str(csv), "--program", "North-Site")
    assert into_north.returncode == 0, into_north.stderr
    assert into_north.stdout == "imported 2 people into north-site: 2 new, 0 updated\n"
    assert rosters(program) == {("north-site", "U301", "mentor"), ("north-site", "U401", "mentee")}

    # Several programs and no --program: `main`, and the output says so.
    everyone = tmp_path / "everyone.csv"
    everyone.write_text(ROSTER)
    into_main = cli(program, tmp_path, "roster", "import", str(everyone), "--dry-run")
    assert into_main.returncode == 0, into_main.stderr
    assert into_main.stdout == "would import 4 people into main: 4 new, 0 updated\n"
    assert into_main.stderr == (
        "benchmate: 2 programs (main, north-site): importing into `main`; "
        "choose another with --program NAME\n"
    )

    add_people(program, 6)  # six more in the workspace, on no roster
    north = cli(program, tmp_path, "report", "--format", "json", "--program", "north-site")
    assert north.returncode == 0, north.stderr
    data = json.loads(north.stdout)
    assert data["program"] == "north-site"
    assert data["figures"]["members"]["suppressed"] is True  # Sam and Eve only
    main = cli(program, tmp_path, "report")
    assert main.returncode == 0, main.stderr
    assert main.stdout.startswith("# Mentorship program report: main (")
    assert "- **Members**: 8" in main.stdout  # the whole workspace
    assert "this is the report of `main`" in main.stderr
    wrong = cli(program, tmp_path, "report", "--program", "south")
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert "the programs are: main, north-site" in wrong.stderr


def add_people(bench: Running, n: int) -> list[int]:
    """`n` active members nobody put on a roster; their ids."""
    now = bench.clock.now()
    with bench.db.begin() as session:
        people = [
            Member(
                team_id="T0001",
                slack_user_id=f"U8{i:02d}",
                name=f"P{i}",
                created_at=now - timedelta(days=400),
            )
            for i in range(n)
        ]
        session.add_all(people)
        session.flush()
        return [p.id for p in people]


# --- a roster file shared in the app DM ----------------------------------------------


def message_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def choice_buttons(bench: Running, user: str = COORDINATOR) -> dict[str, dict[str, Any]]:
    """The "which program?" buttons in the user's DM, by label."""
    bench.slack.wait_for("chat.postMessage")
    [message] = bench.slack.posted("D" + user[1:])
    return {
        element["text"]["text"]: element
        for block in message_blocks(message)
        if block["type"] == "actions"
        for element in block["elements"]
    }


def wait_for_dms(bench: Running, count: int, user: str = COORDINATOR) -> list[str]:
    import time

    deadline = time.monotonic() + 10
    while len(dms(bench, user)) < count:
        assert time.monotonic() < deadline, dms(bench, user)
        time.sleep(0.02)
    return dms(bench, user)


def test_a_coordinator_of_one_program_imports_into_it(program: Running) -> None:
    north_site(program)
    file = program.slack.add_file("north.csv", NORTH_ROSTER, user=MIA)

    shared(program, file, user=MIA)

    done = wait_for_dms(program, 2, MIA)[-1]
    assert done == ":white_check_mark: *north.csv*: imported 2 people: 2 new, 0 updated."
    assert rosters(program) == {("north-site", "U301", "mentor"), ("north-site", "U401", "mentee")}


def test_a_coordinator_of_several_programs_chooses_one(both: Running) -> None:
    program = both
    north_site(program)
    file = program.slack.add_file("north.csv", NORTH_ROSTER, user=COORDINATOR)

    shared(program, file)

    buttons = choice_buttons(program)
    assert list(buttons) == ["main", "north-site"]
    assert "Which program's roster is *north.csv*?" in dms(program)[0]
    assert program.slack.sent("download") == []  # nothing fetched before the choice
    with program.db.begin() as session:
        main_id = session.scalars(select(Program.id).where(Program.name == "main")).one()

    # Mia coordinates north-site only: a forged click for main is refused.
    forged = json.dumps({"file": file["id"], "program": main_id})
    program.client.click(buttons["main"]["action_id"], forged, user=MIA)
    assert "only for the mentorship program's coordinators" in str(
        program.slack.wait_for_response()[-1]
    )
    # Nor can she import a file she did not share into her own program.
    mine = buttons["north-site"]
    program.client.click(mine["action_id"], mine["value"], user=MIA)
    assert wait_for_dms(program, 1, MIA) == [
        ":warning: Nothing imported: that is not a file you shared."
    ]
    assert counts(program)["program_profiles"] == 0

    responses = len(program.slack.responses)
    program.client.click(mine["action_id"], mine["value"], user=COORDINATOR)
    [replaced] = program.slack.wait_for_response(responses + 1)[responses:]
    assert replaced["replace_original"] is True
    assert replaced["text"] == ":inbox_tray: Importing into `north-site`…"
    done = wait_for_dms(program, 3)[-1]
    assert done == ":white_check_mark: *north.csv*: imported 2 people: 2 new, 0 updated."
    assert rosters(program) == {("north-site", "U301", "mentor"), ("north-site", "U401", "mentee")}


def test_a_chosen_program_still_imports_all_or_nothing(program: Running) -> None:
    north_site(program)
    bad = NORTH_ROSTER + "U302,boss,senior,,,,,,,\n"
    file = program.slack.add_file("north.csv", bad, user=COORDINATOR)
    shared(program, file)
    north = choice_buttons(program)["north-site"]

    program.client.click(north["action_id"], north["value"], user=COORDINATOR)

    done = wait_for_dms(program, 3)[-1]
    assert "nothing imported" in done
    assert "line 4: role 'boss' is not one of mentor, mentee, both" in done
    assert counts(program)["program_profiles"] == 0


def test_with_several_programs_a_spreadsheet_is_refused_before_any_choice(
    program: Running,
) -> None:
    north_site(program)
    file = program.slack.add_file(
        "roster.xlsx", ROSTER, filetype="xlsx", mimetype="application/vnd.ms-excel"
    )
    shared(program, file)
    program.slack.wait_for("chat.postMessage")
    [answer] = dms(program)
    assert "not a CSV file" in answer and "Nothing imported" in answer


def test_a_non_coordinator_is_still_refused_with_several_programs(program: Running) -> None:
    north_site(program)
    refuses_a_non_coordinators_file(program)


# --- the report's credential figures -----------------------------------------------------


def put_on_roster(bench: Running, program_name: str, slack_ids: list[str]) -> None:
    now = bench.clock.now()
    with bench.db.begin() as session:
        program_id = session.scalars(select(Program.id).where(Program.name == program_name)).one()
        for member in session.scalars(select(Member).where(Member.slack_user_id.in_(slack_ids))):
            session.add(
                ProgramProfile(
                    team_id="T0001",
                    program_id=program_id,
                    member_id=member.id,
                    role="mentee",
                    joined_at=now,
                    updated_at=now,
                )
            )


def report_text(bench: Running, text: str, user: str) -> str:
    responses = len(bench.slack.responses)
    uploads = len(bench.slack.sent("files.completeUploadExternal"))
    bench.client.command("/program", text, user=user)
    reply = bench.slack.wait_for_response(responses + 1)[-1]
    bench.slack.wait_for("files.completeUploadExternal", uploads + 1)  # the chart
    return str(reply["blocks"])


def test_credential_figures_are_the_programs_own(both: Running) -> None:
    program = both
    north_site(program)
    # Six in the workspace keep an MLS: U700 lapsed, U701-U705 maintained; each earned
    # 2 points this month, U700 and U701 one point last month.
    add_cycles_and_credits(program, 6)
    put_on_roster(program, "north-site", ["U701", "U702", "U703", "U704"])

    four = report_text(program, "report", MIA)
    assert "Credential cycles maintained on time / ended*: suppressed" in four
    assert "CE points earned in November 2026*: suppressed" in four

    put_on_roster(program, "north-site", ["U705"])
    north = report_text(program, "report", MIA)
    assert "Credential cycles maintained on time / ended*: 5 of 5 (100%)" in north
    assert "Credential cycles lapsed (ended with points owed)*: 0" in north
    assert "CE points earned in November 2026*: 10.0" in north
    assert "CE points earned in October 2026*: suppressed" in north  # U701 alone

    # `main` reports on the whole workspace, as before several programs.
    main = report_text(program, "main report", COORDINATOR)
    assert "Credential cycles maintained on time / ended*: 5 of 6 (83%)" in main
    assert "CE points earned in November 2026*: 12.0" in main


# --- /mentor and meeting reminders name the program ------------------------------------


def two_programs_with_sam_in_both(bench: Running) -> None:
    """Sam mentors Eve in north-site (Mia's) and Ned in main (Cora's)."""
    north_site(bench)
    import_roster(bench)
    import_into(bench, "north-site", NORTH_ROSTER, MIA)
    bench.client.command("/program", "pair <@U301> <@U401>", user=MIA)
    bench.slack.wait_for("conversations.open")
    bench.client.command("/program", "main pair <@U301> <@U402>", user=COORDINATOR)
    bench.slack.wait_for("conversations.open", 2)


def mentor_view(bench: Running, user: str) -> list[str]:
    reply = bench.client.command("/mentor", "", user=user).json()
    return [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]


def test_mentor_and_meeting_reminders_say_which_program(both: Running) -> None:
    program = both
    two_programs_with_sam_in_both(program)

    sams = mentor_view(program, "U301")
    assert [line.split(",")[0] for line in sams] == [
        "*north-site* · You mentor <@U401>",
        "*main* · You mentor <@U402>",
    ]
    assert mentor_view(program, "U401")[0].startswith("*north-site* · Your mentor is <@U301>")

    # The "Log a meeting" form from /mentor names the program too.
    with program.db.begin() as session:
        north_pair = session.scalars(
            select(Pair.id)
            .join(Program, Program.id == Pair.program_id)
            .where(Program.name == "north-site")
        ).one()
    opened = len(program.slack.sent("views.open"))
    program.client.click("meeting_log", str(north_pair), user="U301")
    form = program.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    assert form["blocks"][0]["text"]["text"] == "Your meeting with <@U401> (north-site)."

    # Sam and Eve (Chicago) are reminded at 14:00 there; Ned (Denver) an hour later.
    assert sorted(meeting_tick(program, DUE_SAM)) == [
        ("sent", "meeting_reminder", "U301"),
        ("sent", "meeting_reminder", "U301"),
        ("sent", "meeting_reminder", "U401"),
    ]
    texts = sorted(m["text"] for m in meeting_dms(program, "U301"))
    assert texts == [
        "Your mentoring meeting with <@U401> (north-site) is due (Fri Dec 04).",
        "Your mentoring meeting with <@U402> (main) is due (Fri Dec 04).",
    ]
    reminders = [m for m in meeting_dms(program, "U301") if "(north-site)" in m["text"]]
    assert "*Time to meet <@U401> (north-site).*" in json.dumps(reminders[0]["blocks"])
    eves = [m["text"] for m in meeting_dms(program, "U401")]
    assert eves == ["A meeting with your mentor <@U301> (north-site) is due (Fri Dec 04)."]
    meeting_tick(program, DUE_NED)
    neds = [m["text"] for m in meeting_dms(program, "U402")]
    assert neds == ["A meeting with your mentor <@U301> (main) is due (Fri Dec 04)."]

    assert meeting_tick(program, DUE_SAM + DAY)  # the follow-ups
    followups = sorted(m["text"] for m in meeting_dms(program, "U301")[2:])
    assert followups == [
        "Did you meet with <@U401> (north-site)?",
        "Did you meet with <@U402> (main)?",
    ]
    # Unanswered: each program's coordinators hear which program's pair it is.
    for days in (3, 5, 7):
        meeting_tick(program, DUE_SAM + days * DAY)

    def flags(user: str) -> list[str]:
        return sorted(m["text"] for m in meeting_dms(program, user) if "haven't said" in m["text"])

    assert [f.split(" haven't")[0] for f in flags(COORDINATOR)] == [
        ":triangular_flag_on_post: <@U301> and <@U401> (north-site)",
        ":triangular_flag_on_post: <@U301> and <@U402> (main)",
    ]
    assert [f.split(" haven't")[0] for f in flags(MIA)] == [
        ":triangular_flag_on_post: <@U301> and <@U401> (north-site)"
    ]


def test_two_quick_clicks_import_the_file_once(program: Running) -> None:
    """Both clicks arrive before the buttons are replaced: the second is told the file
    is on its way, and nothing is imported twice."""
    north_site(program)
    file = program.slack.add_file("north.csv", NORTH_ROSTER, user=COORDINATOR)
    shared(program, file)
    north = choice_buttons(program)["north-site"]
    main = choice_buttons(program)["main"]

    program.client.click(north["action_id"], north["value"], user=COORDINATOR)
    program.client.click(main["action_id"], main["value"], user=COORDINATOR)

    answers = [str(r) for r in program.slack.wait_for_response(2)]
    assert len([a for a in answers if "being imported already" in a]) == 1
    assert wait_for_dms(program, 3)[-1].endswith("imported 2 people: 2 new, 0 updated.")
    assert len(program.slack.sent("files.info")) == 1  # the second click fetched nothing
    assert len([d for d in dms(program) if "imported 2 people" in d]) == 1
    assert rosters(program) == {("north-site", "U301", "mentor"), ("north-site", "U401", "mentee")}


def test_a_forged_button_value_gets_an_answer(program: Running) -> None:
    north_site(program)
    file = program.slack.add_file("north.csv", NORTH_ROSTER, user=COORDINATOR)
    shared(program, file)
    north = choice_buttons(program)["north-site"]
    for forged in ("[" * 5000, '{"file": "F1", "program": "x"}', "not json"):
        before = len(program.slack.responses)
        reply = program.client.click(north["action_id"], forged, user=COORDINATOR)
        assert reply.status == 200
        answer = program.slack.wait_for_response(before + 1)[-1]
        assert "That button no longer works" in str(answer)
    assert counts(program)["program_profiles"] == 0
