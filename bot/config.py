"""Settings from the environment (and a `.env` file), checked once at start-up.

A missing or malformed setting raises `ConfigError` with one line that names the
variable and says how to fix it; the CLI prints that line and exits. Secrets are kept
in `Secret` so that a stray `repr()` or log line never shows them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.rules.credentials import Catalog, CatalogError, load_catalog
from bot.rules.phi import RULES, RulesError, parse_rules

SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///benchmate.db"
DEFAULT_PORT = 3000

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for a human."""


class Secret(str):
    """A string that hides itself in `repr` (and so in logged dataclasses)."""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True)
class Settings:
    bot_token: Secret | None = None
    signing_secret: Secret | None = None
    app_token: Secret | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = SLACK_API_URL
    coordinators: frozenset[str] = field(default_factory=frozenset)
    # Program-wide goal review dates (month, day); empty: six months after each goal.
    review_dates: tuple[tuple[int, int], ...] = ()
    port: int = DEFAULT_PORT
    # The credential catalog: built in, plus a deployer's BENCHMATE_CREDENTIAL_CATALOG file.
    credential_catalog: Catalog = field(default_factory=load_catalog)
    # The patient-data guard's enabled rules (BENCHMATE_PHI_RULES; default: all).
    phi_rules: frozenset[str] = frozenset(RULES)
    # Settings still holding the .env.example placeholder (they count as not set).
    placeholders: frozenset[str] = field(default_factory=frozenset)
    # Sandbox and tests only: read `now` from this file (bot/clock.py FileClock).
    clock_file: str | None = None

    def secrets(self) -> tuple[str, ...]:
        """What logs must never show: the tokens, the signing secret and the database
        password (bot/logs.py masks each wherever it appears)."""
        try:
            password = urlsplit(self.database_url).password
        except ValueError:  # an unreadable URL fails at connect time, not here
            password = None
        values = (self.bot_token, self.signing_secret, self.app_token, password)
        return tuple(str(v) for v in values if v)

    def require(self, *names: str) -> None:
        """Fail clearly when a mode needs a setting that was not given."""
        for name in names:
            if name in self.placeholders:
                raise ConfigError(
                    f"{name} is still the placeholder from .env.example: {_HOW_TO_FIX[name]}"
                )
            if not getattr(self, _ATTR_FOR[name]):
                raise ConfigError(f"{name} is not set: {_HOW_TO_FIX[name]}")


_ATTR_FOR = {
    "SLACK_BOT_TOKEN": "bot_token",
    "SLACK_SIGNING_SECRET": "signing_secret",
    "SLACK_APP_TOKEN": "app_token",
}
_HOW_TO_FIX = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from your app's "
    "'OAuth & Permissions' page into .env",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's 'Basic Information' "
    "page into .env",
    "SLACK_APP_TOKEN": "create an app-level token with connections:write under 'Basic "
    "Information' and put it (xapp-...) in .env",
}


# What older copies of .env.example put in the token settings. Such a value counts as not
# set (so `make run` on a copied template opens the sandbox), and a command that needs the
# setting says it is still the placeholder.
PLACEHOLDERS = {
    "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
    "SLACK_SIGNING_SECRET": "your-signing-secret",
    "SLACK_APP_TOKEN": "xapp-your-app-token",
}

# What a DATABASE_URL error suggests instead.
SUPPORTED_DATABASES = "use sqlite:///benchmate.db (a file) or postgresql://user@host/dbname"


def refused(name: str, error: str) -> ConfigError:
    """Slack turned down a token at start-up (e.g. `invalid_auth`): one line saying which."""
    return ConfigError(f"{name} was refused by Slack ({error}): {_HOW_TO_FIX[name]}")


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings: the process environment wins over the `.env` file."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str:
        return values.get(name, "").strip()

    placeholders = frozenset(n for n, p in PLACEHOLDERS.items() if get(n) == p)
    for name in placeholders:
        values[name] = ""

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-': "
            + _HOW_TO_FIX["SLACK_BOT_TOKEN"]
        )
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-': "
            + _HOW_TO_FIX["SLACK_APP_TOKEN"]
        )

    database_url = check_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)

    api_url = get("SLACK_API_URL") or SLACK_API_URL
    if not re.match(r"^https?://", api_url):
        raise ConfigError(
            "SLACK_API_URL must be an http(s) URL such as https://slack.com/api/ "
            "(leave it unset to use Slack's own)"
        )
    if not api_url.endswith("/"):
        api_url += "/"

    coordinators = frozenset(
        c.strip() for c in get("BENCHMATE_COORDINATORS").split(",") if c.strip()
    )
    bad = sorted(c for c in coordinators if not _USER_ID.match(c))
    if bad:
        raise ConfigError(
            f"BENCHMATE_COORDINATORS has {', '.join(bad)}, which is not a Slack user ID: "
            "list member IDs (e.g. U012AB3CD) separated by commas"
        )

    review_dates = parse_review_dates(get("BENCHMATE_REVIEW_DATES"))

    catalog_path = get("BENCHMATE_CREDENTIAL_CATALOG")
    try:
        catalog = load_catalog(catalog_path or None)
    except CatalogError as exc:
        raise ConfigError(
            f"BENCHMATE_CREDENTIAL_CATALOG: {exc} (see docs/credentials.md for the format)"
        ) from exc
    try:
        phi_rules = parse_rules(get("BENCHMATE_PHI_RULES"))
    except RulesError as exc:
        raise ConfigError(str(exc)) from None

    port_text = get("PORT") or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {port_text!r}")

    clock_file = get("BENCHMATE_CLOCK_FILE") or None
    if clock_file and not Path(clock_file).is_file():
        raise ConfigError(
            f"BENCHMATE_CLOCK_FILE names {clock_file!r}, which is not a file: it is for the "
            "sandbox and tests only (leave it unset to use the system clock)"
        )

    return Settings(
        bot_token=Secret(bot_token) if bot_token else None,
        signing_secret=Secret(get("SLACK_SIGNING_SECRET")) if get("SLACK_SIGNING_SECRET") else None,
        app_token=Secret(app_token) if app_token else None,
        database_url=database_url,
        slack_api_url=api_url,
        coordinators=coordinators,
        review_dates=review_dates,
        port=int(port_text),
        credential_catalog=catalog,
        phi_rules=phi_rules,
        placeholders=placeholders,
        clock_file=clock_file,
    )


def check_database_url(url: str) -> str:
    """The SQLAlchemy URL for `url`, or one line saying why Benchmate cannot use it.

    Only SQLite and PostgreSQL (through psycopg 3, the driver Benchmate installs) work:
    the store uses their `ON CONFLICT` inserts, and no other driver is installed.
    """
    # Heroku-style hosts hand out postgres:// URLs; SQLAlchemy wants a driver name.
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url)
    if not match:
        raise ConfigError(f"DATABASE_URL is malformed: {SUPPORTED_DATABASES}")
    scheme = match[1].lower()
    if scheme in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        return url
    if scheme.startswith(("postgres", "sqlite")):
        raise ConfigError(
            f"DATABASE_URL asks for the driver in {scheme}://, which Benchmate does not "
            f"install: {SUPPORTED_DATABASES}"
        )
    raise ConfigError(
        f"DATABASE_URL is a {scheme}:// database, which Benchmate does not support: "
        f"{SUPPORTED_DATABASES}"
    )


def bot_token_configured(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> bool:
    """Whether SLACK_BOT_TOKEN is set to something (the environment wins over `.env`, as
    in `load_settings`); the placeholder of older copies of .env.example counts as not
    set. `make run` starts the sandbox when it is not."""
    environ = os.environ if environ is None else environ
    if "SLACK_BOT_TOKEN" in environ:
        value = environ["SLACK_BOT_TOKEN"]
    elif env_file and Path(env_file).is_file():
        value = dotenv_values(env_file).get("SLACK_BOT_TOKEN") or ""
    else:
        value = ""
    return value.strip() not in ("", PLACEHOLDERS["SLACK_BOT_TOKEN"])


def parse_review_dates(text: str) -> tuple[tuple[int, int], ...]:
    """'06-01,12-01' -> ((6, 1), (12, 1))."""
    dates = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", part)
        valid = False
        if match:
            month, day = int(match[1]), int(match[2])
            valid = 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 31)
        if not valid:
            raise ConfigError(
                f"BENCHMATE_REVIEW_DATES has {part!r}: list month-day dates such as "
                "06-01,12-01 (or leave it empty for a review six months after each goal)"
            )
        dates.append((month, day))
    return tuple(sorted(set(dates)))
