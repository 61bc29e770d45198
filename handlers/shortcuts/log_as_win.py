"""Message shortcut "Log as a win": keep any message (a colleague's thank-you, say) as a
win for the person who used it, with a link back to the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import wins as blocks
from bot.deps import Deps
from bot.rules.mrkdwn import mentioned_users, plain_text
from bot.rules.wins import MAX_WIN_CHARS
from bot.slack.gateway import SlackGateway
from bot.usecases.members import display_names
from bot.usecases.wins import win_form
from handlers.context import ack_only, current_member
from handlers.reply import open_or_explain

CALLBACK_ID = "log_message_as_win"


def register(app: App, deps: Deps) -> None:
    def open_form(
        body: dict[str, Any],
        shortcut: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        ts = str(message.get("ts") or shortcut.get("message_ts") or "")
        gateway = SlackGateway(client)
        link = gateway.permalink(channel, ts) if channel and ts else None
        raw = str(message.get("text") or "")
        text = plain_text(raw, display_names(gateway, mentioned_users(raw)))[:MAX_WIN_CHARS]
        view = win_form(
            deps.db,
            member,
            deps.clock.now(),
            text=text,
            private_metadata=blocks.metadata(source="shortcut", permalink=link),
        )
        assert view is not None
        open_or_explain(body, respond, client, view)

    app.shortcut(CALLBACK_ID)(ack=ack_only, lazy=[open_form])
