"""The Edit and Undo buttons under a logged win."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import wins as blocks
from bot.deps import Deps
from bot.usecases.wins import undo_wins, win_form
from handlers.context import ack_only, current_member
from handlers.reply import open_or_explain, replace, tell

NOT_YOURS = "I can't find that win among yours; it may have been undone."


def keys(value: str) -> list[str]:
    """Win keys from a button value ("k1,k2"); anything malformed is dropped."""
    return [part for part in value.split(",") if part.isalnum() and len(part) <= 32]


def register(app: App, deps: Deps) -> None:
    def edit(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        win_keys = keys(str(action.get("value") or ""))
        view = (
            win_form(deps.db, member, deps.clock.now(), win_key=win_keys[0]) if win_keys else None
        )
        if view is None:
            tell(body, respond, client, NOT_YOURS)
            return
        open_or_explain(body, respond, client, view)

    def undo(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        removed = undo_wins(deps.db, member, keys(str(action.get("value") or "")))
        if removed:
            replace(body, respond, client, "Undone", blocks.undone_blocks(removed))
        else:
            tell(body, respond, client, NOT_YOURS)

    app.action("win_edit")(ack=ack_only, lazy=[edit])
    app.action("win_undo")(ack=ack_only, lazy=[undo])
