"""Exactly once across crashes: the decisions, as pure functions.

Every message that goes through a ledger (the nudge ledger, `program_posts`) carries its
ledger key in Slack message metadata. When a send's outcome is unknown (a claim taken
over after its holder died, a timeout, a connection reset, a 5xx), the sender first
looks for that key in the conversation's recent history (bounded: from the claim time
minus a margin, a few pages at most) and records the message it finds instead of
sending it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

EVENT_TYPE = "benchmate_ledger"
# Looking starts this long before the claim: the instants we write and Slack's ts come
# from different machines' clocks, and a message is posted a little after its claim.
MARGIN = timedelta(minutes=5)
PAGE = 100  # messages per conversations.history page
PAGES = 2  # at most this many pages per look
UNSURE = "unsure:"  # prefix of a recorded error after which the message may be out


def nudge_key(team_id: str, member_id: int, kind: str, period: str) -> str:
    """The nudge ledger's key as text (team, member row, kind, period)."""
    return f"nudge/{team_id}/{member_id}/{kind}/{period}"


def post_key(team_id: str, kind: str, period: str) -> str:
    """The program posts ledger's key as text (team, kind, period)."""
    return f"post/{team_id}/{kind}/{period}"


def metadata(key: str) -> dict[str, Any]:
    """Slack message metadata carrying a ledger key (`chat.postMessage`'s `metadata`)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def unsure(error: str) -> str:
    """The error to record when the message may have been posted after all."""
    return error if error.startswith(UNSURE) else UNSURE + error


ClaimAction = Literal["send", "look_first"]


def claim_action(previous_status: str | None, previous_error: str | None) -> ClaimAction:
    """What the new holder of a ledger claim does before sending.

    - No previous row (`None`): nobody tried; send.
    - A `claimed` row taken over (its lease expired): its holder died or hung somewhere
      between claiming and recording; the message may be out: look first.
    - A `failed` row whose error says the message may be out (`unsure:`, e.g. a
      timeout): look first. Any other failure was a clear "no" from Slack (an error
      code, a 429): send.
    """
    if previous_status is None:
        return "send"
    if previous_status == "claimed":
        return "look_first"
    if previous_status == "failed" and (previous_error or "").startswith(UNSURE):
        return "look_first"
    return "send"


def look_from(claimed_at: datetime, margin: timedelta = MARGIN) -> datetime:
    """Where a look starts (conversations.history's `oldest`): the earliest claim whose
    outcome is unknown, minus the margin."""
    return claimed_at - margin


def find_key(messages: Iterable[Mapping[str, Any]], key: str) -> str | None:
    """The ts of a message in `messages` whose metadata carries `key`, or None."""
    for message in messages:
        meta = message.get("metadata")
        if not isinstance(meta, Mapping) or meta.get("event_type") != EVENT_TYPE:
            continue
        payload = meta.get("event_payload")
        if isinstance(payload, Mapping) and payload.get("key") == key:
            return str(message.get("ts", ""))
    return None


Verdict = Literal["found", "absent", "unknown"]


def verdict(found_ts: str | None, *, more: bool) -> Verdict:
    """After a bounded look: the message is there; it is not (every message since
    `oldest` was seen); or we cannot tell (pages left unread), so neither send nor
    record: a later pass looks again from the same instant."""
    if found_ts:
        return "found"
    return "unknown" if more else "absent"
