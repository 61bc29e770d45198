"""The goal menu on the Home tab (and the goal review DM's buttons): mark achieved (and
offer to log it as a win) or drop."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.rules.mrkdwn import escape
from bot.rules.payloads import whole_number
from bot.usecases.goals import set_goal_status
from bot.usecases.home import publish_home
from bot.usecases.wins import win_form
from handlers.context import ack_only, current_member, team_id
from handlers.reply import open_or_explain, tell


def parse_choice(action: dict[str, Any]) -> tuple[str, int] | None:
    """'achieved:12' -> ('achieved', 12); None for anything else."""
    value = str((action.get("selected_option") or {}).get("value") or action.get("value") or "")
    status, _, goal_id = value.partition(":")
    number = whole_number(goal_id)
    if status in ("achieved", "dropped") and number is not None:
        return status, number
    return None


def register(app: App, deps: Deps) -> None:
    def choose(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        choice = parse_choice(action)
        member = current_member(deps, client, context)
        goal = (
            set_goal_status(deps.db, member, choice[1], choice[0], deps.clock.now())
            if choice
            else None
        )
        if goal is None:
            tell(body, respond, client, "I can't find that goal among yours.")
            return
        if goal.status == "achieved":
            # Offer to log it as a win, linked to the goal, while the moment is fresh.
            view = win_form(
                deps.db,
                member,
                deps.clock.now(),
                text=f"Achieved my goal: {goal.title}",
                category=goal.category,
                goal_id=goal.id,
                title="Log it as a win?",
            )
            assert view is not None
            open_or_explain(body, respond, client, view)
        elif body.get("response_url"):  # from the goal review DM: say it was done
            tell(body, respond, client, f"Dropped *{escape(goal.title)}*. Nothing else changed.")
        publish_home(deps, client, team_id(context), str(context.user_id))

    app.action("goal_menu")(ack=ack_only, lazy=[choose])
    # The goal review DM's Achieved and Drop buttons make the same choices.
    app.action("goal_review_achieved")(ack=ack_only, lazy=[choose])
    app.action("goal_review_drop")(ack=ack_only, lazy=[choose])
