"""The goal review's "new target date" form."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import state
from bot.blocks.common import modal, plain, section
from bot.blocks.goals import goal_line
from bot.blocks.reviews import RETARGET_MODAL
from bot.deps import Deps
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.store.models import Goal
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        picked = state.picked_date(view, "target_date")
        meta = str(view.get("private_metadata") or "")
        today = local_date(deps.clock.now(), member.tz)
        if not isinstance(picked, date):
            ack(response_action="errors", errors={"target_date": "Pick a date."})
            return
        if picked <= today:
            ack(response_action="errors", errors={"target_date": "Pick a date in the future."})
            return
        with deps.db.begin() as session:
            number = whole_number(meta)
            goal = session.get(Goal, number) if number is not None else None
            if goal is None or goal.member_id != member.id or goal.status != "active":
                ack(response_action="errors", errors={"target_date": "That goal is gone."})
                return
            goal.target_date = picked
            line = goal_line(goal)
        done = modal("goal_retargeted", "Target date set", [section(f":dart: {line}")], submit=None)
        done["close"] = plain("Done")
        ack(response_action="update", view=done)

    app.view(RETARGET_MODAL)(save)
