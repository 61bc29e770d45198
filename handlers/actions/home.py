"""The Home tab's buttons: Log a win, New goal, Export."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.slack.gateway import SlackGateway, in_words
from bot.usecases.export import render
from bot.usecases.goals import goal_form
from bot.usecases.wins import win_form
from handlers.context import ack_only, current_member
from handlers.reply import open_or_explain, tell


def register(app: App, deps: Deps) -> None:
    def log_win(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        view = win_form(deps.db, member, deps.clock.now())
        assert view is not None
        open_or_explain(body, respond, client, view)

    def new_goal(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        open_or_explain(body, respond, client, goal_form(member, deps.clock.now()))

    def export(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        with deps.db.begin() as session:
            markdown = render(session, member, "md")
            table = render(session, member, "csv")
        stamp = f"{deps.clock.now():%Y-%m-%d}"
        try:
            SlackGateway(client).upload_to_dm(
                member.slack_user_id,
                [
                    (f"wins-{stamp}.md", "Brag document", markdown),
                    (f"wins-{stamp}.csv", "Wins (CSV)", table),
                ],
                "Here are your wins and goals: a brag document for your review or CV, "
                "and a spreadsheet.",
            )
        except SlackApiError as exc:
            tell(
                body,
                respond,
                client,
                f"Sorry, the export failed: {in_words(exc)}. Please try again.",
            )

    for log_a_win in ("home_log_win", "prompt_log_win"):  # the Home tab's and the prompt's
        app.action(log_a_win)(ack=ack_only, lazy=[log_win])
    app.action("home_new_goal")(ack=ack_only, lazy=[new_goal])
    app.action("home_export")(ack=ack_only, lazy=[export])
