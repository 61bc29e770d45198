"""The configured patient-data guard in the running app: patients' names without a
cue word are held and the warning says what was found, workspace members' names are
logged, and BENCHMATE_PHI_RULES switches rules off for every caller."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.rules.phi import RULES
from bot.store.models import Member, Win
from bot.usecases import directory
from bot.usecases.phi_guard import GuardSource
from tests.conftest import Running, run_app
from tests.fakeslack import FakeSlack
from tests.scenario import profile_known, settle
from tests.test_dm_replies import dm, prompted
from tests.test_weekly_prompts import tick

PATIENT = "Repeated the lactate for Harold Jenkins after the tube sat too long"
COLLEAGUE = "Olivia Brooks got the micro bench through its first inspection"


def wins(bench: Running) -> list[str]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Win.text).order_by(Win.id)))


def test_a_patients_name_is_held_and_the_warning_says_so(bench: Running) -> None:
    body = bench.client.command("/win", PATIENT).json()

    warning = body["blocks"][0]["text"]["text"]
    assert "Nothing saved yet" in warning
    assert "a person's name (“Harold Jenkins”)" in warning
    assert wins(bench) == []


def test_a_workspace_members_name_is_logged(bench: Running) -> None:
    bench.slack.add_user("U300", "Olivia Brooks", "America/Chicago")
    bench.client.command("/win", "passed my SBB exam", user="U300")  # now a member
    profile_known(bench, "U300")  # their name comes from users.info after the answer
    settle(bench)  # and the guard reads the directory again once it is in

    body = bench.client.command("/win", COLLEAGUE).json()

    assert body["text"] == "Logged"
    assert wins(bench) == ["passed my SBB exam", COLLEAGUE]


def test_someone_outside_the_directory_is_held(bench: Running) -> None:
    # The same text, with nobody of that name in the workspace.
    body = bench.client.command("/win", COLLEAGUE).json()
    assert "a person's name (“Olivia Brooks”)" in body["blocks"][0]["text"]["text"]


def test_a_dm_reply_naming_a_patient_is_held(bench: Running) -> None:
    prompted(bench)
    bench.client.event(dm(text=PATIENT))
    [held] = bench.slack.wait_for("chat.postMessage", 2)[1:]
    assert "Harold Jenkins" in str(held.args["blocks"])
    assert wins(bench) == []


@pytest.fixture
def no_names(slack: FakeSlack, sqlite_url: str) -> Iterator[Running]:
    """The app with BENCHMATE_PHI_RULES=-name."""
    yield from run_app(slack, sqlite_url, phi_rules=frozenset(RULES) - {"name"})


def test_a_switched_off_rule_is_off_for_the_app(no_names: Running) -> None:
    body = no_names.client.command("/win", PATIENT).json()
    assert body["text"] == "Logged"

    # Every other rule still holds.
    held = no_names.client.command("/win", "merged the charts for MRN 00458213").json()
    assert "medical record number" in held["blocks"][0]["text"]["text"]
    assert wins(no_names) == [PATIENT]


def test_the_workspace_directory_makes_colleagues_of_people_who_never_used_benchmate(
    bench: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory, "PAGE_SIZE", 2)
    bench.slack.add_user("U300", "Olivia Brooks")  # in Slack, never used Benchmate
    bench.slack.add_user("U301", "Hannah Weiss")
    bench.client.command("/win", "passed my SBB exam")  # U100: the workspace is known

    tick(bench)  # the first page: U100, U200
    held = bench.client.command("/win", COLLEAGUE).json()
    assert "a person's name (“Olivia Brooks”)" in held["blocks"][0]["text"]["text"]

    tick(bench)  # the last page: U300, U301; the guard reads the directory again
    body = bench.client.command("/win", COLLEAGUE).json()
    assert body["text"] == "Logged"

    calls = bench.slack.sent("users.list")
    assert [(c.args.get("limit"), c.args.get("cursor")) for c in calls] == [("2", None), ("2", "2")]
    tick(bench)  # the sweep is done for today
    assert len(bench.slack.sent("users.list")) == 2
    bench.clock.advance(days=1)
    tick(bench)
    assert len(bench.slack.sent("users.list")) == 3


def test_a_directory_that_slack_refuses_leaves_the_members(bench: Running) -> None:
    bench.slack.fail("users.list", "missing_scope")
    bench.slack.add_user("U300", "Olivia Brooks", "America/Chicago")
    bench.client.command("/win", "passed my SBB exam", user="U300")
    profile_known(bench, "U300")
    tick(bench)  # logs a warning, nothing else
    assert bench.client.command("/win", COLLEAGUE).json()["text"] == "Logged"


def test_a_stale_directory_is_read_again_in_the_background(bench: Running) -> None:
    now = [0.0]
    source = GuardSource(ttl=300, clock=lambda: now[0])
    bench.client.command("/win", "passed my SBB exam")  # U100 is a member: the team
    team = wins_team(bench)
    first = source.for_team(bench.db, team)
    assert first.find(COLLEAGUE)  # nobody called Olivia Brooks yet

    bench.slack.add_user("U300", "Olivia Brooks", "America/Chicago")
    bench.client.command("/win", "passed my SBB exam", user="U300")
    profile_known(bench, "U300")
    assert source.for_team(bench.db, team) is first  # fresh enough: no read
    now[0] = 301.0
    assert source.for_team(bench.db, team) is first  # stale: answered at once...
    deadline = time.monotonic() + 5
    while source.for_team(bench.db, team) is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert source.for_team(bench.db, team).find(COLLEAGUE) == []  # ...and read again


def wins_team(bench: Running) -> str:
    with bench.db.begin() as session:
        return session.scalars(select(Member.team_id)).first() or ""
