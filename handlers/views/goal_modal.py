"""The goal form's submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import context as context_block
from bot.blocks.common import modal, section
from bot.blocks.goals import GOAL_MODAL, goal_line
from bot.deps import Deps
from bot.usecases.goals import GoalErrors, GoalSaved, GoalWarn, submit_goal_form
from bot.usecases.home import publish_home
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save_goal(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        guard = deps.phi.for_team(deps.db, member.team_id)
        result = submit_goal_form(deps.db, member, view, deps.clock.now(), guard)
        if isinstance(result, GoalErrors):
            ack(response_action="errors", errors=result.errors)
        elif isinstance(result, GoalWarn):
            ack(response_action="update", view=result.view)
        elif isinstance(result, GoalSaved):
            done = modal(
                "goal_saved",
                "Goal set",
                [
                    section(f":dart: {goal_line(result.goal)}"),
                    context_block("Link wins to it from the win form; review it twice a year."),
                ],
                submit=None,
            )
            done["close"] = {"type": "plain_text", "text": "Done"}
            ack(response_action="update", view=done)

    def refresh_home(client: WebClient, context: BoltContext) -> None:
        publish_home(deps, client, str(context.team_id or ""), str(context.user_id))

    app.view(GOAL_MODAL)(ack=save_goal, lazy=[refresh_home])
