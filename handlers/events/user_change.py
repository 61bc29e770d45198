"""`user_change`: keep name and time zone fresh; someone deactivated leaves the program."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.gateway import SlackGateway, parse_user
from bot.usecases.members import apply_profile, find_member
from bot.usecases.pairs import member_left
from handlers.context import ack_only, team_id


def register(app: App, deps: Deps) -> None:
    def changed(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user = event.get("user") or {}
        profile = parse_user(user)
        team = str(user.get("team_id") or team_id(context))
        now = deps.clock.now()
        with deps.db.begin() as session:
            member = find_member(session, team, profile.id)
            if member is None:
                return  # never met them: nothing to keep
            apply_profile(member, profile, now)
        if profile.deleted:
            # Safe on a retried event: a second call finds nothing left to end.
            member_left(
                deps.db,
                SlackGateway(client),
                member,
                now,
                env_coordinators=deps.settings.coordinators,
            )

    app.event("user_change")(ack=ack_only, lazy=[changed])
