"""Coordinators: who they are, adding and removing them, the audit log, and a polite
refusal (with nothing changed) for everyone else on every coordinator action."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.blocks.program import REFUSAL, import_modal, match_modal
from bot.rules.mentions import mentioned_users, without_mentions
from bot.store.models import AuditEntry
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import ROSTER, audit, counts, ephemeral_text, import_roster

SUB_COMMANDS = [
    "",
    "help",
    "coordinators",
    "coordinators add <@U100|ada>",
    f"coordinators remove <@{COORDINATOR}>",
    "import",
    "remove <@U301|sam>",
    "pair <@U301|sam> <@U401|eve>",
    "unpair <@U301> <@U401>",
    "match",
    "report",
    "frobnicate",
]


@pytest.mark.parametrize("text", SUB_COMMANDS)
def test_everyone_else_is_refused_politely_and_nothing_changes(program: Running, text: str) -> None:
    import_roster(program)
    program.client.command("/program", "pair <@U301> <@U402>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    before, calls = counts(program), len(program.slack.calls)

    reply = program.client.command("/program", text, user="U100")

    assert reply.status == 200
    assert ephemeral_text(reply) == REFUSAL
    assert counts(program) == before
    program.client.command("/win", "a win to let lazy work settle", user="U200")
    made = {c.method for c in program.slack.calls[calls:]}
    assert made <= {"users.info"}, made  # no modal, no DM, no upload


@pytest.mark.parametrize("which", ["import", "match"])
def test_a_forged_modal_submission_is_refused_too(program: Running, which: str) -> None:
    import_roster(program)
    before = counts(program)
    view = import_modal() if which == "import" else match_modal("batch", [], 0)
    values = {"csv": ROSTER} if which == "import" else {}

    reply = program.client.submit(view, values, user="U100")

    body = reply.json()
    assert body["response_action"] == "update"
    assert body["view"]["blocks"][0]["text"]["text"] == REFUSAL
    assert counts(program) == before


def test_coordinators_list_add_remove_with_audit(program: Running) -> None:
    listed = ephemeral_text(program.client.command("/program", "coordinators", user=COORDINATOR))
    assert listed == f"Coordinators: <@{COORDINATOR}>."

    added = program.client.command("/program", "coordinators add <@U100|ada>", user=COORDINATOR)
    assert ephemeral_text(added) == "<@U100> is now a coordinator."
    # The new coordinator can act now, e.g. list and add another (escaped without a name).
    again = program.client.command("/program", "coordinators add <@U200>", user="U100")
    assert ephemeral_text(again) == "<@U200> is now a coordinator."
    twice = program.client.command("/program", "coordinators add <@U200>", user="U100")
    assert ephemeral_text(twice) == "<@U200> is already a coordinator."

    removed = program.client.command("/program", "coordinators remove <@U200>", user="U100")
    assert ephemeral_text(removed) == "<@U200> is no longer a coordinator."
    refused = program.client.command("/program", "coordinators", user="U200")
    assert ephemeral_text(refused) == REFUSAL

    assert audit(program) == [
        (COORDINATOR, "coordinator_add"),
        ("U100", "coordinator_add"),
        ("U100", "coordinator_remove"),
    ]
    with program.db.begin() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert entry is not None
        assert json.loads(entry.details) == {"user": "U100"}
        assert entry.at == program.clock.now()
        assert entry.team_id == "T0001"


def test_an_environment_coordinator_cannot_be_removed_from_slack(program: Running) -> None:
    program.client.command("/program", "coordinators add <@U100>", user=COORDINATOR)
    reply = program.client.command(
        "/program", f"coordinators remove <@{COORDINATOR}|cora>", user="U100"
    )
    assert "BENCHMATE_COORDINATORS" in ephemeral_text(reply)
    assert audit(program) == [(COORDINATOR, "coordinator_add")]


def test_the_last_added_coordinator_stays(slack, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_app

    # No environment coordinators: the table's only one cannot remove themselves.
    for bench in run_app(slack, sqlite_url):
        from bot.usecases.coordinators import add_coordinator

        with bench.db.begin() as session:
            add_coordinator(
                session, (), team_id="T0001", user_id="U100", by="cli", now=bench.clock.now()
            )
        reply = bench.client.command("/program", "coordinators remove <@U100>", user="U100")
        assert "last coordinator" in ephemeral_text(reply)


def test_usage_mistakes_get_a_clear_answer(program: Running) -> None:
    def ask(text: str) -> str:
        return ephemeral_text(program.client.command("/program", text, user=COORDINATOR))

    assert "@mentor @mentee" in ask("pair @sam @eve")  # typed, not picked: no ids
    assert "@mentor @mentee" in ask("unpair <@U301>")
    assert "coordinators add @someone" in ask("coordinators add")
    assert "I don't know `/program frobnicate`" in ask("frobnicate")
    assert "/program match" in ask("help")
    assert "cadence" in ask("pair <@U301> <@U401> every 40 weeks")
    assert counts(program)["pairs"] == 0


def test_mentions_are_read_in_both_escaped_forms() -> None:
    text = "pair <@U301ABC|sam.senior> <@W402XYZ> every 3 weeks <@U301ABC>"
    assert mentioned_users(text) == ["U301ABC", "W402XYZ"]
    assert without_mentions(text) == "pair every 3 weeks"
    assert mentioned_users("pair @sam @eve") == []
