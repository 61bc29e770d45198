"""The announcement form (coordinators only): check and save it before the ack; send
after it when it is for now (the scheduler sends the ones for later)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.announcements import ANNOUNCE_MODAL, scheduled_modal
from bot.deps import Deps
from bot.slack.gateway import SlackGateway, make_client
from bot.usecases.announcements import Created, send_mine
from bot.usecases.announcements import submit_form as submit_announcement
from handlers.context import current_member, team_id
from handlers.coordinator_only import coordinator_only


def register(app: App, deps: Deps) -> None:
    def check(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        result = submit_announcement(deps, member, view, deps.clock.now())
        if isinstance(result, Created):
            text = (
                ":mega: Sending now. I'll DM you a delivery report when it's done."
                if result.now
                else f":alarm_clock: Scheduled for <!date^{int(result.send_at.timestamp())}"
                f"^{{date_short_pretty}} at {{time}}|{result.send_at:%Y-%m-%d %H:%M} UTC>. "
                "I'll DM you a delivery report once it's out."
            )
            ack(response_action="update", view=scheduled_modal(text))
        elif "type" in result:
            ack(response_action="update", view=result)  # the patient-data warning
        else:
            ack(response_action="errors", errors=result)

    def send_now(context: BoltContext) -> None:
        # Not Bolt's client: its retry handlers would post again blindly after a 5xx or
        # a dropped connection; the ledger looks first instead (bot/rules/once.py).
        settings = deps.settings
        gateway = SlackGateway(make_client(settings.bot_token, settings.slack_api_url, retries=0))
        send_mine(deps, gateway, team_id(context), str(context.user_id), deps.clock.now())

    app.view(ANNOUNCE_MODAL, middleware=[coordinator_only(deps)])(ack=check, lazy=[send_now])
