"""Message shortcut "Log as a win": keep any message (a colleague's thank-you, say) as a
win for the person who used it, with a link back to the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import wins as blocks
from bot.deps import Deps
from bot.rules.wins import MAX_WIN_CHARS
from bot.slack.gateway import SlackGateway
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
        link = SlackGateway(client).permalink(channel, ts) if channel and ts else None
        text = str(message.get("text") or "")[:MAX_WIN_CHARS]
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
