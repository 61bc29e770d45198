"""Small helpers every listener uses to learn who is asking."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.store.models import Member
from bot.usecases.members import ensure_member, refresh_member


def team_id(context: BoltContext) -> str:
    # Enterprise Grid org-wide installs may leave team_id empty.
    return str(context.team_id or context.enterprise_id or "")


def current_member(deps: Deps, client: WebClient, context: BoltContext) -> Member:
    return ensure_member(
        deps.db, SlackGateway(client), team_id(context), str(context.user_id), deps.clock.now()
    )


def refresh_profile(deps: Deps, client: WebClient, context: BoltContext) -> None:
    refresh_member(
        deps.db, SlackGateway(client), team_id(context), str(context.user_id), deps.clock.now()
    )


def ack_only(ack: Any) -> None:
    ack()
