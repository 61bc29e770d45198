"""Gathering and publishing a member's Home tab."""

from __future__ import annotations

import logging
from datetime import date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks.credentials import home_section
from bot.blocks.home import MAX_LATEST_WINS, HomeData, home_view
from bot.deps import Deps
from bot.rules.credentials import Catalog
from bot.rules.localtime import local_date
from bot.slack.gateway import SlackGateway, error_code
from bot.store.models import Member, Win
from bot.usecases.credentials import statuses
from bot.usecases.members import ensure_member
from bot.usecases.preferences import schedule_line
from bot.usecases.wins import latest_wins, open_goals

log = logging.getLogger(__name__)


def count_wins_since(session: Session, member_id: int, since: date) -> int:
    """Wins dated on or after `since` (the member's own date for the win)."""
    return int(
        session.scalar(
            select(func.count(Win.id)).where(Win.member_id == member_id, Win.occurred_on >= since)
        )
        or 0
    )


def home_data(
    session: Session, member: Member, now: datetime, catalog: Catalog | None = None
) -> HomeData:
    today = local_date(now, member.tz)
    helds = statuses(session, member.id, member.tz, catalog, now) if catalog else []
    goals = open_goals(session, member.id)
    linked: dict[int, list[Win]] = {}
    if goals:
        rows = session.scalars(
            select(Win)
            .where(Win.goal_id.in_([g.id for g in goals]))
            .order_by(Win.occurred_on.desc(), Win.id.desc())
        )
        for win in rows:
            linked.setdefault(win.goal_id or 0, []).append(win)
    return HomeData(
        name=member.name,
        wins_this_month=count_wins_since(session, member.id, today.replace(day=1)),
        wins_this_year=count_wins_since(session, member.id, today.replace(month=1, day=1)),
        latest_wins=latest_wins(session, member.id, MAX_LATEST_WINS),
        goals=goals,
        linked_wins=linked,
        total_wins=int(
            session.scalar(select(func.count(Win.id)).where(Win.member_id == member.id)) or 0
        ),
        prompt_line=schedule_line(member),
        credentials=home_section(helds),
    )


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    """Publish the member's Home tab; a Slack error is logged, not raised."""
    gateway = SlackGateway(client)
    now = deps.clock.now()
    member = ensure_member(deps.db, gateway, team_id, user_id, now)
    with deps.db.begin() as session:
        view = home_view(home_data(session, member, now, deps.settings.credential_catalog))
    try:
        gateway.publish_home(user_id, view)
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", user_id, error_code(exc))
