"""The announcement job: send announcements whose time came (and retry what failed)."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.store.models import Announcement
from bot.usecases.announcements import KIND, due_ids, send
from scheduler.base import Sent


def announcements(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    with deps.db.begin() as session:
        ids = due_ids(session, now)
        if dry_run:
            due = [session.get(Announcement, i) for i in ids]
            return [Sent(KIND, a.created_by, str(a.id), "would send") for a in due if a]
    return [
        Sent(KIND, outcome.user, str(i), outcome.status, outcome.error)
        for i in ids
        for outcome in send(deps, gateway, i, now)
        if outcome.status != "skipped"
    ]
