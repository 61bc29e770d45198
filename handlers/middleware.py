"""Cross-cutting listeners' concerns, as Bolt middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.store.events import first_delivery

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def handle_each_event_once(body: dict[str, Any], next: Callable[[], None]) -> Any:
        """Slack re-delivers events it thinks failed (X-Slack-Retry-Num), possibly to
        another process: the database remembers each event id, so a retry is answered
        200 and dropped instead of logging a DM reply twice."""
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next()
        team = str(body.get("team_id") or "")
        with deps.db.begin() as session:
            first = first_delivery(session, team, str(event_id), deps.clock.now())
        if first:
            return next()
        log.info("event %s already handled: dropped the retry", event_id)
        return BoltResponse(status=200, body="")
