"""Slack events already handled. Slack re-delivers an event it thinks failed (up to
three retries, possibly to another process): the unique (team, event id) row makes
the first delivery the only one handled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.db import dialect_insert
from bot.store.models import SlackEvent

KEEP = timedelta(days=2)  # Slack retries for about an hour; keep well past that


def first_delivery(session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record the event; False if it was recorded before (a retry)."""
    row = session.execute(
        dialect_insert(session, SlackEvent)
        .values(team_id=team_id, event_id=event_id[:64], received_at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "event_id"])
        .returning(SlackEvent.id)
    ).scalar_one_or_none()
    return row is not None


def prune(session: Session, now: datetime) -> int:
    result = session.execute(delete(SlackEvent).where(SlackEvent.received_at < now - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
