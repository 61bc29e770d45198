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
        targets = []
        for team, channel, config in channels(session):
            week = due_digest(
                now, weekday=config.digest_weekday, hour=config.digest_hour, tz=config.tz
            )
            if week is not None and not program_posts.is_settled(
                program_posts.find(session, team_id=team, kind=KIND, period=week.period)
            ):
                targets.append((team, channel, week))
    if dry_run:
        return [Sent(KIND, channel, week.period, "would send") for _, channel, week in targets]
    lines = []
    for team, channel, week in targets:
        posted = post_digest(deps.db, gateway, team_id=team, channel=channel, week=week, now=now)
        if posted is not None:
            lines.append(Sent(KIND, channel, week.period, posted.status, posted.detail))
    return lines
