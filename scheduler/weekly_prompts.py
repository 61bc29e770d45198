"""The weekly win prompt job: DM every member whose prompt is due, once per week."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bot.blocks.prompts import weekly_prompt
from bot.deps import Deps
from bot.rules.schedule import WEEKLY_GRACE, catch_up
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.store.models import Member
from bot.usecases import prompts
from bot.usecases.delivery import deliver_dm, worker_name
from scheduler.base import Sent

log = logging.getLogger(__name__)

KIND = prompts.KIND
BATCH = 500
# Senders in parallel: Slack calls are network waits, and a shared RateGate keeps all
# of them behind a 429's Retry-After.
WORKERS = 8


def weekly_prompts(
    deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
) -> list[Sent]:
    if dry_run:
        return preview(deps, now)
    with deps.db.begin() as session:
        prompts.schedule_unscheduled(session, now)
    lines: list[Sent] = []
    last_id = 0
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="prompt") as pool:
        while True:
            with deps.db.begin() as session:
                ids = prompts.due_member_ids(session, now, after_id=last_id, limit=BATCH)
            if not ids:
                break
            last_id = ids[-1]
            results = pool.map(lambda member_id: prompt_one(deps, gateway, member_id, now), ids)
            lines += [line for line in results if line is not None]
    return lines


def prompt_one(deps: Deps, gateway: SlackGateway, member_id: int, now: datetime) -> Sent | None:
    """Send (or record as missed) one member's due prompt, then schedule the next."""
    with deps.db.begin() as session:
        member = session.get(Member, member_id)
        if member is None or member.next_prompt_at is None or member.next_prompt_at > now:
            return None  # another process got here first and moved it on
        due_at, period = member.next_prompt_at, member.next_prompt_period or ""
        if catch_up(due_at, now, WEEKLY_GRACE) == "missed":
            ledger.mark_missed(
                session,
                team_id=member.team_id,
                member_id=member.id,
                kind=KIND,
                period=period,
                due_at=due_at,
                now=now,
            )
            prompts.reschedule(session, member, now)
            return Sent(
                KIND, member.slack_user_id, period, "missed", f"was due {due_at:%Y-%m-%d %H:%M}Z"
            )
        wins, goal = prompts.prompt_context(session, member, now)
    text, blocks = weekly_prompt(name=member.name, period=period, wins_last_week=wins, goal=goal)
    result = deliver_dm(
        deps.db,
        gateway,
        member=member,
        kind=KIND,
        period=period,
        due_at=due_at,
        now=now,
        worker=worker_name(),
        text=text,
        blocks=blocks,
    )
    if result.status in ("sent", "skipped"):
        with deps.db.begin() as session:
            fresh = session.get(Member, member_id)
            if fresh is not None:
                prompts.reschedule(session, fresh, now)
    if result.status == "skipped":
        return None  # settled earlier (another process, or a cancelled week): say nothing
    return Sent(KIND, member.slack_user_id, period, result.status, result.error or "")


def preview(deps: Deps, now: datetime) -> list[Sent]:
    """What a pass would send at `now`, changing nothing (`benchmate tick --dry-run`)."""
    lines: list[Sent] = []
    with deps.db.begin() as session:
        last_id = 0
        while ids := prompts.due_member_ids(session, now, after_id=last_id, limit=BATCH):
            last_id = ids[-1]
            for member_id in ids:
                member = session.get(Member, member_id)
                assert member is not None and member.next_prompt_at is not None
                due = catch_up(member.next_prompt_at, now, WEEKLY_GRACE)
                status = "would send" if due == "send" else "would miss"
                period = member.next_prompt_period or ""
                lines.append(Sent(KIND, member.slack_user_id, period, status))
    return lines
