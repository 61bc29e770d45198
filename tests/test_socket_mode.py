"""`benchmate socket` as an operator runs it: its own process, talking Socket Mode to a
local Slack (tests/fakeslack.py for the Web API, tests/fakesocket.py for the WebSocket),
on a fresh SQLite file it must create itself."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Win
from tests.fakeslack import FakeSlack
from tests.fakesocket import SocketModeServer, SocketModeSlackClient
from tests.test_cli import BENCHMATE, clean_env, run

BOT_TOKEN = "xoxb-socket-secret-bot-token"
APP_TOKEN = "xapp-1-A0001-socket-secret-app-token"


@dataclass
class SocketApp:
    client: SocketModeSlackClient
    server: SocketModeServer
    db_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> str:
        """Stop the process (if still running) and return everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.log.read_text()


@pytest.fixture
def socket_app(tmp_path: Path, slack: FakeSlack) -> Iterator[SocketApp]:
    with SocketModeServer() as server:
        slack.socket_urls = server.new_url
        db_file = tmp_path / "fresh.db"
        log = tmp_path / "socket.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*BENCHMATE, "socket"],
                cwd=tmp_path,
                env=clean_env(
                    SLACK_BOT_TOKEN=BOT_TOKEN,
                    SLACK_APP_TOKEN=APP_TOKEN,
                    SLACK_API_URL=slack.api_url,
                    DATABASE_URL=f"sqlite:///{db_file}",
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        running = SocketApp(
            SocketModeSlackClient(server, slack.url), server, f"sqlite:///{db_file}", process, log
        )
        try:
            deadline = time.monotonic() + 30
            while not server.connections:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"socket mode did not connect:\n{running.stop()}")
                time.sleep(0.1)
            yield running
        finally:
            running.stop()  # before the WebSocket server goes, so the app doesn't reconnect


def wins_in(db_url: str, count: int) -> list[Win]:
    """The wins in the app's database once there are `count` (the envelope is sent
    before the app has handled it), or what is there after 5 s."""
    db = Database(db_url)
    deadline = time.monotonic() + 5
    try:
        while True:
            with db.begin() as session:
                wins = list(session.scalars(select(Win)))
                session.expunge_all()
            if len(wins) == count or time.monotonic() > deadline:
                return wins
            time.sleep(0.02)
    finally:
        db.dispose()


def test_win_over_socket_mode(socket_app: SocketApp, slack: FakeSlack) -> None:
    reply = socket_app.client.command("/win", "passed my SBB exam")

    [ack] = socket_app.server.acks.values()
    assert ack["envelope_id"] == "env-0001"
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "passed my SBB exam" in reply.body.decode()
    assert [b["type"] for b in ack["payload"]["blocks"]][-1] == "actions"  # Edit, Undo

    [win] = wins_in(socket_app.db_url, 1)
    assert (win.text, win.source, win.team_id) == ("passed my SBB exam", "slash", "T0001")

    # The app-level token opened the connection, in the header; the bot token did the rest.
    [opened] = slack.sent("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert {c.token for c in slack.calls if c.method != "apps.connections.open"} == {BOT_TOKEN}

    output = socket_app.stop()
    assert "new session has been established" in output
    assert APP_TOKEN not in output
    assert BOT_TOKEN not in output
    assert not socket_app.server.unexpected


def test_undo_button_over_socket_mode(socket_app: SocketApp, slack: FakeSlack) -> None:
    logged = socket_app.client.command("/win", "ran the first CBC on the new analyzer").json()
    undo = logged["blocks"][-1]["elements"][0]

    reply = socket_app.client.click(undo["action_id"], undo["value"])

    assert reply.body == b""  # a bare ack; the answer goes to the response_url after it
    [answer] = slack.wait_for_response()
    assert answer["replace_original"] is True
    assert "Removed 1 win" in json.dumps(answer["blocks"])
    assert wins_in(socket_app.db_url, 0) == []


def test_home_tab_event_over_socket_mode(socket_app: SocketApp, slack: FakeSlack) -> None:
    event = {"type": "app_home_opened", "user": "U100", "channel": "D0100", "tab": "home"}
    reply = socket_app.client.event({**event, "event_ts": f"{time.time():.6f}"})

    assert reply.body == b""  # events are acknowledged with the envelope id alone
    [published] = slack.wait_for("views.publish")
    assert published.args["user_id"] == "U100"


def test_reconnects_when_slack_recycles_the_connection(
    socket_app: SocketApp, slack: FakeSlack
) -> None:
    socket_app.server.disconnect("refresh_requested")

    socket_app.server.wait_connected(2, timeout=10)
    assert len(slack.wait_for("apps.connections.open", 2)) == 2
    assert [path.split("ticket=")[1][:2] for path in socket_app.server.paths] == ["t1", "t2"]
    socket_app.client.command("/win", "calibrated the new hematology analyzer")
    assert [w.text for w in wins_in(socket_app.db_url, 1)] == [
        "calibrated the new hematology analyzer"
    ]


def test_a_refused_app_token_stops_start_up_with_one_clear_line(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.fail("apps.connections.open", "invalid_auth")
    result = run(
        ["socket"],
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("benchmate: configuration error: SLACK_APP_TOKEN was refused by Slack")
    assert "(invalid_auth)" in last
    assert "Traceback" not in result.stderr
    assert APP_TOKEN not in result.stderr + result.stdout


def test_socket_mode_requests_get_the_same_checks_as_http(
    socket_app: SocketApp, slack: FakeSlack
) -> None:
    # Wrongly shaped: acknowledged (so Slack does not resend) and dropped, nothing saved.
    reply = socket_app.client.command("/win", "a win from nobody", user="None")
    assert reply.body == b""
    broken = {"type": "block_actions", "user": {"id": "U100"}, "team": {"id": "T0001"}}
    assert socket_app.client.interactive({**broken, "actions": "win_undo"}).body == b""
    # People's text loses NUL and other control characters, the rest is kept.
    reply = socket_app.client.command("/win", "trained\x00 two\x07 new techs")
    assert "Logged" in reply.body.decode()
    [win] = wins_in(socket_app.db_url, 1)
    assert win.text == "trained two new techs"
    output = socket_app.stop()
    assert "malformed slash_commands from Slack over Socket Mode: no user_id" in output
    assert "Traceback" not in output
