"""The one check every coordinator action goes through: a Bolt listener middleware.

Attach it with `app.command("/program", middleware=[coordinator_only(deps)])` (and
the same for program views). Anyone else gets a polite refusal, only they see it, and
the listener never runs, so nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

from bot.blocks.program import REFUSAL, refusal_modal
from bot.deps import Deps
from bot.usecases.coordinators import is_coordinator
from handlers.context import team_id

log = logging.getLogger(__name__)


def coordinator_only(deps: Deps) -> Callable[..., BoltResponse | None]:
    def check(
        ack: Ack, body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        user_id = str(context.user_id or "")
        with deps.db.begin() as session:
            allowed = is_coordinator(session, deps.settings.coordinators, team_id(context), user_id)
        if allowed:
            next()
            return None
        log.warning("refused a coordinator action to %s", user_id)
        if body.get("type") == "view_submission":
            return ack(response_action="update", view=refusal_modal())
        return ack(response_type="ephemeral", text=REFUSAL)

    return check
