"""Shared steps for the mentorship program's scenario tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.store.models import (
    AuditEntry,
    Coordinator,
    MatchProposal,
    Member,
    Pair,
    ProgramProfile,
)
from tests.conftest import COORDINATOR, Running

ROSTER = """user,role,career level,lab section,certifications,interests,target certification,mentor capacity,shift,supervisor
U301,mentor,Senior,Hematology,"MLS(ASCP), SH",quality;development,,2,day,
mia@lab.org,Mentor,mid,Blood Bank,MLS,research,,1,Nights,
U401,mentee,entry,hematology,,Quality and compliance,SH,,day,U301
ned@lab.org,mentee,Entry,immunohematology,,research,SBB,,night,
"""  # noqa: E501


def counts(bench: Running) -> dict[str, int]:
    """Rows in every table the program writes: a refusal must change none of them."""
    with bench.db.begin() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (AuditEntry, Coordinator, MatchProposal, Pair, ProgramProfile, Member)
        }


def audit(bench: Running) -> list[tuple[str, str]]:
    with bench.db.begin() as session:
        return [
            (a.actor, a.action) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def ephemeral_text(reply: Any) -> str:
    body = reply.json()
    assert body["response_type"] == "ephemeral", body
    return str(body.get("text", ""))


def import_roster(bench: Running, text: str = ROSTER) -> None:
    """Through the /program import modal, as a coordinator."""
    bench.client.command("/program", "import", user=COORDINATOR)
    view = bench.slack.wait_for("views.open")[-1].args["view"]
    updates = len(bench.slack.sent("views.update"))
    reply = bench.client.submit(view, {"csv": text}, user=COORDINATOR)
    assert reply.status == 200
    done = bench.slack.wait_for("views.update", updates + 1)[-1].args["view"]
    assert "Imported" in done["blocks"][0]["text"]["text"], done


def pairs(bench: Running) -> list[tuple[str, str, str | None]]:
    """(mentor, mentee, end reason) by Slack id, oldest first."""
    with bench.db.begin() as session:
        return [
            (p.mentor.slack_user_id, p.mentee.slack_user_id, p.end_reason)
            for p in session.scalars(select(Pair).order_by(Pair.id))
        ]


def cli_env(bench: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point `benchmate` commands run in-process (`main([...])`) at this app's Slack and
    database."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", bench.slack.api_url)
    monkeypatch.setenv("DATABASE_URL", bench.deps.settings.database_url)
    monkeypatch.chdir("/")  # no stray .env
