"""The store on SQLite and PostgreSQL: migrations match the models, rows keep their
team, times come back as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database, alembic_config, is_current, upgrade
from bot.store.models import Base, Member, Win

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def member(team: str = "T1", user: str = "U1") -> Member:
    return Member(
        team_id=team, slack_user_id=user, name="Ada", tz="America/Chicago", created_at=NOW
    )


def test_migrations_have_a_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several Alembic heads {heads}: set down_revision to merge them"


def test_migrations_match_the_models(any_db_url: str) -> None:
    db = Database(any_db_url)
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert diff == [], "models and migrations differ: write an Alembic revision"
    assert is_current(any_db_url)


def test_downgrade_to_base_and_up_again(any_db_url: str) -> None:
    config = alembic_config(any_db_url)
    command.downgrade(config, "base")
    assert not is_current(any_db_url)
    upgrade(any_db_url)
    assert is_current(any_db_url)


def test_one_member_per_user_and_team(any_db_url: str) -> None:
    db = Database(any_db_url)
    with db.begin() as session:
        session.add_all([member("T1", "U1"), member("T2", "U1")])
    with pytest.raises(IntegrityError), db.begin() as session:
        session.add(member("T1", "U1"))
    with db.begin() as session:
        assert session.scalar(select(func.count(Member.id))) == 2
    db.dispose()


def test_times_come_back_as_utc_and_dates_as_dates(any_db_url: str) -> None:
    db = Database(any_db_url)
    chicago_evening = datetime(2026, 3, 8, 21, 30, tzinfo=timezone(timedelta(hours=-5)))
    with db.begin() as session:
        m = member()
        session.add(m)
        session.flush()
        session.add(
            Win(
                team_id="T1",
                member_id=m.id,
                text="x",
                source="slash",
                occurred_on=date(2026, 3, 8),
                logged_at=chicago_evening,
            )
        )
    with db.begin() as session:
        win = session.scalars(select(Win)).one()
        assert win.logged_at == datetime(2026, 3, 9, 2, 30, tzinfo=UTC)
        assert win.logged_at.tzinfo is UTC
        assert win.occurred_on == date(2026, 3, 8)
    db.dispose()


def test_naive_datetimes_are_refused(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with pytest.raises(Exception, match="naive datetime"), db.begin() as session:
        session.add(Member(team_id="T1", slack_user_id="U1", created_at=datetime(2026, 1, 1)))
    db.dispose()


def test_deleting_a_member_deletes_their_wins(any_db_url: str) -> None:
    db = Database(any_db_url)
    with db.begin() as session:
        m = member()
        session.add(m)
        session.flush()
        session.add(
            Win(
                team_id="T1",
                member_id=m.id,
                text="x",
                source="slash",
                occurred_on=date(2026, 1, 1),
                logged_at=NOW,
            )
        )
    with db.begin() as session:
        session.delete(session.scalars(select(Member)).one())
    with db.begin() as session:
        assert session.scalar(select(func.count(Win.id))) == 0
    db.dispose()


def test_sqlite_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_healthz_reports_an_unreachable_database(tmp_path: object) -> None:
    db = Database("sqlite:////nonexistent-dir/benchmate.db")
    assert db.is_reachable() is False
    db.dispose()
