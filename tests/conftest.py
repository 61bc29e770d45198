"""Shared fixtures: a fake Slack Web API, a migrated database, and the real app behind
a real HTTP server on a loopback port."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.app import build_app
from bot.config import Secret, Settings
from bot.deps import Deps
from bot.server import Wsgi, make_server, make_wsgi_app
from bot.store.db import Database, upgrade
from tests.fakeslack import FakeSlack
from tests.slackclient import SlackClient

SECRET = "test-signing-secret"
PG_ENV = "BENCHMATE_TEST_POSTGRES_URL"


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U100", "Ada Tech", "America/Chicago")
        fake.add_user("U200", "Grace Lead", "Asia/Kolkata")
        yield fake
        assert not fake.violations, fake.violations


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'benchmate.db'}"
    upgrade(url)
    return url


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards."""
    admin = postgres_admin_url()
    if not admin:
        pytest.skip(
            f"no PostgreSQL: set {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    name = f"benchmate_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Runs a store test on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@dataclass
class Running:
    client: SlackClient
    slack: FakeSlack
    db: Database
    clock: FakeClock
    url: str
    deps: Deps


def settings_for(slack: FakeSlack, db_url: str, **extra: object) -> Settings:
    return Settings(
        bot_token=Secret("xoxb-test-token"),
        signing_secret=Secret(SECRET),
        slack_api_url=slack.api_url,
        database_url=db_url,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def bench(slack: FakeSlack, sqlite_url: str) -> Iterator[Running]:
    yield from run_app(slack, sqlite_url)


def serve_in_thread(wsgi: Wsgi) -> tuple[str, Callable[[], None]]:
    """Serve `wsgi` on waitress on a free loopback port; returns its URL and a stop."""
    server = make_server(wsgi, "127.0.0.1", 0)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # Closing the socket under waitress's select loop ends it this way.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        server.close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.effective_port}", stop


def run_app(slack: FakeSlack, db_url: str, **extra: object) -> Iterator[Running]:
    """The real Bolt app behind the real WSGI server, on a free loopback port."""
    clock = FakeClock()
    db = Database(db_url)
    deps = Deps(settings=settings_for(slack, db_url, **extra), db=db, clock=clock)
    executor = ThreadPoolExecutor(max_workers=4)
    app = build_app(deps, executor=executor)
    base, stop = serve_in_thread(make_wsgi_app(app, db, SECRET))
    try:
        yield Running(
            client=SlackClient(base + "/slack/events", SECRET, slack.url),
            slack=slack,
            db=db,
            clock=clock,
            url=base,
            deps=deps,
        )
    finally:
        executor.shutdown(wait=True)  # let lazy listeners finish while Slack is up
        deps.background.shutdown(wait=True)
        stop()
        db.dispose()


# --- the mentorship program (issue 4) ------------------------------------------------
COORDINATOR = "U900"  # in BENCHMATE_COORDINATORS for the `program` fixture


@pytest.fixture
def program(slack: FakeSlack, sqlite_url: str) -> Iterator[Running]:
    """The app with one coordinator from the environment and a few lab people."""
    slack.add_user(COORDINATOR, "Cora Coordinator", "America/Chicago")
    slack.add_user("U301", "Sam Senior", "America/Chicago", email="sam@lab.org")
    slack.add_user("U302", "Mia Mid", "America/New_York", email="mia@lab.org")
    slack.add_user("U401", "Eve Entry", "America/Chicago", email="eve@lab.org")
    slack.add_user("U402", "Ned New", "America/Denver", email="ned@lab.org")
    yield from run_app(slack, sqlite_url, coordinators=frozenset({COORDINATOR}))


@pytest.fixture(params=["sqlite", "postgresql"])
def both(request: pytest.FixtureRequest, slack: FakeSlack) -> Iterator[Running]:
    """The `program` fixture's app and people, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    for user, name, tz, email in (
        (COORDINATOR, "Cora Coordinator", "America/Chicago", None),
        ("U301", "Sam Senior", "America/Chicago", "sam@lab.org"),
        ("U302", "Mia Mid", "America/New_York", "mia@lab.org"),
        ("U401", "Eve Entry", "America/Chicago", "eve@lab.org"),
        ("U402", "Ned New", "America/Denver", "ned@lab.org"),
    ):
        slack.add_user(user, name, tz, **({"email": email} if email else {}))
    yield from run_app(slack, url, coordinators=frozenset({COORDINATOR}))
