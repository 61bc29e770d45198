"""Small helpers every listener uses to learn who is asking and what they clicked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.rules.payloads import whole_number
from bot.slack.gateway import SlackGateway
from bot.store.models import Member
from bot.usecases.members import member_from_request, needs_refresh, refresh_member

log = logging.getLogger(__name__)


def team_id(context: BoltContext) -> str:
    # Enterprise Grid org-wide installs may leave team_id empty.
    return str(context.team_id or context.enterprise_id or "")


def current_member(deps: Deps, client: WebClient, context: BoltContext) -> Member:
    """Who is asking, from the request alone: nothing here waits on Slack, so it is
    safe before an answer. A first contact is created with UTC dates; a missing or
    day-old profile (name, time zone) is fetched after the answer."""
    now = deps.clock.now()
    member = member_from_request(deps.db, team_id(context), str(context.user_id), now)
    if needs_refresh(member, now):
        after_ack(deps, refresh_profile, deps, client, context)
    return member


def remembered_member(deps: Deps, client: WebClient, context: BoltContext) -> Member:
    """`current_member`, remembered for a few minutes (bot/usecases/member_cache.py):
    for the `/win <text>` hot path only. Only a member with a known profile is
    remembered, so a new one is looked up again until their profile is in."""
    member = deps.members.get(team_id(context), str(context.user_id))
    if member is None:
        member = current_member(deps, client, context)
        if not needs_refresh(member, deps.clock.now()):
            deps.members.put(member)
    elif needs_refresh(member, deps.clock.now()):
        after_ack(deps, refresh_profile, deps, client, context)
    return member


def refresh_profile(deps: Deps, client: WebClient, context: BoltContext) -> None:
    team = team_id(context)
    renamed = refresh_member(
        deps.db, SlackGateway(client), team, str(context.user_id), deps.clock.now()
    )
    deps.members.forget(team, str(context.user_id))
    if renamed:  # a colleague's name, not a patient's, from the next check on
        deps.phi.rebuild(deps.db, team)


def after_ack(deps: Deps, work: Callable[..., None], *args: Any) -> None:
    """Run `work(*args)` on the background pool, after the listener has answered Slack.
    For hot paths where Bolt's lazy listeners (which copy the request) cost too much."""

    def logged() -> None:
        try:
            work(*args)
        except Exception:
            log.exception("after-ack work %s failed", getattr(work, "__name__", work))

    deps.background.submit(logged)


def ack_only(ack: Any) -> None:
    ack()


def action_number(action: dict[str, Any]) -> int:
    """The row id a button carries in its value; 0 (no row has it) if it carries none."""
    return whole_number(action.get("value")) or 0
