"""Replies to the weekly prompt, in the app's DM, logged as wins.

Logged: the member's own top-level messages within 72 hours after a prompt, and their
replies in a prompt's thread (one win per bullet line, source `dm_reply`), confirmed
with a reaction. Held: text that may carry patient data waits as a draft with the
same choices as `/win`. Anything else gets a short answer and a "Log as a win" button.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.blocks.prompts import outside_window_blocks
from bot.blocks.wins import held_blocks
from bot.deps import Deps
from bot.slack.gateway import SlackGateway
from bot.store.models import Member
from bot.usecases.members import ensure_member
from bot.usecases.prompts import is_prompt_thread, last_prompt_within
from bot.usecases.wins import Held, Logged, Rejected, hold_text, submit_text

log = logging.getLogger(__name__)

REPLY_WINDOW_HOURS = 72


def is_members_message(event: dict[str, Any]) -> bool:
    """A person's own new message in the app's DM: not a bot's, not an edit, deletion
    or any other subtype."""
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(str(event.get("text") or "").strip())
    )


def unescape(text: str) -> str:
    """Slack escapes &, < and > in message text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def counts_as_reply(deps: Deps, member_id: int, event: dict[str, Any], now: datetime) -> bool:
    channel = str(event.get("channel") or "")
    ts = str(event.get("ts") or "")
    thread_ts = str(event.get("thread_ts") or "")
    with deps.db.begin() as session:
        member = session.get(Member, member_id)
        assert member is not None
        if thread_ts and thread_ts != ts:
            return is_prompt_thread(session, member, channel, thread_ts)
        return last_prompt_within(session, member, now, REPLY_WINDOW_HOURS)


def handle_dm(deps: Deps, gateway: SlackGateway, team_id: str, event: dict[str, Any]) -> str:
    """Log, hold or answer one DM; returns what happened (for logs and tests)."""
    if not is_members_message(event):
        return "ignored"
    now = deps.clock.now()
    member = ensure_member(deps.db, gateway, team_id, str(event["user"]), now)
    text = unescape(str(event["text"]))
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    thread = str(event.get("thread_ts") or ts)
    if not counts_as_reply(deps, member.id, event, now):
        gateway.send_dm(
            member.slack_user_id,
            "Log this as a win?",
            # The text waits as a draft: a button's value holds only 2,000 characters.
            outside_window_blocks(hold_text(deps.db, member, text, "dm_reply", now)),
            thread_ts=thread,
        )
        return "offered"
    guard = deps.phi.for_team(deps.db, member.team_id)
    outcome = submit_text(deps.db, member, text, "dm_reply", now, guard=guard)
    if isinstance(outcome, Logged):
        gateway.react(channel, ts, "white_check_mark")
        return "logged"
    if isinstance(outcome, Held):
        gateway.send_dm(
            member.slack_user_id,
            "Nothing saved yet: this may contain patient information.",
            held_blocks(outcome.draft_id, outcome.text, outcome.findings),
            thread_ts=thread,
        )
        return "held"
    assert isinstance(outcome, Rejected)
    gateway.send_dm(member.slack_user_id, outcome.reason, thread_ts=thread)
    return "rejected"
