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
    week = due_digest(now)
    if week is None:
        return []
    with deps.db.begin() as session:
        targets = [
            (team, channel)
            for team, channel in channels(session)
            if not program_posts.is_settled(
                program_posts.find(session, team_id=team, kind=KIND, period=week.period)
            )
        ]
    if dry_run:
        return [Sent(KIND, channel, week.period, "would send") for _, channel in targets]
    lines = []
    for team, channel in targets:
        posted = post_digest(
            deps.db,
            gateway,
            team_id=team,
            channel=channel,
            week=week,
            now=now,
            guard=deps.phi.for_team(deps.db, team),
        )
        if posted is not None:
            lines.append(Sent(KIND, channel, week.period, posted.status, posted.detail))
    return lines
