"""The survey form's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.surveys import SURVEY_MODAL, thanks_modal
from bot.deps import Deps
from bot.usecases.surveys import FieldErrors, Saved, Warn, submit
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        guard = deps.phi.for_team(deps.db, member.team_id)
        result = submit(deps.db, member, view, deps.clock.now(), guard)
        if isinstance(result, FieldErrors):
            ack(response_action="errors", errors=result.errors)
        elif isinstance(result, Warn):
            ack(response_action="update", view=result.view)
        elif isinstance(result, Saved):
            ack(response_action="update", view=thanks_modal(replaced=result.replaced))

    app.view(SURVEY_MODAL)(save)
