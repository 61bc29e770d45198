"""Engine, sessions and migrations.

Durability: a unit of work (`Database.begin()`) returns only once its changes are
durable, so whatever a listener answers after it ("Logged ✅") survives a crash of the
process, and a power cut. PostgreSQL commits that way itself (`synchronous_commit=on`,
set on every connection). SQLite in WAL mode makes a commit durable once the WAL file is
fsynced: `synchronous=FULL` would fsync inside every COMMIT, under the write lock, so
concurrent commits would queue behind each other's fsync (7-25 ms each on this project's
machine). Benchmate instead runs `synchronous=NORMAL` and fsyncs the WAL itself after
each commit that wrote something, outside the lock, one fsync for every commit finished
before it started (`WalSync`): the same guarantee as FULL, with commits grouped.

A database that cannot be reached (refused or dropped connections, a lock held elsewhere
past `WAIT_SECONDS`) raises `DatabaseUnavailable` within about two seconds, so an answer
can still reach Slack inside its 3 seconds and say so honestly.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.turn import FairTurn

T = TypeVar("T")
# What a store function runs its statements on: an ORM session (`Database.begin`) or a
# Core connection (`Database.transaction`, for statements that are all Core).
Executor = Session | Connection

MIGRATIONS = Path(__file__).with_name("migrations")
# A database error's message would otherwise carry the statement's values (a win's text,
# which may hold patient data) into the logs.
HIDE_PARAMETERS = True
# How long a unit of work waits for the database (a connection, SQLite's write lock)
# before giving up. Slack allows 3 s for an answer; this leaves room to say why.
WAIT_SECONDS = 1.0
# Seconds to wait for a PostgreSQL server: psycopg's smallest (as libpq's), so that
# `/win` can still answer within Slack's 3 s while the database is unreachable.
PG_CONNECT_TIMEOUT = 2


class DatabaseUnavailable(Exception):
    """The database did not answer (down, refusing connections, locked elsewhere):
    nothing in the unit of work was saved."""


# SQLite reports every failure as OperationalError; these are the ones that mean "cannot
# get at the database now" rather than a broken statement or schema.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full")


def unavailable(exc: Exception) -> bool:
    """Whether `exc` means the database did not answer (down, refusing or dropping
    connections, no pool connection in time, locked elsewhere)."""
    if isinstance(exc, sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.OperationalError):
        return False
    if "sqlite" in type(exc.orig).__module__:
        return any(word in str(exc.orig).lower() for word in _SQLITE_UNAVAILABLE)
    return True  # psycopg: connection failures; bad statements are ProgrammingError


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": WAIT_SECONDS}, hide_parameters=HIDE_PARAMETERS
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the web process read while the clock writes; SQLite leaves
            # foreign keys off unless asked. synchronous=NORMAL: no fsync inside COMMIT;
            # Database.begin() fsyncs the WAL after a commit that wrote (see WalSync).
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not used
        hide_parameters=HIDE_PARAMETERS,
        pool_size=10,
        max_overflow=20,
        pool_timeout=WAIT_SECONDS,
        connect_args={
            # Without a bound a server that never answers (a firewall dropping packets)
            # keeps a command waiting for minutes; `?connect_timeout=N` in the URL wins.
            **({} if "connect_timeout=" in url else {"connect_timeout": PG_CONNECT_TIMEOUT}),
            # Durable commits whatever the server's default: "Logged" means stored.
            "options": "-c synchronous_commit=on",
        },
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (all migrations by default)."""
    command.upgrade(alembic_config(url), revision)


def dialect_name(executor: Executor) -> str:
    """ "sqlite" or "postgresql", for a session or a connection."""
    if isinstance(executor, Connection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT that knows `ON CONFLICT DO NOTHING` (SQLite and PostgreSQL both do):
    with a unique constraint, the database decides between racing processes."""
    dialect = dialect_name(session)
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"Benchmate supports SQLite and PostgreSQL, not {dialect}")


class WalSync:
    """Group commit for SQLite: fsync the WAL file once for every commit that finished
    before the fsync started.

    `sync()` returns once an fsync that began after the caller's commit has completed.
    One caller at a time does the fsync; callers arriving meanwhile wait for the next
    one, which covers them all. That is exactly the durability of `synchronous=FULL`
    (which fsyncs the WAL after each commit), without an fsync per commit.
    """

    def __init__(self, database_file: str) -> None:
        self.wal = database_file + "-wal"
        self._cond = threading.Condition()
        self._started = 0  # fsyncs begun
        self._done = 0  # the last fsync completed (its number)
        self._running = False
        self._synced_inode: int | None = None  # whose directory entry is synced

    def sync(self) -> None:
        with self._cond:
            needed = self._started + 1  # the next fsync to start covers this commit
            while self._done < needed:
                if self._running:
                    self._cond.wait()
                    continue
                self._running = True
                self._started += 1
                number = self._started
                try:
                    self._cond.release()
                    try:
                        self._fsync()
                    finally:
                        self._cond.acquire()
                    self._done = number
                finally:
                    self._running = False
                    self._cond.notify_all()

    def _fsync(self) -> None:
        try:
            fd = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            # No WAL: the last connection closed and checkpointed it into the
            # database file, which SQLite fsyncs after a checkpoint.
            return
        try:
            flush_file(fd)
            inode = os.fstat(fd).st_ino
        finally:
            os.close(fd)
        if inode != self._synced_inode and os.name == "posix":
            # A new WAL file: its directory entry must survive a power cut too (SQLite
            # does the same on the first sync of a WAL it created).
            directory = os.open(os.path.dirname(os.path.abspath(self.wal)), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
            self._synced_inode = inode


def flush_file(fd: int) -> None:
    """Bring a file's data to the disk: fdatasync where there is one, as SQLite's own
    syncs do (the data and its size, not its timestamps), else fsync."""
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)


def _sqlite_file(url: str) -> str | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


class Database:
    """One engine and one session factory for the process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.is_sqlite = url.startswith("sqlite")
        # SQLite takes one writer at a time and makes the others wait in its busy
        # handler, which sleeps 1, 2, 5, 10... ms between tries: under concurrent /win
        # that sleeping made the slowest requests. Units of work in this process queue
        # on a lock instead, which wakes the next one at once, first come first served
        # (bot/store/turn.py). (Re-entrant: a unit of work may call a helper that opens
        # another.)
        self._turn = FairTurn() if self.is_sqlite else None
        sqlite_file = _sqlite_file(url) if self.is_sqlite else None
        self._wal = WalSync(sqlite_file) if sqlite_file else None

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A unit of work: commits on success (durably: see the module's docstring),
        rolls back on error. Raises DatabaseUnavailable when the database does not
        answer in time; nothing of the unit of work is then saved."""
        with self._durable(self.sessions.begin, self._changes) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """`begin()` on a Core connection, with the same turn, durable commit and
        errors, for a hot path whose statements are all Core (`/win <text>`): the ORM
        session cost more CPU there than the statements (docs/performance-win.md)."""
        with self._durable(self.engine.begin, self._connection_changes) as connection:
            yield connection

    @contextmanager
    def _durable(
        self, opened: Callable[[], AbstractContextManager[T]], changes: Callable[[T], int]
    ) -> Iterator[T]:
        try:
            with self._take_turn(), opened() as work:
                before = changes(work)
                yield work
                wrote = changes(work) != before
            if wrote and self._wal is not None:
                self._wal.sync()
        except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
            if not unavailable(exc):
                raise
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
        except OSError as exc:  # the fsync itself failed: the commit is not confirmed
            raise DatabaseUnavailable(f"could not make the commit durable: {exc}") from exc

    @contextmanager
    def _take_turn(self) -> Iterator[None]:
        if self._turn is None:
            yield
            return
        if not self._turn.acquire(timeout=WAIT_SECONDS):
            raise DatabaseUnavailable("the database is busy: another unit of work holds it")
        try:
            yield
        finally:
            self._turn.release()

    def _changes(self, session: Session) -> int:
        """Rows this SQLite connection has written so far (0 on PostgreSQL)."""
        if self._wal is None:
            return 0
        session.flush()  # what the commit would write, counted now
        return int(session.connection().connection.dbapi_connection.total_changes)  # type: ignore[union-attr]

    def _connection_changes(self, connection: Connection) -> int:
        """Rows this SQLite connection has written so far (0 on PostgreSQL)."""
        if self._wal is None:
            return 0
        return int(connection.connection.dbapi_connection.total_changes)  # type: ignore[union-attr]

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
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
