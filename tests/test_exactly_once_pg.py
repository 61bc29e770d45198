"""Two scheduler processes at once against one PostgreSQL database: every nudge goes
out exactly once. Real processes (`benchmate tick`), a real database, the Slack-like
server; nothing shared but the database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Member, Nudge
from tests.fakeslack import FakeSlack

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
MEMBERS = 600


def seed(url: str) -> None:
    db = Database(url)
    with db.begin() as session:
        for n in range(MEMBERS):
            session.add(
                Member(
                    team_id="T0001",
                    slack_user_id=f"U{n:06d}",
                    name=f"Member {n}",
                    tz="America/Chicago",
                    created_at=NOW - timedelta(days=30),
                    profile_refreshed_at=NOW - timedelta(hours=1),
                    next_prompt_at=NOW - timedelta(minutes=n % 30),
                    next_prompt_period="2026-W47",
                )
            )
    db.dispose()


def tick(url: str, slack: FakeSlack, cwd: Path, token: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--now", NOW.isoformat()],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_scheduler_processes_send_each_nudge_exactly_once(
    postgres_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    seed(postgres_url)
    slack.post_delay = 0.01
    # No post is answered before both processes have called Slack, so the two passes
    # overlap even when one process starts seconds after the other on a loaded machine.
    slack.posts_wait_for_tokens = 2
    # Both at once, twice over: racing passes, then passes that find everything settled.
    for _ in range(2):
        first, second = (
            tick(postgres_url, slack, tmp_path, "xoxb-test-first"),
            tick(postgres_url, slack, tmp_path, "xoxb-test-second"),
        )
        outputs = [p.communicate(timeout=120) for p in (first, second)]
        assert [p.returncode for p in (first, second)] == [0, 0], outputs

    posts = Counter(c.args["channel"] for c in slack.sent("chat.postMessage"))
    assert len(posts) == MEMBERS
    assert set(posts.values()) == {1}, [u for u, n in posts.items() if n > 1]
    db = Database(postgres_url)
    with db.begin() as session:
        rows = list(session.scalars(select(Nudge)))
        assert len(rows) == MEMBERS
        assert {(n.status, n.attempts) for n in rows} == {("sent", 1)}
        # Both processes did share the work (not one finishing before the other began).
        assert len({n.claimed_by.split(":")[1] for n in rows if n.claimed_by}) == 2
        next_prompts = set(session.scalars(select(Member.next_prompt_period)))
    db.dispose()
    assert next_prompts == {"2026-W48"}
