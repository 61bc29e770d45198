"""Inserts committed just after the answer: one background thread, many rows a commit.

`/win <text>` answers Slack as soon as its rows are queued here; the thread commits
them a few milliseconds later, together with whatever else queued meanwhile. That keeps
a database round trip (and SQLAlchemy's cost of it) off the request, which is what lets
`/win` answer about as fast as an app that does nothing (see bench/win_latency.py).

Read-your-writes holds within the process: `Database.begin()` waits for queued rows
before any unit of work, so a `/win list`, an Undo or the Home tab right after a `/win`
sees the win. What is still queued is written before a clean exit (`close()`, also at
interpreter exit). A hard crash (kill -9, power cut) in the few milliseconds between
answer and commit can lose those rows: the same window that SQLite's `synchronous=NORMAL`
already accepts. A row that cannot be written after retries goes to its `on_error`
callback (the /win flow DMs the member their text), so nothing is dropped silently.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine, PoolProxiedConnection, Table

from bot.store.driver_insert import DriverInsert

log = logging.getLogger(__name__)

OnError = Callable[[list[dict[str, Any]], Exception], None]
RETRIES = 3
# How long the writer lets rows gather before a commit, unless someone is waiting for
# them: one commit for many rows costs the process far less than a commit for each.
LINGER_SECONDS = 0.002
MAX_BATCH = 200


class WriteBehind:
    def __init__(self, engine: Engine, turn: AbstractContextManager[object]) -> None:
        self._engine = engine
        self._turn = turn  # the Database's one-writer-at-a-time lock (SQLite)
        self._pending: list[tuple[Table, list[dict[str, Any]], OnError | None]] = []
        self._cond = threading.Condition()
        self._queued = 0
        self._done = 0
        self._closing = False
        self._waiting = 0  # callers of flush()
        self._thread: threading.Thread | None = None
        # The writer thread's own driver connection (bot/store/driver_insert.py).
        self._connection: PoolProxiedConnection | None = None
        self._statements: dict[tuple[Table, tuple[str, ...]], DriverInsert] = {}

    @property
    def busy(self) -> bool:
        return self._done < self._queued

    def insert(self, table: Table, rows: list[dict[str, Any]], on_error: OnError | None) -> None:
        with self._cond:
            if self._closing:
                raise RuntimeError("the database is closing")
            self._pending.append((table, rows, on_error))
            self._queued += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="write-behind", daemon=True)
                self._thread.start()
                atexit.register(self.close)
            # Wake the writer for its first row or a full batch only: while it lingers,
            # waking it for each row would cost every request a thread switch.
            if len(self._pending) in (1, MAX_BATCH):
                self._cond.notify_all()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything queued so far is committed (or handed to on_error)."""
        if threading.current_thread() is self._thread:
            return  # an on_error callback: waiting on ourselves would never end
        with self._cond:
            target = self._queued
            self._waiting += 1
            self._cond.notify_all()  # no lingering: someone wants to read
            try:
                self._cond.wait_for(lambda: self._done >= target, timeout)
            finally:
                self._waiting -= 1

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _serve(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                self._cond.wait_for(
                    lambda: self._waiting or self._closing or len(self._pending) >= MAX_BATCH,
                    LINGER_SECONDS,
                )
                batch, self._pending = self._pending, []
            failures = self._write(batch)
            with self._cond:
                self._done += len(batch)
                self._cond.notify_all()
            # After marking done: a callback may open a unit of work, which flushes.
            for on_error, rows, exc in failures:
                try:
                    on_error(rows, exc)
                except Exception:
                    log.exception("on_error callback failed for %d rows", len(rows))

    def _write(
        self, batch: list[tuple[Table, list[dict[str, Any]], OnError | None]]
    ) -> list[tuple[OnError, list[dict[str, Any]], Exception]]:
        for attempt in range(RETRIES):
            try:
                self._commit(batch)
                return []
            except Exception as exc:
                log.warning("queued insert failed (attempt %d): %r", attempt + 1, exc)
                time.sleep(0.05 * 2**attempt)
        # Still failing: one entry at a time, so one bad row does not sink the others.
        failures = []
        for entry in batch:
            try:
                self._commit([entry])
            except Exception as exc:
                log.error(
                    "could not save %d queued rows into %s: %r", len(entry[1]), entry[0].name, exc
                )
                if entry[2] is not None:
                    failures.append((entry[2], entry[1], exc))
        return failures

    def _commit(self, batch: list[tuple[Table, list[dict[str, Any]], OnError | None]]) -> None:
        """One transaction for the whole batch, on the writer's own driver connection."""
        with self._turn:
            if self._connection is None:
                self._connection = self._engine.raw_connection()
            connection = self._connection
            try:
                cursor = connection.cursor()
                try:
                    for table, rows, _ in batch:
                        statement = self._statement(table, tuple(rows[0]))
                        cursor.executemany(statement.sql, statement.parameters(rows))
                finally:
                    cursor.close()
                connection.commit()
            except BaseException:
                self._discard_transaction(connection)
                raise

    def _discard_transaction(self, connection: PoolProxiedConnection) -> None:
        """Roll back after a failed batch; a connection that cannot even do that is
        broken (the database restarted, say): the next try opens a fresh one."""
        try:
            connection.rollback()
        except Exception:
            self._connection = None
            connection.invalidate()
            connection.close()

    def _statement(self, table: Table, keys: tuple[str, ...]) -> DriverInsert:
        statement = self._statements.get((table, keys))
        if statement is None:
            statement = DriverInsert.compile(table, keys, self._engine.dialect)
            self._statements[table, keys] = statement
        return statement
