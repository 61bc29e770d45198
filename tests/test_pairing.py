"""Pairs by hand and from `/program match`, their introductions, `/mentor`, and what
happens when someone leaves."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.common import modal, section
from bot.cli import main
from bot.slack.gateway import SlackGateway, make_client
from bot.store.models import Goal, Member, Pair
from bot.usecases.pairs import member_left
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import audit, cli_env, ephemeral_text, import_roster, pairs


def member(bench: Running, user_id: str) -> Member:
    with bench.db.begin() as session:
        return session.scalars(select(Member).where(Member.slack_user_id == user_id)).one()


def eventually(check: Any, timeout: float = 5.0) -> Any:
    """Lazy listeners finish after the ack: poll until `check()` is truthy."""
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return result


def dms_to(bench: Running, user_id: str) -> list[str]:
    return [
        c.args["text"] for c in bench.slack.sent("chat.postMessage") if c.args["channel"] == user_id
    ]


def test_pair_by_hand_introduces_them_in_a_group_dm(program: Running) -> None:
    import_roster(program)
    with program.db.begin() as session:
        eve = session.scalars(select(Member).where(Member.slack_user_id == "U401")).one()
        session.add_all(
            [
                Goal(
                    team_id="T0001",
                    member_id=eve.id,
                    title="Pass the SH exam",
                    shared_with_mentor=True,
                    created_at=program.clock.now(),
                ),
                Goal(
                    team_id="T0001",
                    member_id=eve.id,
                    title="My private goal",
                    created_at=program.clock.now(),
                ),
                # Saved before the guard knew names: it never reaches the group DM.
                Goal(
                    team_id="T0001",
                    member_id=eve.id,
                    title="Get every redraw for Harold Jenkins right the first time",
                    shared_with_mentor=True,
                    created_at=program.clock.now(),
                ),
            ]
        )

    program.client.command(
        "/program", "pair <@U302|mia> <@U401|eve> every 3 weeks", user=COORDINATOR
    )

    [reply] = program.slack.wait_for_response()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(":handshake: Paired <@U302> (mentor) with <@U401> (mentee)")
    opened = program.slack.wait_for("conversations.open")[0]
    assert opened.args["users"] == "U302,U401"
    [intro] = program.slack.wait_for("chat.postMessage")
    assert intro.args["channel"].startswith("G")
    text = str(intro.args["blocks"])
    assert "every 3 weeks" in text
    assert "Pass the SH exam" in text
    assert "My private goal" not in text  # only goals shared with a mentor
    assert "Harold Jenkins" not in text  # never one the patient-data guard flags

    def introduced() -> Pair | None:
        with program.db.begin() as session:
            pair = session.scalars(select(Pair)).one()
            return pair if pair.channel_id else None

    pair = eventually(introduced)
    assert (pair.cadence_days, pair.channel_id, pair.started_at, pair.ended_at) == (
        21,
        intro.args["channel"],
        program.clock.now(),
        None,
    )
    assert audit(program)[-1] == (COORDINATOR, "pair")

    # Twice is refused; the hand-made pair's bent rules are pointed out.
    program.client.command("/program", "pair <@U302> <@U401>", user=COORDINATOR)
    assert program.slack.wait_for_response(2)[1]["text"] == "<@U302> already mentors <@U401>."
    program.client.command("/program", "pair <@U301> <@U401>", user=COORDINATOR)
    notes = program.slack.wait_for_response(3)[2]["text"]
    assert "Note: <@U301> is <@U401>'s supervisor" in notes


def test_unpair_ends_the_pair_and_tells_both(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    program.clock.advance(days=30)

    program.client.command("/program", "unpair <@U301|sam> <@U402|ned>", user=COORDINATOR)

    reply = program.slack.wait_for_response(2)[1]
    assert reply["text"] == "Unpaired <@U301> and <@U402>; I let them both know."
    assert pairs(program) == [("U301", "U402", "unpaired")]
    assert dms_to(program, "U301") and dms_to(program, "U402")
    assert audit(program)[-2:] == [(COORDINATOR, "pair"), (COORDINATOR, "unpair")]

    program.client.command("/program", "unpair <@U301> <@U402>", user=COORDINATOR)
    assert "does not mentor" in program.slack.wait_for_response(3)[2]["text"]


def match_view(program: Running) -> dict[str, Any]:
    """Run `/program match`; the proposals modal it fills in (with its id)."""
    opened, updated = len(program.slack.sent("views.open")), len(program.slack.sent("views.update"))
    program.client.command("/program", "match", user=COORDINATOR)
    loading = program.slack.wait_for("views.open", opened + 1)[-1]
    assert "Finding matches" in str(loading.args["view"])
    update = program.slack.wait_for("views.update", updated + 1)[-1].args
    return {**update["view"], "id": update["view_id"]}


def submit_match(program: Running, keep: list[str] | None) -> dict[str, Any]:
    view = match_view(program)
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("pick_"):
            options = block["element"]["options"]
            values[block["block_id"]] = [
                o["value"]
                for o in options
                if keep is None or any(k in o["text"]["text"] for k in keep)
            ]
    return program.client.submit(view, values, user=COORDINATOR).json()


def test_match_proposes_the_best_set_and_approves_all(program: Running) -> None:
    import_roster(program)

    view = match_view(program)
    assert view["callback_id"] == "program_match_modal"
    listing = view["blocks"][2]["text"]["text"]
    # Eve's supervisor is Sam, so she goes to Mia, and Ned to Sam: both mentees paired.
    assert "*Mia Mid → Eve Entry* · score" in listing
    assert "*Sam Senior → Ned New* · score" in listing
    assert "Mid-career mentor for entry mentee" in listing

    done = program.client.submit(view, {"pick_0": True}, user=COORDINATOR).json()

    assert "Approved 2 pair(s)" in done["view"]["blocks"][0]["text"]["text"]
    assert sorted(pairs(program)) == [("U301", "U402", None), ("U302", "U401", None)]
    intros = program.slack.wait_for("chat.postMessage", 2)
    assert {c.args["channel"][0] for c in intros} == {"G"}
    assert audit(program) == [
        (COORDINATOR, "roster_import"),
        (COORDINATOR, "match_propose"),
        (COORDINATOR, "pair"),
        (COORDINATOR, "pair"),
        (COORDINATOR, "match_approve"),
    ]


def test_match_approves_only_the_ticked_pairs_and_never_repeats(program: Running) -> None:
    import_roster(program)

    done = submit_match(program, keep=["Eve"])

    assert "Approved 1 pair(s)" in done["view"]["blocks"][0]["text"]["text"]
    assert "1 left out" in done["view"]["blocks"][0]["text"]["text"]
    assert pairs(program) == [("U302", "U401", None)]

    # Mia (capacity 1) is full now; Ned's only other choice is Sam.
    program.client.command("/program", "unpair <@U302> <@U401>", user=COORDINATOR)
    program.slack.wait_for_response()
    listing = str(match_view(program))
    assert "Mia Mid → Eve Entry" not in listing  # a past pair is never proposed again


def test_a_match_too_big_for_one_modal_lists_what_fits_and_approves_the_rest(
    program: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_env(program, monkeypatch)
    rows = ["user,role,career level,lab section,mentor capacity"]
    for n in range(90):
        program.slack.add_user(f"U5{n:04d}", f"Mentor {n}")
        rows.append(f"U5{n:04d},mentor,senior,hematology,5")
    for n in range(450):
        program.slack.add_user(f"U6{n:04d}", f"Mentee {n}")
        rows.append(f"U6{n:04d},mentee,entry,hematology,")
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(rows) + "\n")
    assert main(["roster", "import", str(roster)]) == 0

    view = match_view(program)

    assert len(view["blocks"]) <= 100
    picks = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("pick_")]
    assert picks[-1] == "pick_rest"
    listed = sum(len(b["element"]["options"]) for b in view["blocks"][:-1] if "element" in b)
    rest = view["blocks"][-1]["element"]["options"][0]["text"]["text"]
    assert rest == f"Also approve the {450 - listed} pairs not listed"
    done = program.client.submit(view, dict.fromkeys(picks, True), user=COORDINATOR).json()
    assert "Approved 450 pair(s)" in done["view"]["blocks"][0]["text"]["text"]
    assert len(pairs(program)) == 450
    program.slack.wait_for("chat.postMessage", 450, timeout=60)  # every pair introduced


def test_a_view_over_slacks_limit_is_refused_not_cut() -> None:
    with pytest.raises(ValueError, match="101 blocks"):
        modal("too_big", "Too big", [section("x")] * 101)
    assert len(modal("fits", "Fits", [section("x")] * 100)["blocks"]) == 100


def test_match_with_nobody_to_pair_says_so(program: Running) -> None:
    view = match_view(program)
    assert "Every mentee on the roster has a mentor" in str(view)
    assert "submit" not in view


def test_mentor_shows_my_pairs(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")

    mine = program.client.command("/mentor", "", user="U301").json()
    assert "You mentor <@U402>, since Nov 20, 2026. You meet every 2 weeks." in str(mine)
    theirs = program.client.command("/mentor", "", user="U402").json()
    assert "Your mentor is <@U301>" in str(theirs)
    nobody = program.client.command("/mentor", "", user="U100").json()
    assert "Fill in `/mentor profile`" in str(nobody)
    assert "/mentor profile" in ephemeral_text(program.client.command("/mentor", "help"))


def log_win(bench: Running, user: str, values: dict[str, Any]) -> None:
    """Through the /win form; patient data is saved anyway (privately) when asked."""
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/win", "", user=user)
    view = bench.slack.wait_for("views.open", before + 1)[-1].args["view"]
    answer = bench.client.submit(view, values, user=user).json()
    if "phi_ack" in str(answer):
        answer = bench.client.submit(answer["view"], {**values, "phi_ack": True}, user=user).json()
    assert answer["response_action"] == "update", answer


def set_goal(bench: Running, user: str, title: str, *, share: bool) -> None:
    """Through the /goal form."""
    before = len(bench.slack.sent("views.open"))
    bench.client.command("/goal", "", user=user)
    view = bench.slack.wait_for("views.open", before + 1)[-1].args["view"]
    values: dict[str, Any] = {"title": title, "share": True} if share else {"title": title}
    assert bench.client.submit(view, values, user=user).status == 200


def test_a_mentor_sees_only_what_their_mentee_shared_with_them(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    # Ned (mentee): six shared wins, one unshared, one shared but with patient data.
    for day in range(1, 7):
        log_win(
            program,
            "U402",
            {"text": f"Shared win {day}", "occurred_on": f"2026-11-0{day}", "share": True},
        )
    log_win(program, "U402", {"text": "My unshared win", "occurred_on": "2026-11-10"})
    log_win(
        program,
        "U402",
        {"text": "Helped John Smith, MRN 00123456", "occurred_on": "2026-11-11", "share": True},
    )
    program.client.command("/win", "Quick win, private by default", user="U402")
    set_goal(program, "U402", "Pass the SBB exam", share=True)
    set_goal(program, "U402", "My unshared goal", share=False)
    # Sam (mentor) shares a win with his own mentor: never shown to his mentee.
    log_win(program, "U301", {"text": "Sam's shared win", "share": True})

    sam = str(program.client.command("/mentor", "", user="U301").json())
    assert "Latest wins <@U402> shared with you" in sam
    assert [f"Shared win {d}" in sam for d in range(1, 7)] == [False] + [True] * 5
    assert "Goals <@U402> shared with you" in sam and "Pass the SBB exam" in sam
    for hidden in ("My unshared", "John Smith", "MRN", "Quick win", "Sam's shared win"):
        assert hidden not in sam

    ned = str(program.client.command("/mentor", "", user="U402").json())
    assert "Your mentor is <@U301>" in ned
    assert "Sam's shared win" not in ned and "shared with you" not in ned
    mia = str(program.client.command("/mentor", "", user="U302").json())  # not Ned's mentor
    assert "Shared win" not in mia and "SBB" not in mia


def test_a_deactivated_member_leaves_kindly_once(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    program.clock.advance(days=40)
    sam = dict(program.slack.users["U301"], deleted=True, team_id="T0001")
    event = {"type": "user_change", "user": sam, "event_ts": "1700000000.000200"}

    assert program.client.event(event, event_id="Ev1").status == 200
    messages = program.slack.wait_for("chat.postMessage", 3)
    # Slack retries the same event: nobody is told twice.
    program.client.event(event, event_id="Ev1", headers={"X-Slack-Retry-Num": "1"})
    program.client.command("/win", "something to let the retry settle", user="U200")

    assert pairs(program) == [("U301", "U402", "left")]
    to_ned = dms_to(program, "U402")
    assert len(to_ned) == 1 and "Sam Senior, your mentor, has left" in to_ned[0]
    to_cora = dms_to(program, COORDINATOR)
    assert len(to_cora) == 1 and "1 pair(s) ended" in to_cora[0]
    assert len(program.slack.sent("chat.postMessage")) == len(messages)
    gone = member(program, "U301")
    assert (gone.is_active, gone.deactivated_at) == (False, program.clock.now())


def test_removing_someone_from_the_roster_ends_their_pairs(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U302> <@U401>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")

    program.client.command("/program", "remove <@U401|eve>", user=COORDINATOR)

    reply = program.slack.wait_for_response(2)[1]
    assert reply["text"] == (
        "Took <@U401> off the roster; 1 pair(s) ended and their partners were told."
    )
    assert pairs(program) == [("U302", "U401", "left")]
    assert "Eve Entry, your mentee, has left" in dms_to(program, "U302")[0]
    assert audit(program)[-1] == (COORDINATOR, "roster_remove")
    # Off the roster: never proposed again.
    assert "Eve" not in str(match_view(program))


def test_member_left_is_a_use_case_the_scheduler_can_call(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    gateway = SlackGateway(make_client("xoxb-test-token", program.slack.api_url))
    with program.db.begin() as session:
        ned = session.scalars(select(Member).where(Member.slack_user_id == "U402")).one()
        ned.is_active = False  # as the scheduler does on user_disabled

    left = member_left(
        program.db,
        gateway,
        ned,
        program.clock.now(),
        env_coordinators=program.deps.settings.coordinators,
    )

    assert left.ended == 1
    assert left.told == ["U301", COORDINATOR]
    assert member(program, "U402").deactivated_at == program.clock.now()
    again = member_left(
        program.db,
        gateway,
        ned,
        program.clock.now(),
        env_coordinators=program.deps.settings.coordinators,
    )
    assert (again.ended, again.told) == (0, [])


def test_someone_a_nudge_finds_gone_leaves_the_program_on_the_next_pass(
    program: Running,
) -> None:
    """Deactivation found by a failed DM (not a user_change event) still ends pairs."""
    from scheduler.runner import run_pass, scheduler_gateway

    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    run_pass(program.deps, scheduler_gateway(program.deps), program.clock.now())  # schedules
    program.slack.users["U301"]["deleted"] = True  # Sam's account was deactivated
    program.clock.advance(days=8)  # past his first weekly prompt

    lines = run_pass(program.deps, scheduler_gateway(program.deps), program.clock.now())
    lines += run_pass(program.deps, scheduler_gateway(program.deps), program.clock.now())

    assert member(program, "U301").is_active is False
    assert pairs(program) == [("U301", "U402", "left")]
    assert [str(line).split()[:2] for line in lines if "left" in str(line)] == [["ended", "left"]]
    assert "Sam Senior, your mentor, has left" in dms_to(program, "U402")[-1]
    assert "1 pair(s) ended" in dms_to(program, COORDINATOR)[-1]
