"""Shared by the nudge benchmarks: the Slack-like server in its own process, and a
database seeded with members whose weekly prompt is due.

The server is tests/fakeslack.py (checks method and argument names, records calls,
answers 429 with Retry-After beyond `limit_per_second`), run in a child process so
that it does not share the GIL with the sender being measured.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/: the fake Slack

from sqlalchemy import insert  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Secret, Settings  # noqa: E402
from bot.deps import Deps  # noqa: E402
from bot.store.db import Database, upgrade  # noqa: E402
from bot.store.models import Member  # noqa: E402

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # Friday 14:00 in Chicago


def _serve(conn: Connection, limit: float | None) -> None:
    from tests.fakeslack import FakeSlack

    with FakeSlack() as slack:
        slack.limit_per_second = limit
        conn.send(slack.api_url)
        while True:
            command = conn.recv()
            if command == "stats":
                posts = [c for c in slack.calls if c.method == "chat.postMessage"]
                # A 429 is recorded too; count deliveries by what was accepted.
                conn.send(
                    {
                        "calls": len(slack.calls),
                        "posts": len(posts),
                        "violations": list(slack.violations[:5]),
                    }
                )
            elif command == "delivered":
                conn.send(dict(slack_delivered(slack)))
            elif command == "reset":
                with slack._lock:
                    slack.calls.clear()
                    slack._window.clear()
                conn.send("ok")
            elif command == "stop":
                conn.send("bye")
                return


def slack_delivered(slack: Any) -> Counter[str]:
    """Channels of chat.postMessage calls the server accepted (not answered 429)."""
    with slack._lock:
        return Counter(
            str(c.args.get("channel"))
            for c in slack.calls
            if c.method == "chat.postMessage" and c.status == 200
        )


class SlackProcess:
    """The fake Slack Web API in a child process."""

    def __init__(self, limit_per_second: float | None = None) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.get_context("spawn").Process(
            target=_serve, args=(child, limit_per_second), daemon=True
        )
        self.process.start()
        self.api_url: str = self.conn.recv()

    def ask(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def close(self) -> None:
        self.ask("stop")
        self.process.join(timeout=5)


def seeded_database(path: Path, *, members: int, due: int) -> str:
    """A migrated SQLite file with `members` members of whom the first `due` are due
    now; the others' prompt is next week. Profiles are fresh (refreshed an hour ago)."""
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    rows = []
    for n in range(members):
        is_due = n < due
        rows.append(
            {
                "team_id": "T0001",
                "slack_user_id": f"U{n:07d}",
                "name": f"Member {n}",
                "tz": "America/Chicago",
                "is_active": True,
                "created_at": NOW - timedelta(days=60),
                "profile_refreshed_at": NOW - timedelta(hours=1),
                "prompt_weekday": 4,
                "prompts_stopped": False,
                "next_prompt_at": NOW if is_due else NOW + timedelta(days=7),
                "next_prompt_period": "2026-W47" if is_due else "2026-W48",
            }
        )
    with db.begin() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Member), rows[start : start + 5000])
    db.dispose()
    return url


def deps_for(url: str, api_url: str) -> Deps:
    settings = Settings(
        bot_token=Secret("xoxb-bench-token"), slack_api_url=api_url, database_url=url
    )
    return Deps(settings=settings, db=Database(url), clock=FixedClock(NOW))
