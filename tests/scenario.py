"""Small helpers the scenario tests share: reading what was stored, finding blocks."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select

from bot.store.models import Draft, Goal, Member, Win
from tests.conftest import Running


def stored_wins(bench: Running) -> list[Win]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Win).order_by(Win.id)))


def stored_goals(bench: Running) -> list[Goal]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Goal).order_by(Goal.id)))


def stored_drafts(bench: Running) -> list[Draft]:
    with bench.db.begin() as session:
        return list(session.scalars(select(Draft).order_by(Draft.id)))


def member(bench: Running, user: str = "U100") -> Member:
    with bench.db.begin() as session:
        return session.scalars(select(Member).where(Member.slack_user_id == user)).one()


def settle(bench: Running, timeout: float = 10.0) -> None:
    """Wait until work queued after earlier answers (profile refreshes, forms) is done:
    one barrier task per worker can only start once each worker finished what it had."""
    pool = bench.deps.background
    workers = pool._max_workers  # type: ignore[attr-defined]
    barrier = threading.Barrier(workers + 1)
    for _ in range(workers):
        pool.submit(barrier.wait, timeout)
    barrier.wait(timeout)


def profile_known(bench: Running, user: str = "U100", timeout: float = 5.0) -> Member:
    """The member once their Slack profile (name, time zone) is in: a first contact is
    created from the request alone, and `users.info` is asked after the answer."""
    deadline = time.monotonic() + timeout
    while True:
        with bench.db.begin() as session:
            found = session.scalars(select(Member).where(Member.slack_user_id == user)).first()
        if found is not None and found.profile_refreshed_at is not None:
            return found
        assert time.monotonic() < deadline, f"no profile for {user} after {timeout} s"
        time.sleep(0.02)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The block with this id in a view; KeyError if there is none."""
    for candidate in view["blocks"]:
        if candidate.get("block_id") == block_id:
            return candidate
    raise KeyError(block_id)


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if "block_id" in b]


def all_text(view: dict[str, Any]) -> str:
    """Every section and context text of a view or message, joined."""
    parts: list[str] = []
    for b in view.get("blocks", []):
        if "text" in b and isinstance(b["text"], dict):
            parts.append(b["text"]["text"])
        for element in b.get("elements", []):
            if isinstance(element, dict) and element.get("type") == "mrkdwn":
                parts.append(element["text"])
    return "\n".join(parts)


def open_modal(bench: Running, count: int = 1) -> dict[str, Any]:
    """The view of the `count`-th views.open call, once it arrived."""
    return bench.slack.wait_for("views.open", count)[count - 1].args["view"]
