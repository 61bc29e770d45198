"""Slack events already handled. Slack re-delivers an event it thinks failed (up to
three retries, possibly to another process): the unique (team, event id) row makes
the first delivery the only one handled."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import SlackEvent

KEEP = timedelta(days=2)  # Slack retries for about an hour; keep well past that


def _record(insert: Any, table: Table) -> Any:
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
        .returning(table.c.id)
    )


# Built once per dialect: this INSERT runs on every `/win`, and building and keying a
# statement anew each time cost more than executing it.
_TABLE: Table = SlackEvent.__table__  # type: ignore[assignment]
RECORD = {
    "postgresql": _record(postgresql.insert, _TABLE),
    "sqlite": _record(sqlite.insert, _TABLE),
}


def first_delivery(session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record the event (or request key); False if it was recorded before (a retry or a
    replay). The unique (team, id) decides, even between racing processes."""
    statement = RECORD[session.get_bind().dialect.name]
    values = {"team_id": team_id, "event_id": event_id[:64], "received_at": now}
    return session.execute(statement, values).first() is not None


def prune(session: Session, now: datetime) -> int:
    result = session.execute(delete(SlackEvent).where(SlackEvent.received_at < now - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
