"""The "Log a meeting" and "Reschedule" forms' submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import meetings as blocks
from bot.deps import Deps
from bot.usecases.meetings import submit_log, submit_reschedule
from bot.usecases.win_submission import Warn
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save_log(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        guard = deps.phi.for_team(deps.db, member.team_id)
        result = submit_log(deps.db, member, view, deps.clock.now(), guard)
        if isinstance(result, dict):
            ack(response_action="errors", errors=result)
            return
        if isinstance(result, Warn):
            ack(response_action="update", view=result.view)
            return
        parts = [f":white_check_mark: Logged your meeting of {result.meeting.held_on:%b %d}."]
        if result.items_added:
            parts.append(f"{result.items_added} new action item(s).")
        if result.items_done:
            parts.append(f"{result.items_done} ticked off.")
        parts.append(f"Next one due {result.next_due_on:%A, %b %d}.")
        ack(response_action="update", view=blocks.logged_modal(" ".join(parts)))

    def save_reschedule(
        ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        member = current_member(deps, client, context)
        result = submit_reschedule(deps.db, member, view, deps.clock.now())
        if isinstance(result, dict):
            ack(response_action="errors", errors=result)
            return
        text = f":calendar: Moved to {result:%A, %b %d}. I'll remind you both that day."
        ack(response_action="update", view=blocks.logged_modal(text))

    app.view(blocks.LOG_MODAL)(save_log)
    app.view(blocks.RESCHEDULE_MODAL)(save_reschedule)
