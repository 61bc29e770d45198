"""One clear line for a broken setting, from every command.

Each test runs the installed `benchmate` command as its own process, as an operator
would, and checks what lands on stderr: exactly one line that says what is wrong and
what to do, a non-zero exit, and no traceback. Also: the commands that need no Slack
token run without one, and Alembic's INFO lines stay out of ordinary output.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ENV, SECRET, Running
from tests.fakeslack import FakeSlack

# The console script pip installed next to this Python (what `make` puts in .venv/bin);
# `python -m bot.cli` where the project is not installed.
_SCRIPT = Path(sys.executable).with_name("benchmate")
BENCHMATE = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parents[1]

ROSTER = "user,role,career level\nU100,mentor,senior\nU200,mentee,entry\n"

# Every command, as an operator types it ({roster} is a good roster file).
COMMANDS = {
    "serve": ["serve", "--host", "127.0.0.1", "--port", "0"],
    "socket": ["socket"],
    "clock": ["clock"],
    "tick": ["tick"],
    "tick --dry-run": ["tick", "--dry-run"],
    "db upgrade": ["db", "upgrade"],
    "export": ["export", "--user", "U100"],
    "report": ["report"],
    "roster import": ["roster", "import", "{roster}"],
    "roster import --dry-run": ["roster", "import", "{roster}", "--dry-run"],
}


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(
    args: list[str], cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "BENCHMATE_")) and k not in ("DATABASE_URL", "PORT")
    }
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env)
    return subprocess.run(
        BENCHMATE + args, cwd=cwd, env=clean, capture_output=True, text=True, timeout=timeout
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr and nothing on stdout."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert lines[0].startswith("benchmate: ")
    return lines[0]


@pytest.fixture
def roster(tmp_path: Path) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    return str(path)


def every_command(roster: str) -> list[tuple[str, list[str]]]:
    return [
        (name, [roster if a == "{roster}" else a for a in args]) for name, args in COMMANDS.items()
    ]


# Tokens are set, and Slack is a closed port: a command that got past the database would
# say "cannot reach Slack" instead, and fail the check on the line's content.
def tokens_with_slack_down() -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "xapp-test-token",
        "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/",
    }


def check_every_command(tmp_path: Path, roster: str, database_url: str, *expected: str) -> None:
    for name, args in every_command(roster):
        result = run(args, tmp_path, DATABASE_URL=database_url, **tokens_with_slack_down())
        line = one_line(result)
        for words in expected:
            assert words in line, f"{name}: {line}"


def test_an_unsupported_database_scheme(tmp_path: Path, roster: str) -> None:
    check_every_command(
        tmp_path,
        roster,
        "mysql://benchmate:pw@db.example.org/benchmate",
        "configuration error: DATABASE_URL is a mysql:// database, which Benchmate does not "
        "support: use sqlite:///benchmate.db (a file) or postgresql://user@host/dbname",
    )
    # A PostgreSQL driver Benchmate does not install is named as such.
    line = one_line(run(["report"], tmp_path, DATABASE_URL="postgresql+psycopg2://u@h/db"))
    assert "postgresql+psycopg2://" in line and "does not install" in line


def test_an_unreachable_postgresql_server(tmp_path: Path, roster: str) -> None:
    port = closed_port()
    check_every_command(
        tmp_path,
        roster,
        f"postgresql://benchmate:hunter2@127.0.0.1:{port}/benchmate",
        f"cannot reach PostgreSQL at 127.0.0.1:{port} (connection refused)",
        "***",  # the URL is shown, its password never
    )


def test_a_missing_postgresql_database(tmp_path: Path, roster: str) -> None:
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL: set {PG_ENV}")
    name = f"benchmate_missing_{uuid.uuid4().hex[:8]}"  # never created
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    check_every_command(
        tmp_path,
        roster,
        url,
        f'has no database "{name}": create it (e.g. `createdb {name}`)',
    )


def test_an_unmigrated_postgresql_database(tmp_path: Path, roster: str) -> None:
    """Only `db upgrade` migrates PostgreSQL (the release step); the others say so."""
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL: set {PG_ENV}")
    name = f"benchmate_empty_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        for command, args in every_command(roster):
            if command == "db upgrade":
                continue
            result = run(args, tmp_path, DATABASE_URL=url, **tokens_with_slack_down())
            assert one_line(result) == (
                "benchmate: the database schema is not up to date: run `benchmate db upgrade` first"
            ), command
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        engine.dispose()


def test_a_postgresql_user_that_does_not_exist(tmp_path: Path) -> None:
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL: set {PG_ENV}")
    url = make_url(admin).set(username="nobody_here", password="pw")
    line = one_line(run(["report"], tmp_path, DATABASE_URL=url.render_as_string(False)))
    assert f"PostgreSQL at {url.host}:{url.port or 5432} refused user 'nobody_here'" in line
    assert "pw@" not in line and "***" in line


@pytest.mark.parametrize("where", ["missing folder", "folder is a file"])
def test_an_unwritable_sqlite_path(tmp_path: Path, roster: str, where: str) -> None:
    # (Tests may run as root, who may write anywhere; these two fail for anyone.)
    if where == "missing folder":
        path = tmp_path / "no" / "such" / "folder" / "benchmate.db"
    else:
        (tmp_path / "a-file").write_text("")
        path = tmp_path / "a-file" / "benchmate.db"
    check_every_command(
        tmp_path,
        roster,
        f"sqlite:///{path}",
        f"cannot open the SQLite database {path}",
        "its folder must exist and be writable",
    )


def test_a_postgresql_server_that_never_answers_is_given_up_on(tmp_path: Path) -> None:
    """A server that accepts the connection but never answers (a hung host, a firewall):
    the command gives up after the connect timeout instead of waiting for minutes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = run(
            ["db", "upgrade"],
            tmp_path,
            DATABASE_URL=f"postgresql://u@127.0.0.1:{port}/benchmate?connect_timeout=2",
        )
        took = time.monotonic() - started
    assert f"cannot reach PostgreSQL at 127.0.0.1:{port} (no answer in time)" in one_line(result)
    assert took < 30  # 2 s asked for; the bound is loose because the machine is shared


def test_the_default_connect_timeout_is_bounded(tmp_path: Path) -> None:
    """No connect_timeout in the URL: Benchmate's own (bot/store/db.py, 2 s) applies."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        result = run(
            ["report"], tmp_path, timeout=45, DATABASE_URL=f"postgresql://u@127.0.0.1:{port}/b"
        )
    assert "(no answer in time)" in one_line(result)


def test_roster_dry_run_with_slack_unreachable(tmp_path: Path, roster: str) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/"
    for args in (["roster", "import", roster, "--dry-run"], ["roster", "import", roster]):
        line = one_line(run(args, tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_API_URL=api))
        assert line.startswith(f"benchmate: cannot reach Slack at {api} (")
        assert "Connection refused" in line
    # --team skips nothing: the token is still checked before any row is looked up.
    line = one_line(
        run(
            ["roster", "import", roster, "--dry-run", "--team", "T0001"],
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_API_URL=api,
        )
    )
    assert "cannot reach Slack" in line


def test_serve_and_socket_with_slack_unreachable(tmp_path: Path) -> None:
    """Both check the bot token with Slack before they start (clock and tick do not:
    a pass records each failed delivery and tries again later)."""
    settings = tokens_with_slack_down()
    for args in (["serve", "--port", "0"], ["socket"]):
        line = one_line(run(args, tmp_path, **settings))
        assert line.startswith(f"benchmate: cannot reach Slack at {settings['SLACK_API_URL']} (")


class _SlackThatHangsUp(http.server.BaseHTTPRequestHandler):
    """Answers auth.test, then drops every other call without an answer: Slack lost
    half-way through an import."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/auth.test"):
            body = json.dumps({"ok": True, "team_id": "T0001", "user_id": "UBOT"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.close_connection = True  # no answer at all

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("dry_run", [True, False])
def test_roster_import_when_slack_goes_away_half_way(
    tmp_path: Path, roster: str, dry_run: bool
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlackThatHangsUp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{server.server_address[1]}/api/"
    db_file = tmp_path / "benchmate.db"
    try:
        result = run(
            ["roster", "import", roster, *(["--dry-run"] if dry_run else [])],
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_API_URL=api,
            DATABASE_URL=f"sqlite:///{db_file}",
        )
    finally:
        server.shutdown()
        server.server_close()
    line = one_line(result)
    assert line.startswith(f"benchmate: lost the connection to Slack at {api} while looking")
    assert line.endswith("nothing imported; try again")
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("SELECT count(*) FROM program_profiles").fetchone() == (0,)


def test_roster_dry_run_with_a_refused_token(tmp_path: Path, roster: str, slack: FakeSlack) -> None:
    slack.fail("auth.test", "invalid_auth")
    result = run(
        ["roster", "import", roster, "--dry-run"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-revoked-token",
        SLACK_API_URL=slack.api_url,
    )
    assert one_line(result) == (
        "benchmate: configuration error: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): "
        "copy the Bot User OAuth Token (xoxb-...) from your app's 'OAuth & Permissions' page "
        "into .env"
    )
    assert result.returncode == 2
    assert slack.sent("users.lookupByEmail") == [] and slack.sent("users.info") == []


def test_roster_dry_run_without_a_token_says_so(tmp_path: Path, roster: str) -> None:
    line = one_line(run(["roster", "import", roster, "--dry-run"], tmp_path))
    assert "SLACK_BOT_TOKEN is not set" in line


def test_roster_dry_run_that_works_prints_only_its_answer(
    tmp_path: Path, roster: str, slack: FakeSlack
) -> None:
    result = run(
        ["roster", "import", roster, "--dry-run"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=slack.api_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "would import 2 people: 2 new, 0 updated\n"
    assert result.stderr == ""  # no Alembic INFO lines from migrating the new SQLite file


# --- The commands that need no Slack token ---------------------------------------------


@pytest.fixture
def logged(bench: Running) -> str:
    """A database with a member (U100, Chicago, weekly prompt due Fri 20:00 UTC) and a win."""
    from bot.usecases.prompts import schedule_unscheduled

    assert bench.client.command("/win", "validated the new coag analyzer").status == 200
    with bench.db.begin() as session:  # what the first scheduler pass would do
        assert schedule_unscheduled(session, datetime(2026, 11, 20, 15, 0, tzinfo=UTC)) == 1
    return str(bench.db.url)


def test_commands_that_need_no_slack_token_run_without_one(tmp_path: Path, logged: str) -> None:
    """No SLACK_* setting at all, and no output but the command's own."""
    upgraded = run(["db", "upgrade"], tmp_path, DATABASE_URL=logged)
    assert (upgraded.returncode, upgraded.stderr) == (0, "")
    assert upgraded.stdout == "database is at the newest schema\n"

    exported = run(["export", "--user", "U100", "--format", "csv"], tmp_path, DATABASE_URL=logged)
    assert (exported.returncode, exported.stderr) == (0, "")
    assert "validated the new coag analyzer" in exported.stdout

    report = run(["report", "--format", "json"], tmp_path, DATABASE_URL=logged)
    assert (report.returncode, report.stderr) == (0, "")
    assert '"figures"' in report.stdout or report.stdout.lstrip().startswith("{")

    dry = run(["tick", "--dry-run", "--now", "2026-11-20T20:00:00Z"], tmp_path, DATABASE_URL=logged)
    assert (dry.returncode, dry.stderr) == (0, ""), dry.stderr
    out = dry.stdout.splitlines()
    assert out[0].split() == ["would", "send", "weekly_prompt", "U100", "2026-W47"]
    assert out[-1] == "dry run at 2026-11-20T20:00:00Z: 1 would send"


def test_a_fresh_sqlite_database_is_made_quietly(tmp_path: Path) -> None:
    """The first command on a new SQLite file migrates it without Alembic's INFO chatter."""
    for args in (["report"], ["tick", "--dry-run"], ["db", "upgrade"]):
        db_file = tmp_path / f"{args[0]}.db"
        result = run(args, tmp_path, DATABASE_URL=f"sqlite:///{db_file}")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "alembic" not in result.stdout.lower()
        assert db_file.is_file()


def test_serve_on_a_port_in_use(tmp_path: Path, slack: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            ["serve", "--host", "127.0.0.1"],
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
        )
    assert one_line(result) == (
        f"benchmate: cannot listen on 127.0.0.1:{port} (Address already in use): choose "
        "another port with PORT or --port, or stop the program that uses it"
    )


def test_commands_that_need_a_token_say_so_in_one_line(tmp_path: Path, roster: str) -> None:
    for args in (["serve"], ["socket"], ["clock"], ["tick"], ["roster", "import", roster]):
        line = one_line(run(args, tmp_path))
        assert "SLACK_BOT_TOKEN is not set" in line, line


# --- .env.example -------------------------------------------------------------------------


def test_the_env_template_leaves_slack_unset(tmp_path: Path) -> None:
    """`cp .env.example .env` configures no Slack app (so `make run` opens the sandbox)."""
    from bot.config import load_settings

    settings = load_settings({}, env_file=ROOT / ".env.example")
    assert settings.bot_token is None
    assert settings.signing_secret is None
    assert settings.app_token is None


OLD_TEMPLATE = (
    "SLACK_BOT_TOKEN=xoxb-your-bot-token\n"
    "SLACK_SIGNING_SECRET=your-signing-secret\n"
    "SLACK_APP_TOKEN=xapp-your-app-token\n"
)


def test_placeholders_from_an_old_template_count_as_unset(tmp_path: Path) -> None:
    from bot.config import load_settings

    (tmp_path / ".env").write_text(OLD_TEMPLATE)
    settings = load_settings({}, env_file=tmp_path / ".env")
    assert (settings.bot_token, settings.signing_secret, settings.app_token) == (None, None, None)

    line = one_line(run(["serve"], tmp_path))  # reads tmp_path/.env
    assert line == (
        "benchmate: configuration error: SLACK_BOT_TOKEN is still the placeholder from "
        ".env.example: copy the Bot User OAuth Token (xoxb-...) from your app's "
        "'OAuth & Permissions' page into .env"
    )


def test_the_template_and_the_table_name_every_setting() -> None:
    """Every variable bot/config.py reads is in .env.example and in both tables of
    docs/configuration.md, and nothing else is."""
    read = set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "config.py").read_text()))
    assert "SLACK_BOT_TOKEN" in read and "DATABASE_URL" in read
    template = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    }
    assert template == read
    docs = (ROOT / "docs" / "configuration.md").read_text()
    rows = re.findall(r"^\| `([A-Z_]+)` \|", docs, flags=re.MULTILINE)
    assert sorted(rows) == sorted([*read, *read])  # the who-reads-what table and the meanings
