"""The weekly digest: gathering the week's shared wins and achieved goals, and posting
it once to the program channel (through `program_posts`, kind "weekly_digest")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from bot.blocks.digest import digest_message
from bot.rules import digest as rules
from bot.rules import once
from bot.rules.catalog import CATEGORIES
from bot.rules.phi import Guard
from bot.rules.program_settings import ProgramConfig
from bot.slack.gateway import SlackGateway
from bot.store import program_posts
from bot.store.db import Database
from bot.store.models import (
    MAIN_PROGRAM,
    Goal,
    Member,
    Program,
    ProgramProfile,
    ProgramSettings,
    Win,
)
from bot.usecases.delivery import post_once
from bot.usecases.program_settings import config_of
from bot.usecases.programs import program_named

log = logging.getLogger(__name__)


def gather(
    session: Session,
    team_id: str,
    week: rules.DigestWeek,
    guard: Guard,
    program_id: int | None = None,
) -> rules.Digest:
    """Wins logged that week whose authors chose the digest (the rules drop any that
    are private or carry patient data), and the goals achieved that week (counted only:
    nobody chose to publish a goal). The "main" program's digest is the workspace's,
    as before several programs; another program's, its roster's."""
    roster = None
    if program_id is not None and program_named(session, program_id) != MAIN_PROGRAM:
        roster = select(ProgramProfile.member_id).where(
            ProgramProfile.program_id == program_id, ProgramProfile.left_at.is_(None)
        )

    def member_in(column: Any) -> Any:
        return true() if roster is None else column.in_(roster)

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
            member_in(Win.member_id),
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
        member_in(Goal.member_id),
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


@dataclass(frozen=True)
class Target:
    team_id: str
    program_id: int
    program: str  # its name
    channel: str
    config: ProgramConfig

    def period(self, week: rules.DigestWeek) -> str:
        """The ledger period: the ISO week for "main" (as before several programs),
        "<program id>:<ISO week>" for the others."""
        return week.period if self.program == MAIN_PROGRAM else f"{self.program_id}:{week.period}"


def channels(session: Session) -> list[Target]:
    """Every program that set a channel, with its settings. (Review dates are not
    needed here, so the deployment default stands in for them.)"""
    return [
        Target(row.team_id, row.program_id, name, row.channel_id, config_of(row, ()))
        for row, name in session.execute(
            select(ProgramSettings, Program.name)
            .join(Program, Program.id == ProgramSettings.program_id)
            .order_by(ProgramSettings.team_id, ProgramSettings.program_id)
        )
        if row.channel_id
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
    program_id: int | None = None,
    period: str | None = None,
) -> Posted | None:
    """Post the week's digest once. None when it was posted already (or is being
    posted). A week with nothing to celebrate is settled without a post."""
    key = {"team_id": team_id, "kind": rules.KIND, "period": period or week.period}
    with db.begin() as session:
        claim = program_posts.claim(session, **key, now=now)
        if claim is None:
            return None
        digest = gather(session, team_id, week, guard, program_id)
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
