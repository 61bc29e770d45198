"""The goal review DM's buttons: on track, new target date. (Achieved and Drop are the
Home tab's goal choices: handlers/actions/goals.py.)"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.reviews import retarget_modal
from bot.deps import Deps
from bot.rules.localtime import local_date
from bot.rules.mrkdwn import escape
from bot.store.models import Goal
from handlers.context import ack_only, action_number, current_member
from handlers.reply import open_or_explain, tell

NOT_YOURS = "I can't find that goal among your open ones."


def register(app: App, deps: Deps) -> None:
    def on_track(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        with deps.db.begin() as session:
            goal = session.get(Goal, action_number(action))
            mine = goal is not None and goal.member_id == member.id and goal.status == "active"
            title = escape(goal.title) if goal else ""
        text = f":thumbsup: Noted: *{title}* is on track. Keep going!" if mine else NOT_YOURS
        tell(body, respond, client, text)

    def retarget(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        with deps.db.begin() as session:
            goal = session.get(Goal, action_number(action))
            if goal is None or goal.member_id != member.id or goal.status != "active":
                goal = None
        if goal is None:
            tell(body, respond, client, NOT_YOURS)
            return
        today = local_date(deps.clock.now(), member.tz)
        open_or_explain(body, respond, client, retarget_modal(goal, today))

    app.action("goal_review_ok")(ack=ack_only, lazy=[on_track])
    app.action("goal_review_retarget")(ack=ack_only, lazy=[retarget])
