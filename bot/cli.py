"""The `benchmate` command: serve, socket, clock, tick, db upgrade, export, roster import,
report, sandbox, phi-check."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock, FileClock, FixedClock, SystemClock
from bot.config import ConfigError, Settings, load_settings, refused
from bot.deps import Deps
from bot.logs import quieted, setup_logging
from bot.rules import phi_corpus
from bot.rules.export import FORMATS
from bot.rules.phi import Guard
from bot.store.db import (
    Database,
    describe_database_error,
    prepare,
    unusable_database_errors,
    upgrade,
)

if TYPE_CHECKING:
    from bot.usecases.programs import Chosen

log = logging.getLogger("benchmate")

PROGRAM_HELP = "the program, by its name in `/program programs` (default: main)"
# Exit status for a --program no team has: a usage error, as argparse's own.
UNKNOWN_PROGRAM = 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="benchmate", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve Slack's HTTP requests (production server)")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default: 0.0.0.0)")
    socket = commands.add_parser(
        "socket", help="connect to Slack over Socket Mode (no public URL), scheduler included"
    )
    socket.add_argument(
        "--no-scheduler", action="store_true", help="do not run the scheduler in this process"
    )
    commands.add_parser("clock", help="run the scheduler: a pass every minute (Procfile clock)")
    sandbox = commands.add_parser(
        "sandbox", help="try Benchmate locally: a stand-in for Slack, a demo lab, no Slack needed"
    )
    sandbox.add_argument("--port", type=int, default=3300, help="port on 127.0.0.1 (default 3300)")
    sandbox.add_argument(
        "--folder", default=".sandbox", help="where its database and logs go (default .sandbox)"
    )
    sandbox.add_argument(
        "--start", type=instant, help="the simulated start instant (default: today 09:00)"
    )
    tick = commands.add_parser("tick", help="run one scheduler pass and print what it sent")
    tick.add_argument(
        "--now", type=instant, help="pretend it is this ISO 8601 instant (UTC if no offset)"
    )
    tick.add_argument("--dry-run", action="store_true", help="print what is due; send nothing")

    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    db_commands.add_parser("upgrade", help="apply migrations up to the newest")

    export = commands.add_parser("export", help="print one member's wins and goals")
    export.add_argument("--user", required=True, help="Slack user id, e.g. U012AB3CD")
    export.add_argument("--team", help="Slack team id, when the database serves several")
    export.add_argument("--format", choices=FORMATS, default="json")

    roster = commands.add_parser("roster", help="the mentorship program's roster")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="TASK")
    roster_import = roster_commands.add_parser(
        "import", help="import a roster CSV: every row good, or nothing imported"
    )
    roster_import.add_argument("file", help="the CSV file (header row first)")
    roster_import.add_argument(
        "--dry-run", action="store_true", help="check every row, import nothing"
    )
    roster_import.add_argument("--team", help="Slack team id (default: the bot token's)")
    roster_import.add_argument("--program", metavar="NAME", help=PROGRAM_HELP)

    report = commands.add_parser("report", help="the mentorship program's impact report")
    report.add_argument("--format", choices=("md", "json"), default="md")
    report.add_argument("--team", help="Slack team id, when the database serves several")
    report.add_argument("--program", metavar="NAME", help=PROGRAM_HELP)

    phi_check = commands.add_parser(
        "phi-check", help="measure the patient-data guard on a labelled corpus"
    )
    phi_check.add_argument("--corpus", required=True, help="the corpus file (label, kind, text)")
    phi_check.add_argument("--members", help="workspace members' names, one a line (colleagues)")
    return top


def instant(text: str) -> datetime:
    try:
        return FixedClock(datetime.fromisoformat(text)).now()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant, e.g. 2026-11-27T20:00:00Z"
        ) from None


def clock_for(settings: Settings) -> Clock:
    """The system clock, or the sandbox's simulated one when BENCHMATE_CLOCK_FILE is set."""
    return FileClock(settings.clock_file) if settings.clock_file else SystemClock()


def deps_for(settings: Settings, clock: Clock | None = None) -> Deps:
    return Deps(
        settings=settings, db=Database(settings.database_url), clock=clock or clock_for(settings)
    )


def check_bot_token(settings: Settings) -> str:
    """Ask Slack whether the bot token works (auth.test), so a wrong one stops start-up
    with one clear line instead of a traceback from inside Bolt. Returns the token's
    team id."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.gateway import error_code, make_client

    try:
        with quieted("slack_sdk"):  # each failed try is logged; the outcome is one line
            answer = make_client(settings.bot_token, settings.slack_api_url).auth_test()
        return str(answer.get("team_id") or "")
    except SlackApiError as exc:
        if exc.response.status_code == 200:
            raise refused("SLACK_BOT_TOKEN", error_code(exc)) from None
        raise RuntimeError(
            f"Slack did not answer auth.test ({error_code(exc)}): try again shortly"
        ) from None
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc  # URLError wraps the socket's error
        raise RuntimeError(
            f"cannot reach Slack at {settings.slack_api_url} ({reason}): check this machine's "
            "network access to Slack (a proxy?) and SLACK_API_URL, then try again"
        ) from None


def run_serve(settings: Settings, host: str, port: int) -> None:
    from bot.app import build_app
    from bot.server import make_server, make_wsgi_app, settle_for_serving

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    prepare(settings.database_url)
    check_bot_token(settings)
    deps = deps_for(settings)
    app = build_app(deps, verify_token=False)
    assert settings.signing_secret  # required above
    try:
        server = make_server(make_wsgi_app(app, deps.db, settings.signing_secret), host, port)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        deps.db.dispose()
        raise RuntimeError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another port "
            "with PORT or --port, or stop the program that uses it"
        ) from None
    settle_for_serving()
    log.info("Benchmate listening on http://%s:%s/slack/events", host, server.effective_port)
    server.run()


def run_socket(settings: Settings, *, with_scheduler: bool) -> None:
    from slack_sdk.errors import SlackApiError

    from bot.app import build_app
    from bot.server import socket_handler
    from bot.slack.gateway import error_code
    from scheduler.runner import background

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    prepare(settings.database_url)
    check_bot_token(settings)
    deps = deps_for(settings)
    app = build_app(deps, verify_token=False)
    handler = socket_handler(app, settings.app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        # Only the first apps.connections.open fails out to here (reconnects retry by
        # themselves). An `ok: false` answer means Slack refused the token; anything else
        # (5xx, already retried) is Slack having trouble.
        if exc.response.status_code == 200:
            raise refused("SLACK_APP_TOKEN", error_code(exc)) from None
        raise RuntimeError(
            f"Slack did not open a Socket Mode connection ({error_code(exc)}): try again shortly"
        ) from None
    log.info("Benchmate connected over Socket Mode")
    if with_scheduler:
        # A small lab needs one process: the scheduler runs beside Socket Mode.
        background(deps).start()
        log.info("scheduler running in this process: a pass every minute")
    threading.Event().wait()


def run_clock(settings: Settings) -> None:
    from scheduler.runner import clock

    settings.require("SLACK_BOT_TOKEN")
    prepare(settings.database_url)
    log.info("Benchmate clock: a scheduler pass every minute")
    clock(deps_for(settings)).start()


def run_sandbox(port: int, folder: str, start: datetime | None) -> int:
    """The stand-in and the real Benchmate behind it, until Ctrl-C (docs/sandbox.md)."""
    from pathlib import Path

    from sandbox.server import Sandbox

    try:
        box = Sandbox(Path(folder), port=port, start=start)
    except OSError as exc:
        print(f"benchmate: cannot listen on 127.0.0.1:{port} ({exc}): try --port", file=sys.stderr)
        return 1
    print(f"Benchmate sandbox: starting the real Benchmate and seeding the demo lab in {folder}/")
    print(f"Slack Web API checks: {box.workspace.spec_mode}", flush=True)
    try:
        ready = box.start()
        print(f"Benchmate is up and the demo lab seeded in {ready['seconds']:.1f} s")
        print(f"Open {box.url}/ in your browser (Ctrl-C stops the sandbox)", flush=True)
        while True:
            # Short sleeps, not one long wait: a SIGTERM that lands on another thread
            # is only handled once the main thread wakes.
            time.sleep(0.5)
    finally:
        box.close()
    return 0


def run_tick(settings: Settings, now: datetime | None, dry_run: bool) -> int:
    from scheduler.runner import run_pass, scheduler_gateway, summary

    if not dry_run:
        settings.require("SLACK_BOT_TOKEN")
    prepare(settings.database_url)
    deps = deps_for(settings, FixedClock(now) if now else None)
    try:
        lines = run_pass(deps, scheduler_gateway(deps), deps.clock.now(), dry_run=dry_run)
    finally:
        deps.db.dispose()
    for line in lines:
        print(line)
    verb = "dry run at" if dry_run else "pass at"
    print(f"{verb} {deps.clock.now():%Y-%m-%dT%H:%M:%SZ}: {summary(lines)}")
    return 0


def run_export(settings: Settings, user: str, team: str | None, fmt: str) -> int:
    from bot.usecases.export import UnknownMember, find_by_user, render

    prepare(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.begin() as session:
            sys.stdout.write(render(session, find_by_user(session, user, team), fmt))
    except UnknownMember as exc:
        print(f"benchmate: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def pick_program(deps: Deps, team_id: str, name: str | None, doing: str) -> Chosen | None:
    """The program a command acts on: `--program NAME`, else "main". An unknown name is
    one line naming the known programs (None: exit UNKNOWN_PROGRAM); with several
    programs and no name, a note says `main` was chosen."""
    from bot.usecases.programs import choose_program

    with deps.db.begin() as session:
        chosen = choose_program(session, team_id, name)
    if isinstance(chosen, str):
        print(f"benchmate: {chosen}", file=sys.stderr)
        return None
    if name is None and chosen.several:
        print(
            f"benchmate: {len(chosen.names)} programs ({', '.join(chosen.names)}): {doing} "
            f"`{chosen.name}`; choose another with --program NAME",
            file=sys.stderr,
        )
    return chosen


def run_roster_import(
    settings: Settings,
    path: str,
    *,
    dry_run: bool,
    team: str | None,
    program: str | None = None,
) -> int:
    from pathlib import Path

    from bot.rules.upload import cli_report
    from bot.slack.gateway import SlackGateway, make_client
    from bot.usecases.roster import import_roster

    # Even --dry-run looks every person up in Slack, so it needs the token too.
    settings.require("SLACK_BOT_TOKEN")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"benchmate: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    prepare(settings.database_url)
    # Checked once up front: a wrong token or an unreachable Slack is one line, not a
    # failed lookup on every row.
    token_team = check_bot_token(settings)
    team_id = team or token_team
    client = make_client(settings.bot_token, settings.slack_api_url)
    deps = deps_for(settings)
    # Before any look-up: a wrong --program costs no Slack calls.
    chosen = pick_program(deps, team_id, program, "importing into")
    if chosen is None:
        deps.db.dispose()
        return UNKNOWN_PROGRAM
    try:
        # Slack's answers to each lookup are reported per row; slack_sdk's own log of
        # each failed try would only repeat them.
        with quieted("slack_sdk"):
            report = import_roster(
                deps.db,
                SlackGateway(client),
                team_id=team_id,
                text=text,
                actor="cli",
                now=deps.clock.now(),
                dry_run=dry_run,
                program_id=chosen.program_id,
            )
    except OSError as exc:
        # Slack went away after auth.test. Rows are looked up before anything is written.
        reason = getattr(exc, "reason", None) or exc
        raise RuntimeError(
            f"lost the connection to Slack at {settings.slack_api_url} while looking people "
            f"up ({reason}): nothing imported; try again"
        ) from None
    finally:
        deps.db.dispose()
    if not report.ok:
        # The same text a coordinator gets for a file uploaded in Slack.
        sys.stderr.write(cli_report(report.problems))
        return 1
    verb = "would import" if dry_run else "imported"
    into = f" into {chosen.name}" if chosen.several else ""
    print(
        f"{verb} {report.added + report.updated} people{into}: {report.added} new, "
        f"{report.updated} updated"
    )
    return 0


def run_report(settings: Settings, fmt: str, team: str | None, program: str | None = None) -> int:
    from sqlalchemy import select

    from bot.rules.report import render_json, render_md
    from bot.store.models import Member
    from bot.usecases.program_report import build_report

    prepare(settings.database_url)
    deps = deps_for(settings)
    try:
        if team is None:
            with deps.db.begin() as session:
                teams = list(session.scalars(select(Member.team_id).distinct()))
            if len(teams) > 1:
                print(
                    f"benchmate: several teams ({', '.join(teams)}): pass --team", file=sys.stderr
                )
                return 1
            team = teams[0] if teams else ""
        chosen = pick_program(deps, team, program, "this is the report of")
        if chosen is None:
            return UNKNOWN_PROGRAM
        report = build_report(deps.db, team, deps.clock.now(), chosen.program_id)
    finally:
        deps.db.dispose()
    render = render_json if fmt == "json" else render_md
    # A one-program deployment's report reads as it always did.
    named = chosen.name if chosen.several else None
    sys.stdout.write(render(report.figures, generated=report.generated, program=named))
    return 0


def run_phi_check(settings: Settings, corpus: str, members: str | None) -> int:
    """Recall, false holds, counts per kind and every mistake, with the configured rules
    (BENCHMATE_PHI_RULES). Exit 0 when the targets are met, 1 when not, 2 on bad input."""
    try:
        examples = phi_corpus.parse_corpus(Path(corpus).read_text(encoding="utf-8"))
        listed = Path(members).read_text(encoding="utf-8") if members else ""
        names = phi_corpus.parse_members(listed)
    except (OSError, UnicodeDecodeError, phi_corpus.CorpusError) as exc:
        print(f"benchmate: cannot read the corpus: {exc}", file=sys.stderr)
        return 2
    guard = Guard(rules=settings.phi_rules).with_colleagues(names)
    report = phi_corpus.evaluate(examples, guard)
    print(report.text())
    return 0 if report.meets_targets else 1


def exit_on_sigterm() -> None:
    """Hosts stop processes with SIGTERM, which by default ends Python on the spot.
    Exiting the ordinary way instead lets work after an answer finish (wins themselves
    are stored before their answer, so no exit, not even SIGKILL, loses one)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("serve", "socket", "clock", "sandbox"):
        exit_on_sigterm()
    if args.command == "sandbox":
        # Runs on its own configuration: a developer's .env (real tokens) is never read.
        setup_logging()
        try:
            return run_sandbox(args.port, args.folder, args.start)
        except RuntimeError as exc:
            print(f"benchmate: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
    settings: Settings | None = None
    try:
        settings = load_settings()
        setup_logging(*settings.secrets())
        if args.command == "serve":
            run_serve(settings, args.host, settings.port if args.port is None else args.port)
        elif args.command == "socket":
            run_socket(settings, with_scheduler=not args.no_scheduler)
        elif args.command == "clock":
            run_clock(settings)
        elif args.command == "tick":
            return run_tick(settings, args.now, args.dry_run)
        elif args.command == "db":
            upgrade(settings.database_url)
            print("database is at the newest schema")
        elif args.command == "export":
            return run_export(settings, args.user, args.team, args.format)
        elif args.command == "roster":
            return run_roster_import(
                settings, args.file, dry_run=args.dry_run, team=args.team, program=args.program
            )
        elif args.command == "report":
            return run_report(settings, args.format, args.team, args.program)
        elif args.command == "phi-check":
            return run_phi_check(settings, args.corpus, args.members)
    except ConfigError as exc:
        print(f"benchmate: configuration error: {exc}", file=sys.stderr)
        return 2
    except unusable_database_errors() as exc:
        # A database that cannot be reached or used is a setting (or a server) to fix:
        # one line, not SQLAlchemy's traceback.
        assert settings is not None  # settings load before any database is touched
        print(f"benchmate: {describe_database_error(settings.database_url, exc)}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"benchmate: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
