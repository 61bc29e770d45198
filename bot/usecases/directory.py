"""The workspace's people from `users.list`, for the patient-data guard.

Colleagues named in a win are often people who never used Benchmate, so the guard's
directory (bot/usecases/phi_guard.py) is the members table plus everyone `users.list`
returns. The scheduler's `workspace_directory` job fetches one page per pass (200
people, Slack's recommended page size; `users.list` is a Tier 2 method, 20+ calls a
minute, and one call a minute stays far below it), so a sweep never holds up a pass
and resumes where it stopped after a restart. A sweep starts once a day. People who
left stay in the directory: a former colleague named in a win is not a patient.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.gateway import SlackGateway
from bot.store.db import Database
from bot.store.models import DirectoryPerson, DirectorySync

PAGE_SIZE = 200
SWEEP_EVERY = timedelta(days=1)


def sync_page(db: Database, gateway: SlackGateway, team_id: str, now: datetime) -> bool | None:
    """Fetch and store the next page when a sweep is due or under way. True when that
    page ended a sweep, False when more pages follow, None when nothing was due."""
    with db.begin() as session:
        state = session.get(DirectorySync, team_id)
        if state is None:
            state = DirectorySync(team_id=team_id)
            session.add(state)
        running = state.cursor is not None
        due = state.finished_at is None or now - state.finished_at >= SWEEP_EVERY
        if not running and not due:
            return None
        cursor = state.cursor
        if not running:
            state.started_at = now
    people, following = gateway.people_page(cursor, PAGE_SIZE)
    with db.begin() as session:
        known = {
            p.slack_user_id: p
            for p in session.scalars(
                select(DirectoryPerson).where(
                    DirectoryPerson.team_id == team_id,
                    DirectoryPerson.slack_user_id.in_([p.id for p in people]),
                )
            )
        }
        for person in people:
            names = "\n".join(person.names)[:400]
            row = known.get(person.id)
            if row is None:
                row = DirectoryPerson(team_id=team_id, slack_user_id=person.id)
                session.add(row)
            row.names, row.seen_at = names, now
        state = session.get(DirectorySync, team_id)
        assert state is not None
        state.cursor = following
        if following is None:
            state.finished_at = now
    return following is None


def names(session: Session, team_id: str) -> list[str]:
    """Every name in the workspace directory (real and display names)."""
    return [
        name
        for row in session.scalars(
            select(DirectoryPerson.names).where(DirectoryPerson.team_id == team_id)
        )
        for name in row.split("\n")
        if name
    ]
