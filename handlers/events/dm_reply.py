"""`message.im`: the member's replies to the weekly prompt become wins."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.usecases.dm_replies import handle_dm, is_members_message
from handlers.context import ack_only, team_id


def register(app: App, deps: Deps) -> None:
    def reply(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_dm(deps, SlackGateway(client), team_id(context), event)

    def members_own(event: dict[str, Any]) -> bool:
        return is_members_message(event)

    app.event("message", matchers=[members_own])(ack=ack_only, lazy=[reply])
    # Edits, deletions, bot messages, channel messages: acknowledged, nothing logged.
    app.event("message")(ack_only)
