"""Sending one nudge by DM exactly once, through the ledger.

`deliver_dm` is the one way timed messages leave Benchmate (weekly prompts, goal
reviews; meeting reminders, surveys and announcements build on it too):

1. claim the nudge key in the ledger (commit), or return at once if it is not ours;
2. when the cached profile is stale, ask `users.info` first: a deleted person is
   marked inactive and not messaged (Slack may accept a DM to them silently);
3. post; HTTP 429 waits `Retry-After` (every sender sharing the gateway waits) and
   tries again; 5xx and timeouts are retried with backoff a few times, then left
   for a later pass; `user_disabled`, `account_inactive`, `channel_not_found` mark
   the member inactive and settle the nudge for good;
4. record the outcome in the ledger.

One member's failure never raises out of here: the caller's pass goes on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.slack.gateway import (
    Posted,
    SlackGateway,
    SlackUser,
    error_code,
    http_status,
    retry_after,
)
from bot.store import ledger
from bot.store.db import Database
from bot.store.models import Member
from bot.usecases.members import apply_profile, deactivate, needs_refresh

log = logging.getLogger(__name__)

# Errors that mean the person cannot be reached any more.
GONE_ERRORS = frozenset(
    {"user_disabled", "account_inactive", "channel_not_found", "user_not_found", "deleted"}
)

Status = Literal["sent", "skipped", "busy", "failed", "deactivated"]


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 3  # per pass, for 5xx and timeouts
    backoff: float = 0.2  # seconds, doubled after each try
    max_rate_wait: float = 120.0  # total seconds a nudge may wait out 429s in one pass
    retry_in: timedelta = timedelta(minutes=1)  # before a later pass tries again


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class DeliveryResult:
    """`sent`; `skipped` (settled already: sent, missed, cancelled, failed for good);
    `busy` (another worker holds it, or a retry is not due yet); `failed` (a later pass
    retries while attempts are left); `deactivated` (the member is gone)."""

    status: Status
    nudge_id: int | None = None
    ref: str | None = None
    error: str | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class _Retryable(Exception):
    pass


def deliver_dm(
    db: Database,
    gateway: SlackGateway,
    *,
    member: Member,
    kind: str,
    period: str,
    due_at: datetime,
    now: datetime,
    worker: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> DeliveryResult:
    key = {"team_id": member.team_id, "member_id": member.id, "kind": kind, "period": period}
    with db.begin() as session:
        nudge_id = ledger.claim(session, **key, due_at=due_at, now=now, worker=worker)
        if nudge_id is None:
            settled = ledger.is_settled(ledger.find(session, **key))
            return DeliveryResult("skipped" if settled else "busy")
    outcome = attempt(gateway, member, text, blocks, now, policy)
    with db.begin() as session:
        return record(session, member.id, nudge_id, outcome, now, policy)


@dataclass(frozen=True)
class Attempt:
    """What happened to one claimed nudge on the wire; `record` writes it down."""

    status: Literal["sent", "failed", "deactivated"]
    ref: str | None = None
    error: str | None = None
    profile: SlackUser | None = None  # a fresh profile fetched on the way


def attempt(
    gateway: SlackGateway,
    member: Member,
    text: str,
    blocks: list[dict[str, Any]] | None,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> Attempt:
    """Send one claimed nudge (no database work, so many can run side by side)."""
    profile = None
    if needs_refresh(member, now):
        # The scheduler refreshes profiles ahead of time; this is the fallback.
        try:
            profile = gateway.user(member.slack_user_id)
        except (SlackApiError, OSError) as exc:
            # Cannot check now: send anyway; chat.postMessage reports a disabled user.
            log.warning("users.info for %s failed: %r", member.slack_user_id, exc)
        else:
            if profile is None:
                return Attempt("deactivated", error="user_not_found")
            if profile.deleted:
                return Attempt("deactivated", error="deleted", profile=profile)
    try:
        posted = _post(gateway, member.slack_user_id, text, blocks, policy)
    except SlackApiError as exc:
        code = error_code(exc)
        status: Literal["failed", "deactivated"] = (
            "deactivated" if code in GONE_ERRORS else "failed"
        )
        return Attempt(status, error=code, profile=profile)
    except _Retryable as exc:
        return Attempt("failed", error=str(exc), profile=profile)
    return Attempt("sent", ref=posted.ref, profile=profile)


def record(
    session: Session,
    member_id: int,
    nudge_id: int,
    outcome: Attempt,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> DeliveryResult:
    """Write an attempt's outcome to the ledger (and the member, when they are gone)."""
    member = None
    if outcome.profile is not None or outcome.status == "deactivated":
        member = session.get(Member, member_id)
    if member is not None and outcome.profile is not None:
        apply_profile(member, outcome.profile, now)
    if outcome.status == "sent":
        ledger.mark_sent(session, nudge_id, now, ref=outcome.ref)
        return DeliveryResult("sent", nudge_id, ref=outcome.ref)
    error = outcome.error or "unknown_error"
    if outcome.status == "deactivated":
        log.info("member %s cannot be reached (%s): marked inactive", member_id, error)
        ledger.mark_failed(session, nudge_id, now, error, final=True)
        if member is not None:
            deactivate(session, member, now, error)
        return DeliveryResult("deactivated", nudge_id, error=error)
    log.warning("nudge %s not sent this pass: %s", nudge_id, error)
    ledger.mark_failed(session, nudge_id, now, error, final=False, retry_in=policy.retry_in)
    return DeliveryResult("failed", nudge_id, error=error)


def _post(
    gateway: SlackGateway,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    policy: RetryPolicy,
) -> Posted:
    waited = 0.0
    tries = 0
    while True:
        waited += gateway.gate.wait()
        try:
            posted = gateway.send_dm(user_id, text, blocks)
            gateway.gate.passed()
            return posted
        except SlackApiError as exc:
            status = http_status(exc)
            if status == 429:
                delay = retry_after(exc)
                gateway.gate.pause(delay)
                if waited + delay > policy.max_rate_wait:
                    raise _Retryable("ratelimited") from exc
                continue
            gateway.gate.released()
            if status < 500:
                raise
            error = f"http_{status}"
        except OSError as exc:  # connection refused, reset, timed out
            gateway.gate.released()
            error = type(exc).__name__
        except BaseException:
            gateway.gate.released()
            raise
        tries += 1
        if tries >= policy.tries:
            raise _Retryable(error)
        time.sleep(policy.backoff * 2 ** (tries - 1))
