"""Queued inserts (bot/store/later.py): written soon, read back by every unit of work,
drained at close, and never dropped silently."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text

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


def stored(db: Database, text_: str) -> tuple[Any, ...]:
    """A win's columns as the database holds them (untyped SQL: no ORM, no processing)."""
    columns = "team_id, member_id, text, source, category, occurred_on, logged_at, goal_id, "
    columns += "shared_with_mentor, is_private, phi_flagged, permalink, in_digest"
    with db.engine.connect() as connection:
        found = connection.execute(
            text(f"SELECT {columns} FROM wins WHERE text = :text"), {"text": text_}
        ).one()
    return tuple(found)[:2] + tuple(found)[3:]  # all but the text, which differs


def test_queued_rows_are_stored_exactly_as_sqlalchemy_stores_them(any_db_url: str) -> None:
    """The queue hands rows to the driver itself (bot/store/driver_insert.py)."""
    db = Database(any_db_url)
    member_id = add_member(db)
    full = row(member_id, "x") | {
        "category": "quality",
        "shared_with_mentor": True,
        "is_private": False,
        "permalink": "https://x/p1",
    }
    with db.engine.begin() as connection:
        connection.execute(
            insert(Win.__table__), [full | {"text": "by SQLAlchemy, full", "key": new_key()}]
        )
        connection.execute(insert(Win.__table__), [row(member_id, "by SQLAlchemy, sparse")])
    db.insert_later(Win.__table__, [full | {"text": "queued, full", "key": new_key()}])
    db.insert_later(Win.__table__, [row(member_id, "queued, sparse")])
    db.later.flush()

    assert stored(db, "queued, full") == stored(db, "by SQLAlchemy, full")
    assert stored(db, "queued, sparse") == stored(db, "by SQLAlchemy, sparse")
    with db.begin() as session:  # and the ORM reads them back the same way
        wins = {w.text: w for w in session.scalars(select(Win))}
    assert wins["queued, full"].logged_at == NOW == wins["by SQLAlchemy, full"].logged_at
    assert wins["queued, sparse"].shared_with_mentor is False
    db.dispose()


def test_a_row_missing_a_generated_column_is_refused_clearly(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    member_id = add_member(db)
    lost: list[Exception] = []
    keyless = {k: v for k, v in row(member_id, "no key").items() if k != "key"}
    db.insert_later(Win.__table__, [keyless], lambda rows, exc: lost.append(exc))
    db.later.flush()
    assert len(lost) == 1 and "must give key" in str(lost[0])
    db.dispose()


def test_the_queue_reconnects_after_losing_its_connection(postgres_url: str) -> None:
    db = Database(postgres_url)
    member_id = add_member(db)
    db.insert_later(Win.__table__, [row(member_id, "before")])
    db.later.flush()
    with db.engine.connect() as connection:  # the server drops the queue's connection
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    db.insert_later(Win.__table__, [row(member_id, "after")])
    db.later.flush()
    with db.begin() as session:
        assert sorted(session.scalars(select(Win.text))) == ["after", "before"]
    db.dispose()


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
