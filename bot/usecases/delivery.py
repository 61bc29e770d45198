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

Exactly once across crashes (bot/rules/once.py): every message carries its ledger key
in Slack message metadata. Whenever the outcome of a post is unknown (a claim taken over
from a process that died, a timeout, a dropped connection, a 5xx), the sender first looks
for the key in the member's DM (`conversations.history`, bounded) and records the
message it finds instead of posting again. A timed-out post that is not there yet is not
posted again in the same pass (Slack may still be posting it): it is recorded as an
unsure failure and a later pass looks again before sending.

One member's failure never raises out of here: the caller's pass goes on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.rules import once
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
    def __init__(self, error: str, look_since: datetime | None = None) -> None:
        super().__init__(error)
        self.look_since = look_since


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
        claim = ledger.claim(session, **key, due_at=due_at, now=now, worker=worker)
        if claim is None:
            settled = ledger.is_settled(ledger.find(session, **key))
            return DeliveryResult("skipped" if settled else "busy")
    outcome = attempt(
        gateway,
        member,
        text,
        blocks,
        now,
        policy,
        key=once.nudge_key(**key),
        look_since=claim.look_since,
    )
    with db.begin() as session:
        return record(session, member.id, claim.id, outcome, now, policy)


@dataclass(frozen=True)
class Attempt:
    """What happened to one claimed nudge on the wire; `record` writes it down."""

    status: Literal["sent", "failed", "deactivated"]
    ref: str | None = None
    error: str | None = None
    profile: SlackUser | None = None  # a fresh profile fetched on the way
    found: bool = False  # "sent": found in the DM by its ledger key, not posted now
    # An unsure failure whose look could not finish: the next look starts here again.
    look_since: datetime | None = None


def attempt(
    gateway: SlackGateway,
    member: Member,
    text: str,
    blocks: list[dict[str, Any]] | None,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    key: str,
    look_since: datetime | None = None,
) -> Attempt:
    """Send one claimed nudge (no database work, so many can run side by side), with
    its ledger `key` in the message metadata. With `look_since` (a claim taken over, or
    a retry after an unsure failure) first look for the key in the DM since then."""
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
    sent = post_once(
        gateway,
        member.slack_user_id,
        text,
        blocks,
        now,
        policy,
        key=key,
        look_since=look_since,
    )
    if sent.status == "failed" and sent.error in GONE_ERRORS:
        return replace(sent, status="deactivated", profile=profile)
    return replace(sent, profile=profile)


def post_once(
    gateway: SlackGateway,
    to: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    key: str,
    look_since: datetime | None = None,
) -> Attempt:
    """Post one ledgered message to `to` (a person's id: their DM; or a channel id)
    with its ledger `key` in the metadata; `sent` or `failed` (an error code, or an
    `once.unsure` one when it may be out). With `look_since`, look for the key in the
    conversation first and record what is found instead of posting."""
    if look_since is not None:
        verdict, posted = _look(gateway, to, key, look_since)
        if verdict == "found" and posted is not None:
            log.info("%s was posted already (%s): recorded", key, posted.ref)
            return Attempt("sent", ref=posted.ref, found=True)
        if verdict == "unknown":
            return Attempt("failed", error=once.unsure("look_unfinished"), look_since=look_since)
    since = look_since or once.look_from(now)
    try:
        posted, found = _post(gateway, to, text, blocks, policy, key, since)
    except SlackApiError as exc:
        return Attempt("failed", error=error_code(exc))
    except _Retryable as exc:
        return Attempt("failed", error=str(exc), look_since=exc.look_since)
    return Attempt("sent", ref=posted.ref, found=found)


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
    ledger.mark_failed(
        session,
        nudge_id,
        now,
        error,
        final=False,
        retry_in=policy.retry_in,
        look_since=outcome.look_since,
    )
    return DeliveryResult("failed", nudge_id, error=error)


def _look(
    gateway: SlackGateway, to: str, key: str, since: datetime
) -> tuple[once.Verdict, Posted | None]:
    """Whether the message with ledger `key` is in the conversation (a person's DM, or
    a channel) since `since`; a look that fails (Slack error, timeout) cannot tell."""
    try:
        # Member ids start with U or W; their DM's id comes from conversations.open.
        channel = gateway.dm_channel(to) if to[:1] in ("U", "W") else to
        verdict, ts = gateway.look(channel, key, since)
    except (SlackApiError, OSError) as exc:
        log.warning("looking for %s in %s failed: %r", key, to, exc)
        return "unknown", None
    return verdict, Posted(channel, ts) if ts else None


def _never_sent(exc: OSError) -> bool:
    """The request never reached Slack (connection refused): safe to send again."""
    reason = getattr(exc, "reason", None)
    return isinstance(exc, ConnectionRefusedError) or isinstance(reason, ConnectionRefusedError)


def _post(
    gateway: SlackGateway,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    policy: RetryPolicy,
    key: str,
    since: datetime,
) -> tuple[Posted, bool]:
    """Post with the 429/5xx handling; (where it went, whether it was found by a look
    after an unknown outcome rather than posted by the last try)."""
    waited = 0.0
    tries = 0
    metadata = once.metadata(key)
    while True:
        waited += gateway.gate.wait()
        in_flight = False  # after a 5xx Slack is done with the request; not after a timeout
        try:
            posted = gateway.send_dm(user_id, text, blocks, metadata=metadata)
            gateway.gate.passed()
            return posted, False
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
            if _never_sent(exc):  # refused: nothing was sent, nothing to look for
                tries += 1
                if tries >= policy.tries:
                    raise _Retryable(error) from exc
                time.sleep(policy.backoff * 2 ** (tries - 1))
                continue
            in_flight = True
        except BaseException:
            gateway.gate.released()
            raise
        # The outcome is unknown: the message may be out. Look before trying again.
        verdict, found = _look(gateway, user_id, key, since)
        if verdict == "found" and found is not None:
            return found, True
        if verdict == "unknown":
            raise _Retryable(once.unsure(error), look_since=since)
        if in_flight:
            # Timed out or dropped: Slack may still be posting it. A later pass looks
            # again (from this pass's claim) before sending.
            raise _Retryable(once.unsure(error))
        tries += 1
        if tries >= policy.tries:
            raise _Retryable(error)  # Slack answered and the look says it is not there
        time.sleep(policy.backoff * 2 ** (tries - 1))
