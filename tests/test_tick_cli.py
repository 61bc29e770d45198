"""`benchmate tick`: one pass from the command line, one line per nudge and a summary."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.slack.gateway import SlackGateway, make_client
from bot.store.db import Database
from bot.usecases.members import ensure_member
from tests.fakeslack import FakeSlack

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, slack: FakeSlack, sqlite_url: str) -> str:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.chdir("/")  # no stray .env
    db = Database(sqlite_url)
    gateway = SlackGateway(make_client("xoxb-test-token", slack.api_url))
    ensure_member(db, gateway, "T0001", "U100", NOW)  # Chicago: due Fri 20:00 UTC
    db.dispose()
    return sqlite_url


def test_tick_prints_each_nudge_and_a_summary(
    env: str, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tick", "--now", "2026-11-20T15:00:00Z"]) == 0
    assert capsys.readouterr().out == "pass at 2026-11-20T15:00:00Z: nothing due\n"

    assert main(["tick", "--now", "2026-11-20T20:00:00Z", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["would", "send", "weekly_prompt", "U100", "2026-W47"]
    assert out[-1] == "dry run at 2026-11-20T20:00:00Z: 1 would send"
    assert slack.sent("chat.postMessage") == []

    assert main(["tick", "--now", "2026-11-20T14:00:00-06:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["sent", "weekly_prompt", "U100", "2026-W47"]
    assert out[-1] == "pass at 2026-11-20T20:00:00Z: 1 sent"
    assert len(slack.sent("chat.postMessage")) == 1

    assert main(["tick", "--now", "2026-11-20T20:01:00Z"]) == 0
    assert capsys.readouterr().out.endswith("nothing due\n")


def test_tick_rejects_a_malformed_instant(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tick", "--now", "next friday"])
    assert "is not an ISO 8601 instant" in capsys.readouterr().err
