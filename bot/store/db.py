"""Engine, sessions and migrations."""

from __future__ import annotations

import re
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

# Seconds to wait for a PostgreSQL server before giving up (libpq's connect_timeout; a
# `?connect_timeout=N` in DATABASE_URL wins). Without it a server that never answers
# (a firewall dropping packets) keeps a command waiting for minutes.
CONNECT_TIMEOUT = 10


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
    connect_args = {} if "connect_timeout=" in url else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


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


# The errors a database gives when it cannot be reached or used (rather than a bug):
# SQLAlchemy's wrappers, and the drivers' own (bot/store/driver_insert.py talks to them
# directly).
def unusable_database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    import psycopg
    from sqlalchemy.exc import InterfaceError, OperationalError

    return (OperationalError, InterfaceError, sqlite3.OperationalError, psycopg.OperationalError)


def describe_database_error(url: str, exc: BaseException) -> str:
    """One line for a person: which database could not be used, why, and what to do.
    The URL is shown without its password."""
    from sqlalchemy.engine import make_url

    where = make_url(url)
    shown = where.render_as_string(hide_password=True)
    cause = getattr(exc, "orig", None) or exc
    message = " ".join(str(cause).split())  # drivers' messages span lines
    lower = message.lower()
    if where.get_backend_name() == "sqlite":
        # The full path: a relative one depends on the working directory, which a
        # service manager or a container sets out of sight.
        path = str(Path(where.database).resolve()) if where.database else ":memory:"
        if "no such table" in lower:
            return (
                f"the SQLite database {path} has no Benchmate tables: "
                "run `benchmate db upgrade` first"
            )
        if "readonly" in lower or "read-only" in lower:
            return (
                f"cannot write the SQLite database {path} ({message}): make the file and its "
                "folder writable for this user, or point DATABASE_URL elsewhere"
            )
        if "unable to open" in lower:
            return (
                f"cannot open the SQLite database {path} ({message}): its folder must exist "
                "and be writable for this user; create it or point DATABASE_URL elsewhere"
            )
        return f"SQLite database {path}: {message}"
    server = f"PostgreSQL at {where.host or 'localhost'}:{where.port or 5432}"
    if re.search(r'database "[^"]*" does not exist', message):
        name = where.database or ""
        return (
            f'{server} has no database "{name}": create it (e.g. `createdb {name}`) or '
            f"correct the name in DATABASE_URL ({shown})"
        )
    if "password authentication failed" in lower or re.search(
        r'role "[^"]*" does not exist', message
    ):
        return (
            f"{server} refused user {where.username or '(none)'!r}: correct the user and "
            f"password in DATABASE_URL ({shown})"
        )
    reasons = {
        "connection refused": "connection refused",
        "timeout expired": "no answer in time",
        "could not translate host name": "unknown host name",
        "name or service not known": "unknown host name",
        "no route to host": "no route to host",
        "network is unreachable": "network unreachable",
    }
    for clue, reason in reasons.items():
        if clue in lower:
            return (
                f"cannot reach {server} ({reason}): check that the server is running and "
                f"that DATABASE_URL ({shown}) names the right host and port"
            )
    if "no such table" in lower or ("relation" in lower and "does not exist" in lower):
        return f"{server} has no Benchmate tables: run `benchmate db upgrade` first"
    return f"{server}: {message}"
