"""The survey DM's "Answer" button: opens the survey form."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.surveys import OPEN_ACTION
from bot.deps import Deps
from bot.usecases.surveys import survey_form
from handlers.context import ack_only, current_member
from handlers.reply import open_or_explain, tell


def register(app: App, deps: Deps) -> None:
    def open_survey(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        view = survey_form(deps.db, member, str(action.get("value") or ""))
        if view is None:
            tell(
                body,
                respond,
                client,
                "That survey isn't one I sent you, so there's nothing to answer.",
            )
        else:
            open_or_explain(body, respond, client, view)

    app.action(OPEN_ACTION)(ack=ack_only, lazy=[open_survey])
