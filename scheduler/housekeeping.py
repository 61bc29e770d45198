"""Jobs that keep the nudges right: fresh profiles before prompts, old event ids out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.store import events
from bot.store.models import Member
from bot.usecases.members import PROFILE_MAX_AGE, apply_profile, fetch_profile
from scheduler.base import Sent

log = logging.getLogger(__name__)

LOOK_AHEAD = timedelta(hours=2)
MAX_REFRESHES = 200  # per pass: users.info is a Tier 4 method (100+ a minute)


def refresh_profiles(
    deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
) -> list[Sent]:
    """Refresh the Slack profile of members whose prompt comes within two hours, when it
    is a day old: a time zone change moves the prompt before it goes out at the wrong
    hour, a deactivated person is found before we write to them, and the send itself
    needs no extra `users.info` call."""
    if dry_run:
        return []
    with deps.db.begin() as session:
        stale = list(
            session.scalars(
                select(Member)
                .where(
                    Member.next_prompt_at <= now + LOOK_AHEAD,
                    Member.is_active.is_(True),
                    or_(
                        Member.profile_refreshed_at.is_(None),
                        Member.profile_refreshed_at <= now - PROFILE_MAX_AGE,
                    ),
                )
                .order_by(Member.next_prompt_at)
                .limit(MAX_REFRESHES)
            )
        )
    lines = []
    for member in stale:
        profile = fetch_profile(gateway, member.slack_user_id)
        if profile is None:
            continue  # unknown or unreachable now: deliver_dm decides at send time
        with deps.db.begin() as session:
            fresh = session.get(Member, member.id)
            if fresh is not None:
                apply_profile(fresh, profile, now)
        if profile.deleted:
            lines.append(Sent("profile", member.slack_user_id, "", "deactivated", "deleted"))
    return lines


def prune_events(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    """Forget handled event ids once Slack can no longer retry them."""
    if not dry_run:
        with deps.db.begin() as session:
            events.prune(session, now)
    return []
