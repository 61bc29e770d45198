"""The win form's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import context as context_block
from bot.blocks.common import modal, section
from bot.blocks.wins import WIN_MODAL, quote
from bot.deps import Deps
from bot.usecases.home import publish_home
from bot.usecases.win_submission import FieldErrors, Saved, Warn, submit_win_form
from bot.usecases.wins import Replayed, request_key
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save_win(
        ack: Any,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        member = current_member(deps, client, context)
        key = request_key(body.get("trigger_id"))
        guard = deps.phi.for_team(deps.db, member.team_id)
        result = submit_win_form(
            deps.db,
            member,
            view,
            deps.clock.now(),
            guard,
            deps.settings.credential_catalog,
            key=key,
        )
        if isinstance(result, Replayed):
            ack()  # handled before: close the form, save nothing again
        elif isinstance(result, FieldErrors):
            ack(response_action="errors", errors=result.errors)
        elif isinstance(result, Warn):
            ack(response_action="update", view=result.view)
        elif isinstance(result, Saved):
            texts = "\n".join(quote(w.text) for w in result.wins)
            private = any(w.is_private for w in result.wins)
            note = "Kept private: never shared." if private else "See all your wins on my Home tab."
            if any(w.in_digest for w in result.wins):
                note += " It will be in Monday's program digest."
            done = modal(
                "win_saved",
                "Win logged",
                [section(f":tada: Logged!\n{texts}"), context_block(note)],
                submit=None,
            )
            done["close"] = {"type": "plain_text", "text": "Done"}
            ack(response_action="update", view=done)

    def refresh_home(client: WebClient, context: BoltContext) -> None:
        publish_home(deps, client, str(context.team_id or ""), str(context.user_id))

    app.view(WIN_MODAL)(ack=save_win, lazy=[refresh_home])
