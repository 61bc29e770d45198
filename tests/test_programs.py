"""Several programs in one deployment (docs/programs.md): each with its own
coordinators, channel, roster, pairs, settings, digest and report; a person on two
rosters; and a deployment with one program working as it always did."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.store.models import AuditEntry, Pair, Program, ProgramProfile
from bot.usecases.program_report import gather
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import ROSTER, counts, ephemeral_text, import_roster
from tests.test_digest import log_win, posts_to
from tests.test_program_settings import GOOD, tick

NORTH_ROSTER = "\n".join(ROSTER.splitlines()[i] for i in (0, 1, 3)) + "\n"  # Sam and Eve
SAM_AND_NED = "\n".join(ROSTER.splitlines()[i] for i in (0, 1, 4)) + "\n"
MIA = "U302"  # coordinates north-site only


def say(bench: Running, text: str, user: str = COORDINATOR) -> str:
    return ephemeral_text(bench.client.command("/program", text, user=user))


def import_into(bench: Running, name: str, text: str, user: str) -> None:
    opened = len(bench.slack.sent("views.open"))
    bench.client.command("/program", f"{name} import", user=user)
    view = bench.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    updates = len(bench.slack.sent("views.update"))
    bench.client.submit(view, {"csv": text}, user=user)
    done = bench.slack.wait_for("views.update", updates + 1)[-1].args["view"]
    assert "Imported" in json.dumps(done), done


def rosters(bench: Running) -> set[tuple[str, str, str]]:
    with bench.db.begin() as session:
        return {
            (name, p.member.slack_user_id, p.role)
            for p, name in session.execute(
                select(ProgramProfile, Program.name).join(
                    Program, Program.id == ProgramProfile.program_id
                )
            )
        }


def pairs_by_program(bench: Running) -> list[tuple[str, str, str, int]]:
    with bench.db.begin() as session:
        return [
            (name, p.mentor.slack_user_id, p.mentee.slack_user_id, p.cadence_days)
            for p, name in session.execute(
                select(Pair, Program.name)
                .join(Program, Program.id == Pair.program_id)
                .order_by(Pair.id)
            )
        ]


def north_site(bench: Running) -> None:
    """A second program, coordinated by Mia."""
    assert "Created the program `north-site`" in say(bench, "programs add north-site")
    assert "is now a coordinator" in say(bench, f"north-site coordinators add <@{MIA}>")


def test_one_program_works_as_before(program: Running) -> None:
    import_roster(program)  # `/program import`, no name
    assert say(program, "programs") == "Programs: `main`. Act on one with `/program <name> …`."
    assert {name for name, _, _ in rosters(program)} == {"main"}
    assert say(program, "coordinators") == f"Coordinators: <@{COORDINATOR}>."


def test_creating_programs_is_for_coordinators_of_main(program: Running) -> None:
    reply = say(program, "programs add North_Site!")
    assert "lower-case letters, digits and dashes" in reply
    assert "not a `/program` sub-command" in say(program, "programs add report")
    north_site(program)
    assert "already a program" in say(program, "programs add north-site")
    # Mia coordinates north-site, not main: she cannot create programs.
    assert "Only coordinators of the `main` program" in say(program, "programs add x", MIA)
    assert say(program, "programs") == (
        "Programs: `main`, `north-site`. Act on one with `/program <name> …`."
    )


def test_each_program_has_its_own_coordinators_roster_pairs_and_settings(
    both: Running,
) -> None:
    program = both
    north_site(program)
    import_roster(program)  # everyone on main
    # Mia's commands without a name act on her only program, north-site.
    assert "Coordinators of `north-site`" in say(program, "coordinators", MIA)
    import_into(program, "north-site", NORTH_ROSTER, MIA)
    before = counts(program)
    assert "only for the mentorship program's coordinators" in say(
        program, "main coordinators", MIA
    )
    assert "only for the mentorship program's coordinators" in say(program, "main pair", MIA)
    assert counts(program) == before

    # Eve and Sam are on both rosters; Mia and Ned on main only.
    assert rosters(program) == {
        ("main", "U301", "mentor"),
        ("main", "U302", "mentor"),
        ("main", "U401", "mentee"),
        ("main", "U402", "mentee"),
        ("north-site", "U301", "mentor"),
        ("north-site", "U401", "mentee"),
    }

    # North-site meets every 3 weeks by default; main keeps every 2 weeks.
    opened = len(program.slack.sent("views.open"))
    program.client.command("/program", "settings", user=MIA)
    view = program.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    assert view["title"]["text"] == "Settings: north-site"
    assert "review_dates" not in json.dumps(view["blocks"])  # main's dates apply
    answer = program.client.submit(
        view, {k: v for k, v in GOOD.items() if k != "review_dates"}, user=MIA
    )
    assert answer.json()["response_action"] == "update"
    program.client.command("/program", "pair <@U301> <@U401>", user=MIA)
    program.slack.wait_for("chat.postMessage")
    program.client.command("/program", "main pair <@U302> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage", 2)
    assert pairs_by_program(program) == [
        ("north-site", "U301", "U401", 21),
        ("main", "U302", "U402", 14),
    ]

    with program.db.begin() as session:
        programs = {p.name: p.id for p in session.scalars(select(Program))}
        north = gather(session, "T0001", program.clock.now(), programs["north-site"])
        main = gather(session, "T0001", program.clock.now(), programs["main"])
        audited = {(a.action, a.program_id) for a in session.scalars(select(AuditEntry))}
    figures = {f.key: f.value for f in north.figures}
    assert (figures["on_roster"], figures["active_pairs"], figures["pairs_ever"]) == (2, 1, 1)
    figures = {f.key: f.value for f in main.figures}
    assert (figures["on_roster"], figures["active_pairs"], figures["pairs_ever"]) == (4, 1, 1)
    assert ("roster_import", programs["north-site"]) in audited
    assert ("program_settings", programs["north-site"]) in audited
    assert ("roster_import", programs["main"]) in audited


def test_a_form_for_one_program_cannot_be_turned_on_another(program: Running) -> None:
    north_site(program)
    opened = len(program.slack.sent("views.open"))
    program.client.command("/program", "settings", user=MIA)
    view = program.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    with program.db.begin() as session:
        main = session.scalars(select(Program).where(Program.name == "main")).one()
    forged: dict[str, Any] = {**view, "private_metadata": json.dumps({"program": main.id})}
    answer = program.client.submit(forged, GOOD, user=MIA).json()
    assert "Coordinators only" in json.dumps(answer["view"])


def test_each_program_posts_its_own_digest_to_its_own_channel(program: Running) -> None:
    north_site(program)
    import_roster(program)
    import_into(program, "north-site", NORTH_ROSTER, MIA)
    say(program, "channel <#C0MAIN|lab>")
    say(program, "channel <#C0NORTH|north>", MIA)
    log_win(program, "U401", {"text": "Validated the new coag analyzer", "digest": True})
    log_win(program, "U402", {"text": "Cut troponin TAT by 12 min", "digest": True})

    monday = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    with program.db.begin() as session:
        north_id = session.scalars(select(Program.id).where(Program.name == "north-site")).one()
    assert sorted(tick(program, monday)) == [
        ("sent", "C0MAIN", "2026-W47"),
        ("sent", "C0NORTH", f"{north_id}:2026-W47"),
    ]
    assert tick(program, monday) == []  # once each
    [main_post] = posts_to(program, "C0MAIN")
    [north_post] = posts_to(program, "C0NORTH")
    assert "coag analyzer" in json.dumps(main_post) and "troponin" in json.dumps(main_post)
    assert "coag analyzer" in json.dumps(north_post)
    assert "troponin" not in json.dumps(north_post)  # Ned is not on north-site's roster


def test_announcements_matches_and_removals_stay_in_their_program(program: Running) -> None:
    north_site(program)
    import_roster(program)
    import_into(program, "north-site", SAM_AND_NED, MIA)
    say(program, "channel <#C0NORTH|north>", MIA)

    # Mia's announcement reaches north-site's roster (Sam, Ned) and channel only.
    opened = len(program.slack.sent("views.open"))
    program.client.command("/program", "announce", user=MIA)
    form = program.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    assert "<#C0NORTH>" in json.dumps(form)
    values = {"message": "North huddle Friday", "audience": "everyone", "delivery": "both"}
    program.client.submit(form, {**values, "when": "now"}, user=MIA)
    deadline = datetime.now() + timedelta(seconds=5)
    while datetime.now() < deadline and not any(
        "delivery report" in p["text"] for p in posts_to(program, MIA)
    ):
        pass
    [report] = [p["text"] for p in posts_to(program, MIA) if "delivery report" in p["text"]]
    assert "DMs sent: 2 of 2" in report
    assert len(posts_to(program, "C0NORTH")) == 1
    for user, told in (("U301", 1), ("U402", 1), ("U401", 0)):
        got = [p for p in posts_to(program, user) if "North huddle" in json.dumps(p)]
        assert len(got) == told, user

    # A match in north-site proposes from its roster only: Sam for Ned.
    updates = len(program.slack.sent("views.update"))
    program.client.command("/program", "match", user=MIA)
    updated = program.slack.wait_for("views.update", updates + 1)[-1].args["view"]
    assert "Sam Senior" in json.dumps(updated) and "Eve Entry" not in json.dumps(updated)
    program.client.submit(updated, {}, user=MIA)  # approve as proposed
    program.slack.wait_for("conversations.open")
    assert pairs_by_program(program) == [("north-site", "U301", "U402", 14)]

    # Main's coordinators cannot end it from main; Mia cannot end main's pairs.
    responses = len(program.slack.responses)
    program.client.command("/program", "main unpair <@U301> <@U402>", user=COORDINATOR)
    assert "does not mentor" in str(program.slack.wait_for_response(responses + 1)[-1])
    assert pairs_by_program(program) == [("north-site", "U301", "U402", 14)]

    # Taking Ned off north-site's roster keeps him on main's.
    responses = len(program.slack.responses)
    program.client.command("/program", "remove <@U402>", user=MIA)
    assert "Took <@U402> off the roster; 1 pair(s) ended" in str(
        program.slack.wait_for_response(responses + 1)[-1]
    )
    with program.db.begin() as session:
        left = {
            name: p.left_at is not None
            for p, name in session.execute(
                select(ProgramProfile, Program.name)
                .join(Program, Program.id == ProgramProfile.program_id)
                .where(ProgramProfile.member.has(slack_user_id="U402"))
            )
        }
    assert left == {"main": False, "north-site": True}
