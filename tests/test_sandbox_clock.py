"""The settings the sandbox relies on: the file clock and "is a Slack token configured"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import clock_for
from bot.clock import FileClock, SystemClock
from bot.config import ConfigError, bot_token_configured, load_settings


def test_the_clock_file_setting_selects_a_clock_read_on_every_call(tmp_path: Path) -> None:
    clock_file = tmp_path / "clock"
    clock_file.write_text("2026-12-04T20:00:00+00:00")
    settings = load_settings({"BENCHMATE_CLOCK_FILE": str(clock_file)}, env_file=None)
    clock = clock_for(settings)
    assert isinstance(clock, FileClock)
    assert clock.now() == datetime(2026, 12, 4, 20, tzinfo=UTC)
    clock_file.write_text("2026-12-05T09:30:00-06:00")  # the sandbox moved time
    assert clock.now() == datetime(2026, 12, 5, 15, 30, tzinfo=UTC)


def test_without_the_setting_it_is_the_system_clock() -> None:
    assert isinstance(clock_for(load_settings({}, env_file=None)), SystemClock)


def test_a_clock_file_that_is_not_there_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BENCHMATE_CLOCK_FILE"):
        load_settings({"BENCHMATE_CLOCK_FILE": str(tmp_path / "nope")}, env_file=None)


def test_make_run_chooses_the_sandbox_when_no_token_is_configured(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    assert not bot_token_configured({}, env_file=env_file)
    env_file.write_text("SLACK_BOT_TOKEN=\nSLACK_SIGNING_SECRET=x\n")  # .env.example copied
    assert not bot_token_configured({}, env_file=env_file)
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-your-bot-token\n")  # an older template
    assert not bot_token_configured({}, env_file=env_file)
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-123\n")
    assert bot_token_configured({}, env_file=env_file)
    assert not bot_token_configured({"SLACK_BOT_TOKEN": " "}, env_file=env_file)  # env wins
    assert bot_token_configured({"SLACK_BOT_TOKEN": "xoxb-9"}, env_file=None)
