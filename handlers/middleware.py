"""Cross-cutting listeners' concerns, as Bolt middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.deps import Deps
from bot.store.events import first_delivery

log = logging.getLogger(__name__)


class EachEventOnce(Middleware):
    """Slack re-delivers events it thinks failed (X-Slack-Retry-Num), possibly to
    another process: the database remembers each event id, so a retry is answered 200
    and dropped instead of logging a DM reply twice.

    A `Middleware` subclass rather than a decorated function: Bolt calls it directly,
    without working out injected arguments, which matters on every `/win`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next()
        team = str(body.get("team_id") or "")
        with self.deps.db.begin() as session:
            first = first_delivery(session, team, str(event_id), self.deps.clock.now())
        if first:
            return next()
        log.info("event %s already handled: dropped the retry", event_id)
        return BoltResponse(status=200, body="")


def register(app: App, deps: Deps) -> None:
    app.middleware(EachEventOnce(deps))
