"""The `benchmate` command as an operator runs it: real processes, real ports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Win
from tests.conftest import SECRET
from tests.fakeslack import FakeSlack
from tests.served import Served
from tests.slackclient import SlackClient

BENCHMATE = [sys.executable, "-m", "bot.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BENCHMATE_"))}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        BENCHMATE + args,
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[tuple[str, Path, Served]]:
    """`benchmate serve` as its own process, on a fresh SQLite file it must create."""
    db_file = tmp_path / "fresh.db"
    server = Served.start(
        [*BENCHMATE, "serve"],
        clean_env(
            SLACK_BOT_TOKEN="xoxb-cli-secret-token",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{db_file}",
        ),
        tmp_path,
    )
    server.wait_listening()
    with urllib.request.urlopen(server.base + "/healthz", timeout=10) as response:
        assert response.status == 200
    yield server.base, db_file, server
    if server.process.poll() is None:
        server.stop()


def test_serve_migrates_a_new_database_and_answers(
    served: tuple[str, Path, Served], slack: FakeSlack
) -> None:
    base, db_file, server = served
    client = SlackClient(base + "/slack/events", SECRET, slack.url)

    reply = client.command("/win", "ran the first CBC on the new analyzer")

    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    # Stored before the answer (see tests/test_durable_win.py for crashes).
    db = Database(f"sqlite:///{db_file}")
    with db.begin() as session:
        texts = list(session.scalars(select(Win.text)))
    db.dispose()
    assert texts == ["ran the first CBC on the new analyzer"]
    assert client.command("/win", "forged", secret="wrong-secret").status == 401

    output = server.stop()
    assert "listening on" in output
    assert "WARNING" not in output and "Traceback" not in output
    assert "xoxb-cli-secret-token" not in output
    assert SECRET not in output


def test_a_stopped_server_still_writes_the_win_it_answered(
    served: tuple[str, Path, Served], slack: FakeSlack
) -> None:
    base, db_file, server = served
    client = SlackClient(base + "/slack/events", SECRET, slack.url)
    assert client.command("/win", "covered the night shift at short notice").status == 200

    server.stop()  # SIGTERM, as a host stops a process: at once, no grace
    assert server.process.returncode == 0
    db = Database(f"sqlite:///{db_file}")
    with db.begin() as session:
        assert list(session.scalars(select(Win.text))) == [
            "covered the night shift at short notice"
        ]
    db.dispose()


def test_serve_without_signing_secret_stops_with_one_clear_line(tmp_path: Path) -> None:
    result = run(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr


def test_malformed_setting_stops_start_up(tmp_path: Path) -> None:
    result = run(["serve"], tmp_path, PORT="eighty")
    assert result.returncode == 2
    assert "PORT must be a number" in result.stderr


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    result = run(["socket"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "benchmate.db").is_file()  # the default DATABASE_URL
    again = run(["db", "upgrade"], tmp_path)
    assert again.returncode == 0


def test_export_prints_a_members_wins(tmp_path: Path, bench_with_wins: str) -> None:
    as_json = run(
        ["export", "--user", "U100", "--format", "json"], tmp_path, DATABASE_URL=bench_with_wins
    )
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [w["text"] for w in data["wins"]] == ["validated the new coag analyzer"]
    assert data["wins"][0]["source"] == "slash"
    assert data["wins"][0]["logged_at"].endswith("Z")

    as_csv = run(
        ["export", "--user", "U100", "--format", "csv"], tmp_path, DATABASE_URL=bench_with_wins
    )
    assert as_csv.stdout.splitlines()[0].startswith("date,category,win")

    as_md = run(
        ["export", "--user", "U100", "--format", "md"], tmp_path, DATABASE_URL=bench_with_wins
    )
    assert as_md.stdout.startswith("# Brag document")


def test_export_of_an_unknown_member_says_so(tmp_path: Path, bench_with_wins: str) -> None:
    result = run(["export", "--user", "U404"], tmp_path, DATABASE_URL=bench_with_wins)
    assert result.returncode == 1
    assert "no member with Slack user id U404" in result.stderr


@pytest.fixture
def bench_with_wins(bench: object) -> str:
    client = bench.client  # type: ignore[attr-defined]
    assert client.command("/win", "validated the new coag analyzer").status == 200
    client.command("/win", "someone else's win", user="U200")
    return str(bench.db.url)  # type: ignore[attr-defined]


def test_a_refused_bot_token_stops_start_up_with_one_clear_line(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.fail("auth.test", "invalid_auth")
    result = run(
        ["serve"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-revoked-token",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "benchmate: configuration error: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): "
        "copy the Bot User OAuth Token (xoxb-...) from your app's 'OAuth & Permissions' page "
        "into .env"
    ]
    assert "xoxb-revoked-token" not in result.stdout + result.stderr
