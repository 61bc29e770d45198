"""The prompt settings form's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.prompts import PREFS_MODAL, saved_modal
from bot.deps import Deps
from bot.usecases.home import publish_home
from bot.usecases.preferences import PrefsErrors, PrefsSaved, submit_prefs
from handlers.context import current_member, team_id


def register(app: App, deps: Deps) -> None:
    def save(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        result = submit_prefs(deps.db, member.id, view, deps.clock.now())
        if isinstance(result, PrefsErrors):
            ack(response_action="errors", errors=result.errors)
        elif isinstance(result, PrefsSaved):
            ack(response_action="update", view=saved_modal(result.line))

    def refresh_home(client: WebClient, context: BoltContext) -> None:
        publish_home(deps, client, team_id(context), str(context.user_id))

    app.view(PREFS_MODAL)(ack=save, lazy=[refresh_home])
