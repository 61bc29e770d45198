"""Publish the member's Home tab whenever they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.usecases.home import publish_home
from handlers.context import ack_only, team_id


def register(app: App, deps: Deps) -> None:
    def publish(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, client, team_id(context), str(event.get("user") or context.user_id))

    app.event("app_home_opened")(ack=ack_only, lazy=[publish])
