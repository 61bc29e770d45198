"""Settings: defaults, .env files, and one clear line for each bad setting."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings
from bot.logs import RedactSecrets
from bot.rules.phi import RULES


def test_defaults_need_nothing(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.coordinators == frozenset()


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nBENCHMATE_COORDINATORS=U1AB,U2CD\n")
    settings = load_settings({"PORT": "5000"}, env_file=env)
    assert settings.bot_token == "xoxb-from-file"
    assert settings.port == 5000
    assert settings.coordinators == {"U1AB", "U2CD"}


def test_phi_rules_default_to_all_and_can_be_switched_off() -> None:
    assert load_settings({}, env_file=None).phi_rules == frozenset(RULES)
    settings = load_settings({"BENCHMATE_PHI_RULES": "-zip, -url"}, env_file=None)
    assert settings.phi_rules == frozenset(RULES) - {"zip", "url"}


def test_postgres_urls_get_a_driver() -> None:
    settings = load_settings({"DATABASE_URL": "postgres://u@db/benchmate"}, env_file=None)
    assert settings.database_url == "postgresql+psycopg://u@db/benchmate"


def test_api_url_gets_a_trailing_slash() -> None:
    settings = load_settings({"SLACK_API_URL": "https://slack-gov.com/api"}, env_file=None)
    assert settings.slack_api_url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
        ({"DATABASE_URL": "benchmate.db"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"BENCHMATE_COORDINATORS": "U1AB, alice"}, "BENCHMATE_COORDINATORS"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"BENCHMATE_PHI_RULES": "-zip,-postcode"}, "BENCHMATE_PHI_RULES"),
        ({"BENCHMATE_PHI_RULES": "-zip,url"}, "BENCHMATE_PHI_RULES"),
    ],
)
def test_malformed_settings_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env, env_file=None)
    message = str(raised.value)
    assert names in message
    assert "\n" not in message


def test_require_says_how_to_fix() -> None:
    settings = load_settings({}, env_file=None)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set: copy the Signing"):
        settings.require("SLACK_SIGNING_SECRET")


def test_secrets_do_not_show_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-123-secretvalue", "SLACK_SIGNING_SECRET": "sig-abcdef"},
        env_file=None,
    )
    assert "secretvalue" not in repr(settings)
    assert "sig-abcdef" not in repr(settings)

    logger = logging.getLogger("test.redact")
    handler_filter = RedactSecrets(settings.signing_secret)
    logger.addFilter(handler_filter)
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("headers: %s", {"Authorization": "Bearer xoxb-123-secretvalue"})
        logger.info("signing with %s", "sig-abcdef")
    logger.removeFilter(handler_filter)
    text = caplog.text
    assert "secretvalue" not in text
    assert "sig-abcdef" not in text
    assert "xoxb-***" in text
