"""Members are created on first contact, with name and time zone from `users.info`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.slack.gateway import SlackGateway, SlackUser, error_code
from bot.store.db import Database
from bot.store.models import Member

log = logging.getLogger(__name__)

PROFILE_MAX_AGE = timedelta(days=1)


def find_member(session: Session, team_id: str, user_id: str) -> Member | None:
    return session.scalars(
        select(Member).where(Member.team_id == team_id, Member.slack_user_id == user_id)
    ).one_or_none()


def needs_refresh(member: Member | None, now: datetime) -> bool:
    return (
        member is None
        or member.profile_refreshed_at is None
        or now - member.profile_refreshed_at >= PROFILE_MAX_AGE
    )


def fetch_profile(gateway: SlackGateway, user_id: str) -> SlackUser | None:
    """The Slack profile, or None when Slack does not know the user or cannot answer now."""
    try:
        return gateway.user(user_id)
    except SlackApiError as exc:
        log.warning("users.info for %s failed: %s", user_id, error_code(exc))
    except Exception as exc:  # network trouble must not stop a win being logged
        log.warning("users.info for %s failed: %s", user_id, type(exc).__name__)
    return None


def apply_profile(member: Member, profile: SlackUser | None, now: datetime) -> None:
    if profile is None:
        return
    member.name = profile.name or member.name
    moved = bool(profile.tz) and profile.tz != member.tz
    member.tz = profile.tz or member.tz
    member.profile_refreshed_at = now
    returned = profile.deleted is False and member.is_active is False
    # A deleted person is nudged no more; a returning person is active again.
    if profile.deleted and member.is_active is not False:
        member.deactivated_at = now
        member.deactivated_reason = "deleted"
    elif not profile.deleted:
        member.deactivated_at = member.deactivated_reason = None
    member.is_active = not profile.deleted
    if moved or returned or profile.deleted:
        # Prompts follow the member's wall clock: the scheduler works out the next one
        # in the new zone on its next pass (see bot/usecases/prompts.py).
        member.next_prompt_at = None
        member.next_prompt_period = None


def member_from_request(db: Database, team_id: str, user_id: str, now: datetime) -> Member:
    """The member for this Slack user, created on first contact from the request alone
    (ids; UTC until their profile is known). Asks Slack nothing, so it is safe before an
    answer: `refresh_member` fetches the profile after it."""
    with db.begin() as session:
        member = find_member(session, team_id, user_id)
        if member is not None:
            return member
    return _create(db, team_id, user_id, None, now)


def _create(
    db: Database, team_id: str, user_id: str, profile: SlackUser | None, now: datetime
) -> Member:
    try:
        with db.begin() as session:
            member = Member(team_id=team_id, slack_user_id=user_id, created_at=now)
            apply_profile(member, profile, now)
            session.add(member)
        return member
    except IntegrityError:
        # Another request created them a moment ago.
        with db.begin() as session:
            member = find_member(session, team_id, user_id)
            assert member is not None
            return member


def ensure_member(
    db: Database, gateway: SlackGateway, team_id: str, user_id: str, now: datetime
) -> Member:
    """The member for this Slack user, created on first contact.

    A new member's profile is fetched before they are created. This waits on Slack:
    only for work done after the answer (answers use `member_from_request`). An
    existing member is returned at once.
    """
    with db.begin() as session:
        member = find_member(session, team_id, user_id)
        if member is not None:
            return member
    return _create(db, team_id, user_id, fetch_profile(gateway, user_id), now)


def refresh_member(
    db: Database, gateway: SlackGateway, team_id: str, user_id: str, now: datetime
) -> bool:
    """Refresh name and time zone from Slack when the cached profile is a day old.
    True when the member's name changed (a first contact's name came in): the
    patient-data guard's list of colleagues must then be read again."""
    with db.begin() as session:
        if not needs_refresh(find_member(session, team_id, user_id), now):
            return False
    profile = fetch_profile(gateway, user_id)
    if profile is None:
        return False
    with db.begin() as session:
        member = find_member(session, team_id, user_id)
        if member is None:
            return False
        before = member.name
        apply_profile(member, profile, now)
        return member.name != before


def deactivate(session: Session, member: Member, now: datetime, reason: str) -> None:
    """Slack says this person left or cannot be reached: nudge them no more. They become
    active again when Slack shows them back (`apply_profile` on their next contact)."""
    member.is_active = False
    member.deactivated_at = now
    member.deactivated_reason = reason[:64]
    member.next_prompt_at = None
    member.next_prompt_period = None


def display_names(gateway: SlackGateway, user_ids: list[str], limit: int = 10) -> dict[str, str]:
    """Display names of a few people (to show mentions in a message as names)."""
    names: dict[str, str] = {}
    for user_id in user_ids[:limit]:
        profile = fetch_profile(gateway, user_id)
        if profile is not None and profile.name:
            names[user_id] = profile.name
    return names
