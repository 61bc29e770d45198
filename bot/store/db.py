"""Engine, sessions and migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.later import OnError, WriteBehind

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the web process read while the clock writes; SQLite leaves
            # foreign keys off unless asked. synchronous=NORMAL is safe with WAL (the
            # file is never corrupted; a power cut may lose only the last commits) and
            # spares an fsync on every commit (see bench/win_latency.py).
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (all migrations by default)."""
    command.upgrade(alembic_config(url), revision)


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT that knows `ON CONFLICT DO NOTHING` (SQLite and PostgreSQL both do):
    with a unique constraint, the database decides between racing processes."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"Benchmate supports SQLite and PostgreSQL, not {dialect}")


class Database:
    """One engine and one session factory for the process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite takes one writer at a time and makes the others wait in its busy
        # handler, which sleeps 1, 2, 5, 10... ms between tries: under concurrent /win
        # that sleeping made the slowest requests. Units of work in this process queue
        # on a lock instead, which wakes the next one at once. (Re-entrant: a unit of
        # work may call a helper that opens another.)
        self._turn: AbstractContextManager[object] = (
            threading.RLock() if url.startswith("sqlite") else nullcontext()
        )
        self.later = WriteBehind(self.engine, self._turn)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error. Rows queued with
        `insert_later` are written first, so every unit of work sees them."""
        if self.later.busy:
            self.later.flush()
        with self._turn, self.sessions.begin() as session:
            yield session

    def insert_later(
        self, table: Table, rows: list[dict[str, Any]], on_error: OnError | None = None
    ) -> None:
        """Queue rows to be committed just after the caller answers (see bot/store/later.py)."""
        self.later.insert(table, rows, on_error)

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        """Write what is queued, then close the connections."""
        self.later.close()
        self.engine.dispose()


def is_current(url: str) -> bool:
    """Whether the database at `url` is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head
    finally:
        engine.dispose()


def prepare(url: str) -> None:
    """Ready the database for serving: a SQLite file is brought to the newest schema by
    itself (the first run needs no extra step); a server database must have been
    migrated by `benchmate db upgrade` (the Procfile's release step), so that several
    web processes never race to migrate it."""
    if url.startswith("sqlite"):
        upgrade(url)
    elif not is_current(url):
        raise RuntimeError(
            "the database schema is not up to date: run `benchmate db upgrade` first"
        )
