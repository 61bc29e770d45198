"""Issue 9, section 1: an acknowledged `/win` is a stored `/win` (docs/promises.md).

- `benchmate serve`, the real command in its own process, is killed with SIGKILL right
  after each "Logged" answer, 50 times, and restarted: every answered win is there,
  once (SQLite, and PostgreSQL when BENCHMATE_TEST_POSTGRES_URL is set).
- While the database refuses connections (a TCP proxy in front of PostgreSQL) or is
  locked by another process (SQLite), `/win` says so within Slack's 3 seconds, gives the
  text back, and stores nothing it did not confirm.
- Nothing on the answer path waits on Slack: `users.info` failing or hanging on a
  member's first `/win` does not hold up the answer.
- A replayed signed request (same trigger id) stores nothing twice.
- SQLite commits that wrote are fsynced before `begin()` returns, one fsync for many.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, make_url, select

from bot.store import db as db_module
from bot.store.db import Database
from bot.store.models import Member, Win
from tests.conftest import SECRET, Running, run_app
from tests.fakeslack import FakeSlack
from tests.served import Served
from tests.slackclient import Reply, SlackClient
from tests.test_cli import BENCHMATE, clean_env

SLACK_LIMIT = 3.0  # seconds Slack waits for an answer
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


class Replaying(SlackClient):
    """Signs requests as Slack does, and can send the last one again, byte for byte
    (same body, timestamp and signature): a replay within the five-minute window."""

    last: tuple[bytes, str, str] | None = None

    def post(self, body: bytes, content_type: str, **kw: Any) -> Reply:
        timestamp = kw.pop("timestamp", None) or str(int(time.time()))
        self.last = (body, content_type, timestamp)
        return super().post(body, content_type, timestamp=timestamp, **kw)

    def replay(self, request: tuple[bytes, str, str] | None = None) -> Reply:
        body, content_type, timestamp = request or self.last  # type: ignore[misc]
        return super().post(body, content_type, timestamp=timestamp)


def stored_texts(url: str) -> Counter[str]:
    db = Database(url)
    try:
        with db.begin() as session:
            return Counter(session.scalars(select(Win.text)))
    finally:
        db.dispose()


# --- SIGKILL right after each "Logged" -------------------------------------------------

KILLS = 50


def start_serve(db_url: str, slack: FakeSlack, cwd: Path) -> Served:
    return Served.start(
        [*BENCHMATE, "serve"],
        clean_env(
            SLACK_BOT_TOKEN="xoxb-kill-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=db_url,
        ),
        cwd,
    )


def kill_after_each_logged(db_url: str, slack: FakeSlack, cwd: Path) -> None:
    """Start serve, send a signed /win, SIGKILL on the answer; 50 times. The next
    process starts while the current one serves (a start takes about a second of CPU).
    Each process first gets the previous process's last request again, as a replay:
    the win it logged must be there once before the replay and once after."""
    upcoming = deque(start_serve(db_url, slack, cwd) for _ in range(2))
    answered: list[str] = []
    lost: list[str] = []
    previous: tuple[bytes, str, str] | None = None
    try:
        for i in range(KILLS):
            serve = upcoming.popleft()
            if i + len(upcoming) + 1 < KILLS:
                upcoming.append(start_serve(db_url, slack, cwd))
            serve.wait_listening()
            client = Replaying(f"http://127.0.0.1:{serve.port}/slack/events", SECRET, slack.url)
            if previous is not None:
                if stored_texts(db_url)[answered[-1]] == 0:
                    lost.append(answered[-1])
                again = client.replay(previous)
                assert again.status == 200 and "handled already" in again.json()["text"]
            text = f"win {i}: signed out the morning QC before the crash"
            reply = client.command("/win", text, user=("U100", "U200", "U300")[i % 3])
            os.kill(serve.process.pid, signal.SIGKILL)  # right after the answer
            assert reply.status == 200 and reply.json()["text"] == "Logged", reply.body
            answered.append(text)
            previous = client.last
            serve.kill()
    finally:
        for serve in upcoming:
            serve.kill()

    stored = stored_texts(db_url)
    lost += [answered[-1]] if stored[answered[-1]] == 0 else []
    doubled = [t for t, n in stored.items() if n > 1]
    assert (len(lost), len(doubled)) == (0, 0), f"{len(lost)} lost: {lost}; doubled: {doubled}"
    assert sorted(stored) == sorted(answered)


def test_sigkill_after_each_logged_answer_loses_nothing_on_sqlite(
    tmp_path: Path, slack: FakeSlack, sqlite_url: str
) -> None:
    # Migrated beforehand: two processes starting at once on a new file would both
    # try to create its schema (`serve` migrates SQLite by itself at start).
    kill_after_each_logged(sqlite_url, slack, tmp_path)


def test_sigkill_after_each_logged_answer_loses_nothing_on_postgresql(
    tmp_path: Path, slack: FakeSlack, postgres_url: str
) -> None:
    kill_after_each_logged(postgres_url, slack, tmp_path)


# --- the database down -----------------------------------------------------------------


class Proxy:
    """A TCP proxy in front of PostgreSQL that we can make refuse connections: while
    down, every open connection is cut and new ones are closed as soon as they come."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def refuse(self) -> None:
        self.down = True
        with self.lock:
            cut, self.open = self.open, []
        for s in cut:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def allow(self) -> None:
        self.down = False

    def close(self) -> None:
        self.refuse()
        self.listener.close()


@pytest.fixture
def behind_proxy(slack: FakeSlack, postgres_url: str) -> Iterator[tuple[Running, Proxy]]:
    url = make_url(postgres_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        for running in run_app(slack, proxied):
            yield running, proxy
    finally:
        proxy.close()


def timed_win(bench: Running, text: str) -> tuple[float, dict[str, Any]]:
    began = time.monotonic()
    reply = bench.client.command("/win", text)
    assert reply.status == 200
    return time.monotonic() - began, reply.json()


def assert_honest_while_down(bench: Running, texts: list[str]) -> None:
    """Each /win while the database is down: answered in time, not "Logged", text
    given back."""
    for text in texts:
        took, body = timed_win(bench, text)
        assert took < SLACK_LIMIT, f"answered after {took:.1f} s"
        assert "Logged" not in str(body)
        assert "couldn't save" in body["text"] and "unreachable" in body["text"]
        assert text in body["text"]  # nothing typed is lost


def test_while_postgresql_refuses_connections_win_says_so(
    behind_proxy: tuple[Running, Proxy],
) -> None:
    bench, proxy = behind_proxy
    assert timed_win(bench, "calibrated the coag analyzer")[1]["text"] == "Logged"

    proxy.refuse()
    down = [f"reran control lot {n} after the outage" for n in range(6)]
    assert_honest_while_down(bench, down)
    proxy.allow()

    assert timed_win(bench, "back up: verified the new reagent lot")[1]["text"] == "Logged"
    assert stored_texts(bench.db.url) == Counter(
        ["calibrated the coag analyzer", "back up: verified the new reagent lot"]
    )
    assert bench.slack.sent("chat.postMessage") == []  # no "couldn't save" DM later


def test_while_sqlite_is_locked_by_another_process_win_says_so(bench: Running) -> None:
    assert timed_win(bench, "calibrated the coag analyzer")[1]["text"] == "Logged"
    path = make_url(bench.db.url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)  # another process's writer
    other.execute("BEGIN IMMEDIATE")
    try:
        assert_honest_while_down(bench, ["reran control lot 7 during the lock"])
        # Nobody arriving at once (the member is new: even finding them needs a write).
        took, body = timed_win_as(bench, "U200", "first win, during the lock")
        assert took < SLACK_LIMIT and "couldn't save" in body["text"]
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert timed_win(bench, "lock gone: verified the new reagent lot")[1]["text"] == "Logged"
    assert stored_texts(bench.db.url) == Counter(
        ["calibrated the coag analyzer", "lock gone: verified the new reagent lot"]
    )


def timed_win_as(bench: Running, user: str, text: str) -> tuple[float, dict[str, Any]]:
    began = time.monotonic()
    reply = bench.client.command("/win", text, user=user)
    return time.monotonic() - began, reply.json()


# --- nothing on the answer path waits on Slack ------------------------------------------


def member_named(bench: Running, user: str, name: str, timeout: float) -> Member | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bench.db.begin() as session:
            member = session.scalars(select(Member).where(Member.slack_user_id == user)).one()
        if member.name == name:
            return member
        time.sleep(0.05)
    return None


def test_a_hanging_users_info_does_not_hold_up_a_first_win(bench: Running) -> None:
    bench.slack.delays["users.info"] = SLACK_LIMIT + 1

    took, body = timed_win_as(bench, "U200", "passed my SBB exam")

    assert took < SLACK_LIMIT, f"answered after {took:.1f} s"
    assert body["text"] == "Logged"
    assert stored_texts(bench.db.url) == Counter(["passed my SBB exam"])
    # The profile comes in after the answer.
    member = member_named(bench, "U200", "Grace Lead", timeout=SLACK_LIMIT + 5)
    assert member is not None and member.tz == "Asia/Kolkata"


def test_a_failing_users_info_does_not_hold_up_a_first_win(bench: Running) -> None:
    # Rate limited: the client waits out Retry-After twice before giving up.
    bench.slack.fail("users.info", status=429, retry_after=2, times=3)

    took, body = timed_win_as(bench, "U200", "passed my SBB exam")

    assert took < SLACK_LIMIT, f"answered after {took:.1f} s"
    assert body["text"] == "Logged"
    assert stored_texts(bench.db.url) == Counter(["passed my SBB exam"])


# --- replays ---------------------------------------------------------------------------


@pytest.fixture
def replaying(bench: Running) -> Running:
    bench.client = Replaying(bench.client.url, SECRET, bench.slack.url)
    return bench


def test_a_replayed_win_request_is_stored_once(replaying: Running) -> None:
    client = replaying.client
    assert isinstance(client, Replaying)
    first = client.command("/win", "- trained two new phlebotomists\n- passed the CAP inspection")
    assert first.json()["text"] == "Logged"

    again = client.replay()

    assert again.status == 200
    assert "handled already" in again.json()["text"]
    assert stored_texts(replaying.db.url) == Counter(
        ["trained two new phlebotomists", "passed the CAP inspection"]
    )


def test_a_replayed_win_form_submission_is_stored_once(replaying: Running) -> None:
    client = replaying.client
    assert isinstance(client, Replaying)
    client.command("/win")
    view = replaying.slack.wait_for("views.open")[0].args["view"]
    assert client.submit(view, {"text": "led the blood bank huddle"}).status == 200

    again = client.replay()

    assert again.status == 200
    assert stored_texts(replaying.db.url) == Counter(["led the blood bank huddle"])


# --- SQLite: durable before begin() returns, one fsync for many commits ------------------


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real syncs of WAL files (each still reaches the disk)."""
    counted: list[int] = []
    real = db_module.flush_file

    def flush_file(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith("-wal"):
            counted.append(fd)
        real(fd)

    monkeypatch.setattr(db_module, "flush_file", flush_file)
    return counted


def add_member(db: Database, user: str) -> None:
    with db.begin() as session:
        session.add(Member(team_id="T1", slack_user_id=user, created_at=NOW))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name fds")
def test_a_commit_that_wrote_is_fsynced_before_begin_returns(
    sqlite_url: str, fsyncs: list[int]
) -> None:
    db = Database(sqlite_url)
    add_member(db, "U1")
    assert len(fsyncs) == 1  # the WAL reached the disk before begin() returned
    with db.begin() as session:
        session.scalars(select(Member)).all()
    assert len(fsyncs) == 1  # a unit of work that only read costs no fsync
    db.dispose()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name fds")
def test_a_core_transaction_that_wrote_is_fsynced_before_it_returns(
    sqlite_url: str, fsyncs: list[int]
) -> None:
    """`Database.transaction()` (the Core unit of work `/win <text>` stores in) keeps
    the promise of `begin()`."""
    db = Database(sqlite_url)
    with db.transaction() as connection:
        connection.execute(
            insert(Member), {"team_id": "T1", "slack_user_id": "U1", "created_at": NOW}
        )
    assert len(fsyncs) == 1
    with db.transaction() as connection:
        assert connection.execute(select(Member.slack_user_id)).scalars().all() == ["U1"]
    assert len(fsyncs) == 1  # only read: no fsync
    db.dispose()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name fds")
def test_concurrent_commits_share_fsyncs(sqlite_url: str, fsyncs: list[int]) -> None:
    db = Database(sqlite_url)
    writers = 16
    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(lambda n: add_member(db, f"U{n}"), range(writers)))
    with db.begin() as session:
        assert len(session.scalars(select(Member)).all()) == writers
    assert 1 <= len(fsyncs) < writers  # grouped: fewer fsyncs than commits
    db.dispose()
