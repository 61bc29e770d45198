"""`/goal`: open the goal form (optionally with a title), list goals, or show help."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.goals import goal_list_blocks, goal_modal
from bot.blocks.wins import escape
from bot.deps import Deps
from bot.rules.localtime import local_date
from bot.slack.gateway import SlackGateway, in_words
from bot.usecases.wins import open_goals
from handlers.context import current_member

GOAL_HELP = (
    "*Set career goals with* `/goal`\n"
    "• `/goal`: a form, with templates suggested for your career level\n"
    "• `/goal get my SBB certification`: the form with that title filled in\n"
    "• `/goal list`: your active goals\n"
    "Mark goals achieved or dropped from my Home tab."
)


def register(app: App, deps: Deps) -> None:
    def answer_goal(
        ack: Any, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        words = str(command.get("text") or "").split()
        word = words[0].lower() if words else ""
        if word == "list" and len(words) == 1:
            member = current_member(deps, client, context)
            with deps.db.begin() as session:
                listed = goal_list_blocks(open_goals(session, member.id))
            ack(response_type="ephemeral", blocks=listed, text="Your goals")
        elif word == "help" and len(words) == 1:
            ack(response_type="ephemeral", text=GOAL_HELP)
        elif len(words) == 1:
            ack(
                response_type="ephemeral",
                text=f"I don't know `/goal {escape(words[0])}`.\n{GOAL_HELP}",
            )
        else:
            ack()  # the form opens after the ack

    def open_goal_form(
        command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        words = str(command.get("text") or "").split()
        if len(words) == 1:
            return
        member = current_member(deps, client, context)
        view = goal_modal(
            level=member.career_level,
            today=local_date(deps.clock.now(), member.tz),
            title=" ".join(words),
        )
        try:
            SlackGateway(client).open_view(str(command.get("trigger_id")), view)
        except SlackApiError as exc:
            respond(
                response_type="ephemeral",
                text=f"Sorry, I couldn't open the goal form: {in_words(exc)}. "
                "Please try `/goal` again.",
            )

    app.command("/goal")(ack=answer_goal, lazy=[open_goal_form])
