"""The weekly digest job: every Monday, the week just ended's shared wins, goals achieved
and certifications earned, posted once to each team's program channel."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.rules.digest import KIND, due_digest
from bot.slack.gateway import SlackGateway
from bot.store import program_posts
from bot.usecases.digest import channels, post_digest
from scheduler.base import Sent


def weekly_digest(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    """Each program's digest on its own day, hour and time zone (`/program settings`)."""
    with deps.db.begin() as session:
        due = []
        for target in channels(session):
            config = target.config
            week = due_digest(
                now, weekday=config.digest_weekday, hour=config.digest_hour, tz=config.tz
            )
            if week is not None and not program_posts.is_settled(
                program_posts.find(
                    session, team_id=target.team_id, kind=KIND, period=target.period(week)
                )
            ):
                due.append((target, week))
    if dry_run:
        return [Sent(KIND, t.channel, t.period(week), "would send") for t, week in due]
    lines = []
    for target, week in due:
        posted = post_digest(
            deps.db,
            gateway,
            team_id=target.team_id,
            channel=target.channel,
            week=week,
            now=now,
            program_id=target.program_id,
            period=target.period(week),
            guard=deps.phi.for_team(deps.db, target.team_id),
        )
        if posted is not None:
            lines.append(
                Sent(KIND, target.channel, target.period(week), posted.status, posted.detail)
            )
    return lines
