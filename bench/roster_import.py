"""How long a large roster import takes, and where the time goes.

Run on demand (not a test): `.venv/bin/python bench/roster_import.py --rows 5000`
(add `--postgres postgresql+psycopg://postgres@127.0.0.1:5432/admin_db` to measure
PostgreSQL too: a fresh database is created and dropped each round).

Each round: a fresh migrated database, the fake Slack Web API from tests/fakeslack.py
knowing every person (half the rows give a user id, half an e-mail), then
`bot.usecases.roster.import_roster` as the upload and the CLI call it:
- `parse`: the pure row checks (bot/rules/roster.py) alone;
- `dry run`: parse, every Slack look-up over loopback HTTP, and the reads (no writes);
- `import`: the same plus the one write transaction.
The write transaction is roughly `import - dry run`. Real Slack is far slower than the
fake for the look-ups (Tier 3/4 rate limits): this times Benchmate's own share.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/: the fake Slack

from sqlalchemy import create_engine, text  # noqa: E402

from bot.rules.roster import parse_roster  # noqa: E402
from bot.slack.gateway import SlackGateway, make_client  # noqa: E402
from bot.store.db import Database, upgrade  # noqa: E402
from bot.usecases.roster import import_roster  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def roster(slack: FakeSlack, rows: int) -> str:
    lines = ["user,role,career level,lab section,mentor capacity,shift"]
    for n in range(rows):
        user, email = f"U7{n:05d}", f"tech{n}@lab.org"
        slack.add_user(user, f"Tech {n}", email=email)
        who = user if n % 2 else email
        role = "mentor,senior,hematology,2,day" if n % 3 == 0 else "mentee,entry,chemistry,,night"
        lines.append(f"{who},{role}")
    return "\n".join(lines) + "\n"


@contextmanager
def sqlite_db() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextmanager
def postgres_db(admin: str) -> Iterator[str]:
    name = f"bench_roster_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def one_round(url: str, rows: int) -> dict[str, float]:
    upgrade(url)
    db = Database(url)
    with FakeSlack() as slack:
        csv_text = roster(slack, rows)
        gateway = SlackGateway(make_client("xoxb-bench", slack.api_url))
        figures: dict[str, float] = {}
        start = time.perf_counter()
        parsed, errors = parse_roster(csv_text)
        figures["parse"] = time.perf_counter() - start
        assert len(parsed) == rows and not errors, errors[:3]
        for name, dry_run in (("dry run", True), ("import", False)):
            start = time.perf_counter()
            report = import_roster(
                db, gateway, team_id="T0001", text=csv_text, actor="bench", now=NOW, dry_run=dry_run
            )
            figures[name] = time.perf_counter() - start
            assert report.ok and report.added == rows, report.problems[:3]
    db.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="an admin URL: also measure PostgreSQL")
    args = parser.parse_args(argv)
    backends = [("sqlite", sqlite_db)]
    if args.postgres:
        backends.append(("postgresql", lambda: postgres_db(args.postgres)))
    print(f"roster import, {args.rows} rows, {args.rounds} rounds (seconds: median [min-max])")
    for backend, make in backends:
        results: list[dict[str, float]] = []
        for _ in range(args.rounds):
            with make() as url:
                results.append(one_round(url, args.rows))
        for phase in ("parse", "dry run", "import"):
            values = [r[phase] for r in results]
            print(
                f"  {backend:10} {phase:8} {statistics.median(values):7.2f} "
                f"[{min(values):.2f}-{max(values):.2f}]"
            )
        writes = [r["import"] - r["dry run"] for r in results]
        print(f"  {backend:10} {'writes':8} {statistics.median(writes):7.2f} (import - dry run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
