"""The weekly digest: gathering the week's shared wins and achieved goals, and posting
it once to the program channel (through `program_posts`, kind "weekly_digest")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks.digest import digest_message
from bot.rules import digest as rules
from bot.rules import once
from bot.rules.catalog import CATEGORIES
from bot.rules.phi import Guard
from bot.slack.gateway import SlackGateway
from bot.store import program_posts
from bot.store.db import Database
from bot.store.models import Goal, Member, ProgramSettings, Win
from bot.usecases.delivery import post_once

log = logging.getLogger(__name__)


def gather(session: Session, team_id: str, week: rules.DigestWeek, guard: Guard) -> rules.Digest:
    """Wins logged that week whose authors chose the digest (the rules drop any that
    are private or carry patient data), and the goals achieved that week (counted only:
    nobody chose to publish a goal)."""
    rows = session.execute(
        select(Win, Member.slack_user_id)
        .join(Member, Member.id == Win.member_id)
        .where(
            Win.team_id == team_id,
            Win.in_digest.is_(True),
            Win.is_private.is_(False),
            Win.phi_flagged.is_(False),
            Win.logged_at >= week.start,
            Win.logged_at < week.end,
            Member.is_active.is_(True),
        )
        .order_by(Win.logged_at, Win.id)
    ).all()
    wins = [
        rules.SharedWin(
            author=user,
            text=w.text,
            category=w.category,
            occurred_on=w.occurred_on,
            in_digest=w.in_digest,
            is_private=w.is_private,
            phi_flagged=w.phi_flagged,
        )
        for w, user in rows
    ]
    achieved = select(func.count(Goal.id)).where(
        Goal.team_id == team_id,
        Goal.status == "achieved",
        Goal.status_changed_at >= week.start,
        Goal.status_changed_at < week.end,
    )
    return rules.build(
        week,
        wins,
        categories=list(CATEGORIES),
        guard=guard,
        goals_achieved=int(session.scalar(achieved) or 0),
        certification_goals=int(
            session.scalar(achieved.where(Goal.template_key == rules.CERTIFICATION_TEMPLATE)) or 0
        ),
    )


def channels(session: Session) -> list[tuple[str, str]]:
    """(team, program channel) for every team that set one."""
    return [
        (team, channel)
        for team, channel in session.execute(
            select(ProgramSettings.team_id, ProgramSettings.channel_id).order_by(
                ProgramSettings.team_id
            )
        )
        if channel
    ]


@dataclass(frozen=True)
class Posted:
    team_id: str
    channel: str
    status: str  # sent, empty, failed
    detail: str = ""


def post_digest(
    db: Database,
    gateway: SlackGateway,
    *,
    team_id: str,
    channel: str,
    week: rules.DigestWeek,
    now: datetime,
    guard: Guard,
) -> Posted | None:
    """Post the week's digest once. None when it was posted already (or is being
    posted). A week with nothing to celebrate is settled without a post."""
    key = {"team_id": team_id, "kind": rules.KIND, "period": week.period}
    with db.begin() as session:
        claim = program_posts.claim(session, **key, now=now)
        if claim is None:
            return None
        digest = gather(session, team_id, week, guard)
    if digest.empty:
        with db.begin() as session:
            program_posts.mark_sent(session, claim.id, now, ref="nothing to share")
        return Posted(team_id, channel, "empty")
    text, blocks = digest_message(digest)
    # The ledger key goes in the metadata; a claim taken over looks for it first.
    result = post_once(
        gateway, channel, text, blocks, now, key=once.post_key(**key), look_since=claim.look_since
    )
    if result.status != "sent":
        error = result.error or "unknown_error"
        log.warning("weekly digest to %s failed: %s", channel, error)
        with db.begin() as session:
            program_posts.mark_failed(session, claim.id, error, look_since=result.look_since)
        return Posted(team_id, channel, "failed", error)
    with db.begin() as session:
        program_posts.mark_sent(session, claim.id, now, ref=result.ref or "")
    return Posted(team_id, channel, "sent")
