"""Choices on text held back for possible patient data: edit, save privately, discard."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import wins as blocks
from bot.deps import Deps
from bot.store.models import Member
from bot.usecases.wins import discard_draft, get_draft, save_draft_as_private, win_form
from handlers.context import ack_only, action_number, current_member
from handlers.reply import open_or_explain, replace, tell

GONE = "That draft is gone: it was already saved or discarded."


def register(app: App, deps: Deps) -> None:
    def edit(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member: Member = current_member(deps, client, context)
        held = get_draft(deps.db, member, action_number(action))
        if held is None:
            tell(body, respond, client, GONE)
            return
        view = win_form(
            deps.db,
            member,
            deps.clock.now(),
            text=held.text,
            private_metadata=blocks.metadata(draft_id=held.id, source=held.source),
        )
        assert view is not None
        open_or_explain(body, respond, client, view)

    def save_private(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        logged = save_draft_as_private(deps.db, member, action_number(action), deps.clock.now())
        if logged is None:
            tell(body, respond, client, GONE)
            return
        replace(body, respond, client, "Logged", blocks.logged_blocks(logged.wins))

    def discard(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        if discard_draft(deps.db, member, action_number(action)):
            replace(body, respond, client, "Discarded. Nothing was saved.")
        else:
            tell(body, respond, client, GONE)

    app.action("draft_edit")(ack=ack_only, lazy=[edit])
    app.action("draft_save_private")(ack=ack_only, lazy=[save_private])
    app.action("draft_discard")(ack=ack_only, lazy=[discard])
