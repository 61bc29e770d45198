"""Keep the workspace directory that the patient-data guard uses for colleagues."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.deps import Deps
from bot.slack.gateway import SlackGateway, error_code
from bot.store.models import Member
from bot.usecases import directory
from scheduler.base import Sent

log = logging.getLogger(__name__)


def workspace_directory(
    deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
) -> list[Sent]:
    """One `users.list` page per workspace per pass while a sweep is due (daily); when a
    sweep ends, the guard reads the directory afresh on its next check."""
    if dry_run:
        return []
    with deps.db.begin() as session:
        teams = list(session.scalars(select(Member.team_id).distinct()))
    for team in teams:
        try:
            finished = directory.sync_page(deps.db, gateway, team, now)
        except SlackApiError as exc:
            # e.g. missing_scope: the guard still knows the members; try again next pass.
            log.warning("users.list for %s failed: %s", team, error_code(exc))
            continue
        except Exception as exc:  # network trouble must not stop the other jobs
            log.warning("users.list for %s failed: %s", team, type(exc).__name__)
            continue
        if finished:
            deps.phi.forget(team)
    return []
