"""Any button we no longer know (an old message, a renamed action) gets a kind answer."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from handlers.context import ack_only
from handlers.reply import tell

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def explain(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        log.warning("unknown action %r", action.get("action_id"))
        tell(body, respond, client, "That button no longer works. Try `/win help`.")

    app.action(re.compile(".*"))(ack=ack_only, lazy=[explain])
