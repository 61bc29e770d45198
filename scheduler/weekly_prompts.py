"""The weekly win prompt job: DM every member whose prompt is due, once per week.

Due members are taken a chunk at a time: one transaction claims the whole chunk in the
ledger (committed before anything is sent), sender threads post side by side while the
next chunk is claimed, and one transaction records what happened and schedules each
member's next prompt. A crash mid-chunk leaves claims that a later pass takes over once
their lease expires; a prompt sent but not yet recorded when the process died is found
in the member's DM by the ledger key in its metadata and recorded, not sent again
(bot/rules/once.py).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.blocks.prompts import weekly_prompt
from bot.deps import Deps
from bot.rules import once
from bot.rules.schedule import WEEKLY_GRACE, Occurrence, catch_up, catch_up_weekly
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.store.models import Member
from bot.usecases import prompts
from bot.usecases.delivery import Attempt, DeliveryResult, attempt, record, worker_name
from bot.usecases.prompts import prefs_of
from scheduler.base import Sent

log = logging.getLogger(__name__)

KIND = prompts.KIND
CHUNK = 100  # members claimed, sent and recorded together
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
    in_flight: Chunk | None = None
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="prompt") as pool:
        while True:
            with deps.db.begin() as session:
                ids = prompts.due_member_ids(session, now, after_id=last_id, limit=CHUNK)
            if not ids:
                break
            last_id = ids[-1]
            # Claim the next chunk while the senders still work on the one before, so
            # they never wait for the database between chunks.
            chunk = claim_chunk(deps, gateway, ids, now, pool)
            if in_flight is not None:
                lines += finish_chunk(deps, in_flight, now)
            in_flight = chunk
        if in_flight is not None:
            lines += finish_chunk(deps, in_flight, now)
    return lines


@dataclass
class Chunk:
    claimed: list[tuple[Member, ledger.Claim, str]]
    sending: list[Future[Attempt]]
    lines: list[Sent]


def claim_chunk(
    deps: Deps, gateway: SlackGateway, ids: list[int], now: datetime, pool: ThreadPoolExecutor
) -> Chunk:
    """Claim a chunk of due members in one transaction (committed before anything is
    sent), then hand the claimed ones to the sender threads."""
    worker = worker_name()
    lines: list[Sent] = []
    claimed: list[tuple[Member, ledger.Claim, str]] = []
    with deps.db.begin() as session:
        members = list(
            session.scalars(
                select(Member).where(
                    Member.id.in_(ids), Member.next_prompt_at <= now, Member.is_active.is_(True)
                )
            )
        )
        contexts = prompts.prompt_contexts(session, members, now)
        settled: list[Member] = []
        to_claim: list[Member] = []
        for member in members:
            assert member.next_prompt_at is not None
            due_at, period = member.next_prompt_at, member.next_prompt_period or ""
            if catch_up(due_at, now, WEEKLY_GRACE) == "missed":
                # Down past the stored slot's grace window: it and any later slots past
                # theirs are missed; a slot still within its grace window goes now.
                key = {"team_id": member.team_id, "member_id": member.id, "kind": KIND}
                late, upcoming = catch_up_weekly(due_at, now, prefs_of(member), (period,))
                for slot in [Occurrence(period, due_at, due_at), *late]:
                    ledger.mark_missed(
                        session, **key, period=slot.period, due_at=slot.due_at, now=now
                    )
                    note = f"was due {slot.due_at:%Y-%m-%d %H:%M}Z"
                    lines.append(Sent(KIND, member.slack_user_id, slot.period, "missed", note))
                if upcoming is not None and upcoming.due_at <= now:
                    member.next_prompt_at = upcoming.due_at
                    member.next_prompt_period = upcoming.period
                    to_claim.append(member)
                else:
                    settled.append(member)
            else:
                to_claim.append(member)
        claims = ledger.claim_many(
            session,
            [
                ledger.Due(m.team_id, m.id, m.next_prompt_period or "", m.next_prompt_at)
                for m in to_claim
                if m.next_prompt_at is not None
            ],
            kind=KIND,
            now=now,
            worker=worker,
        )
        for member in to_claim:
            period = member.next_prompt_period or ""
            key = {"team_id": member.team_id, "member_id": member.id, "kind": KIND}
            if member.id in claims:
                claimed.append((member, claims[member.id], period))
            elif ledger.is_settled(ledger.find(session, **key, period=period)):
                settled.append(member)  # sent by another process, or a skipped week
            else:
                lines.append(Sent(KIND, member.slack_user_id, period, "busy"))
        prompts.reschedule_many(session, settled, now)

    def send(member: Member, claim: ledger.Claim, period: str) -> Attempt:
        wins, goal = contexts[member.id]
        text, blocks = weekly_prompt(
            name=member.name, period=period, wins_last_week=wins, goal=goal
        )
        key = once.nudge_key(member.team_id, member.id, KIND, period)
        return attempt(gateway, member, text, blocks, now, key=key, look_since=claim.look_since)

    sending = [pool.submit(send, member, claim, period) for member, claim, period in claimed]
    return Chunk(claimed, sending, lines)


def finish_chunk(deps: Deps, chunk: Chunk, now: datetime) -> list[Sent]:
    """Record a chunk's outcomes in one transaction and schedule the next prompts."""
    lines = chunk.lines
    attempts = [future.result() for future in chunk.sending]
    with deps.db.begin() as session:
        done: list[int] = []
        plain_sent: list[tuple[int, str | None]] = []
        for (member, claim, period), outcome in zip(chunk.claimed, attempts, strict=True):
            nudge_id = claim.id
            if outcome.status == "sent" and outcome.profile is None:
                # The common case, written for the whole chunk at once below.
                result = DeliveryResult("sent", nudge_id, ref=outcome.ref)
                plain_sent.append((nudge_id, outcome.ref))
            else:
                result = record(session, member.id, nudge_id, outcome, now)
            if result.status == "sent":
                done.append(member.id)
            lines.append(
                Sent(KIND, member.slack_user_id, period, result.status, result.error or "")
            )
        ledger.mark_sent_many(session, plain_sent, now)
        fresh = list(session.scalars(select(Member).where(Member.id.in_(done))))
        prompts.reschedule_many(session, fresh, now)
    return lines


def preview(deps: Deps, now: datetime) -> list[Sent]:
    """What a pass would send at `now`, changing nothing (`benchmate tick --dry-run`)."""
    lines: list[Sent] = []
    with deps.db.begin() as session:
        last_id = 0
        while ids := prompts.due_member_ids(session, now, after_id=last_id, limit=CHUNK):
            last_id = ids[-1]
            for member_id in ids:
                member = session.get(Member, member_id)
                assert member is not None and member.next_prompt_at is not None
                due = catch_up(member.next_prompt_at, now, WEEKLY_GRACE)
                status = "would send" if due == "send" else "would miss"
                period = member.next_prompt_period or ""
                lines.append(Sent(KIND, member.slack_user_id, period, status))
    return lines
