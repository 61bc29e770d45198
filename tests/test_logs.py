"""Tokens, the signing secret and the database password never reach the logs: real
requests and scheduler jobs run with real-looking secrets and the production logging
set-up at DEBUG, an error path logs an exception, and all output is searched."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.app import build_app
from bot.config import Secret, Settings, load_settings
from bot.deps import Deps
from bot.logs import setup_logging
from bot.server import make_wsgi_app
from bot.store.db import Database
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import FakeClock, Running, serve_in_thread
from tests.fakeslack import FakeSlack
from tests.slackclient import SlackClient

BOT_TOKEN = "xoxb-2964013856-4829301752204-Zq8vN3kPfT1rYw6LbD0sHc9u"
APP_TOKEN = "xapp-1-A05QW3ERT9Y-5829301752204-9f1c2e3d4b5a69788796a5b4c3d2e1f0aa"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
DB_PASSWORD = "Pg-s3cret-Passw0rd"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, DB_PASSWORD)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged, through the production set-up (bot/logs.py), at DEBUG."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    settings = Settings(
        bot_token=Secret(BOT_TOKEN),
        signing_secret=Secret(SIGNING_SECRET),
        app_token=Secret(APP_TOKEN),
        database_url=f"postgresql+psycopg://benchmate:{DB_PASSWORD}@db.internal/benchmate",
    )
    setup_logging(*settings.secrets(), level=logging.DEBUG)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], root.level = saved


@pytest.fixture
def secret_app(slack: FakeSlack, sqlite_url: str) -> Iterator[Running]:
    """The real app behind the real server, configured with real-looking secrets."""
    settings = Settings(
        bot_token=Secret(BOT_TOKEN),
        signing_secret=Secret(SIGNING_SECRET),
        app_token=Secret(APP_TOKEN),
        slack_api_url=slack.api_url,
        database_url=sqlite_url,
    )
    db = Database(sqlite_url)
    deps = Deps(settings=settings, db=db, clock=FakeClock())
    executor = ThreadPoolExecutor(max_workers=2)
    base, stop = serve_in_thread(
        make_wsgi_app(build_app(deps, executor=executor), db, SIGNING_SECRET)
    )
    try:
        yield Running(
            client=SlackClient(base + "/slack/events", SIGNING_SECRET, slack.url),
            slack=slack,
            db=db,
            clock=deps.clock,  # type: ignore[arg-type]
            url=base,
            deps=deps,
        )
    finally:
        executor.shutdown(wait=True)
        deps.background.shutdown(wait=True)
        stop()
        db.dispose()


def test_requests_jobs_and_errors_log_no_secret(captured: io.StringIO, secret_app: Running) -> None:
    bench = secret_app
    bench.client.command("/win", "validated the new chemistry analyzer")
    bench.client.command("/win")
    bench.slack.wait_for("views.open")
    bench.client.click("home_export", where="home")
    bench.slack.wait_for("files.completeUploadExternal")
    bench.client.event({"type": "app_home_opened", "user": "U100", "tab": "home"})
    bench.client.command("/win", "forged", secret="wrong-secret")  # a 401
    run_pass(bench.deps, scheduler_gateway(bench.deps), bench.clock.now())
    logging.getLogger("test").info("settings at start-up: %r", bench.deps.settings)
    logging.getLogger("test").info("deps: %s", bench.deps)
    # An error path: the database breaks under a request, which logs the exception.
    with bench.db.begin() as session:
        session.execute(text("ALTER TABLE members RENAME TO members_gone"))
    bench.client.command("/win", "restocked the blood bank fridge", user="U200")

    logged = captured.getvalue()
    # It did log: Slack calls at DEBUG, and the error with its traceback.
    assert "chat.postMessage" in logged or "views.open" in logged
    assert "Traceback" in logged and "members" in logged
    for secret in SECRETS:
        assert secret not in logged
    assert BOT_TOKEN[:16] not in logged  # not even most of it


def test_an_exception_carrying_a_secret_is_logged_without_it(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    try:
        raise RuntimeError(f"Slack refused {BOT_TOKEN} signed with {SIGNING_SECRET}")
    except RuntimeError:
        log.exception("could not start with %s", APP_TOKEN)
    log.warning("connecting to %s", f"postgresql://benchmate:{DB_PASSWORD}@db.internal/x")
    log.info("where from", stack_info=True)

    logged = captured.getvalue()
    assert "RuntimeError: Slack refused xoxb-***" in logged  # the traceback is there, cleaned
    for secret in SECRETS:
        assert secret not in logged


def test_settings_from_the_environment_name_every_secret() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "DATABASE_URL": f"postgres://benchmate:{DB_PASSWORD}@db.internal/benchmate",
        },
        env_file=None,
    )
    assert set(settings.secrets()) == set(SECRETS)
    assert not any(secret in repr(settings) for secret in SECRETS[:3])
