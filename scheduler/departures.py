"""People who left keep no pairs: whoever Slack shows as gone (found by a nudge that
could not be delivered, by a profile refresh, or by an event) leaves the program."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.store.models import Member, Pair
from bot.usecases.pairs import member_left
from scheduler.base import Sent


def departures(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    """End the pairs of inactive members (`member_left`: the other person and the
    coordinators are told). Once: an ended pair is not found again."""
    with deps.db.begin() as session:
        in_pairs = (
            select(Pair.mentor_id)
            .where(Pair.ended_at.is_(None))
            .union(select(Pair.mentee_id).where(Pair.ended_at.is_(None)))
        )
        gone = list(
            session.scalars(
                select(Member).where(Member.is_active.is_(False), Member.id.in_(in_pairs))
            )
        )
    lines = []
    for member in gone:
        if dry_run:
            lines.append(Sent("left", member.slack_user_id, "-", "would end"))
            continue
        left = member_left(
            deps.db, gateway, member, now, env_coordinators=deps.settings.coordinators
        )
        lines.append(
            Sent("left", member.slack_user_id, "-", "ended", f"{left.ended} pair(s) ended")
        )
    return lines
