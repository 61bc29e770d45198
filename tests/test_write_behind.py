"""Queued inserts (bot/store/later.py): written soon, read back by every unit of work,
drained at close, and never dropped silently."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select

from bot.store.db import Database
from bot.store.models import Member, Win, new_key
from tests.conftest import Running

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def add_member(db: Database) -> int:
    with db.begin() as session:
        member = Member(team_id="T1", slack_user_id="U1", created_at=NOW)
        session.add(member)
        session.flush()
        return member.id


def row(member_id: int, text: str) -> dict[str, Any]:
    return {
        "key": new_key(),
        "team_id": "T1",
        "member_id": member_id,
        "text": text,
        "source": "slash",
        "occurred_on": date(2026, 11, 20),
        "logged_at": NOW,
    }


def count(db: Database) -> int:
    with db.begin() as session:
        return int(session.scalar(select(func.count(Win.id))) or 0)


def test_a_unit_of_work_sees_queued_rows(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    member_id = add_member(db)
    for i in range(50):
        db.insert_later(Win.__table__, [row(member_id, f"win {i}")])
    assert count(db) == 50  # begin() waited for the queue
    db.dispose()


def test_close_writes_what_is_queued(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    member_id = add_member(db)
    db.insert_later(Win.__table__, [row(member_id, "a"), row(member_id, "b")])
    db.dispose()
    other = Database(sqlite_url)
    assert count(other) == 2
    other.dispose()


def test_rows_that_cannot_be_written_go_to_on_error_and_the_rest_are_kept(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    member_id = add_member(db)
    lost: list[tuple[list[dict[str, Any]], Exception]] = []
    db.insert_later(Win.__table__, [row(member_id, "kept")])
    db.insert_later(
        Win.__table__, [row(member_id + 99, "orphan")], lambda rows, exc: lost.append((rows, exc))
    )
    db.insert_later(Win.__table__, [row(member_id, "also kept")])
    db.later.flush()
    assert [rows[0]["text"] for rows, _ in lost] == ["orphan"]
    with db.begin() as session:
        assert sorted(session.scalars(select(Win.text))) == ["also kept", "kept"]
    db.dispose()


def test_a_win_that_cannot_be_saved_comes_back_to_its_author(bench: Running) -> None:
    assert bench.client.command("/win", "first win, to meet me").status == 200
    with bench.db.begin() as session:  # someone removes the member behind our back
        session.execute(delete(Member))

    body = bench.client.command("/win", "validated the new D-dimer assay").json()

    assert body["response_type"] == "ephemeral"
    [dm] = bench.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "U100"
    assert "validated the new D-dimer assay" in dm.args["text"]
    assert "nothing is lost" in dm.args["text"]
