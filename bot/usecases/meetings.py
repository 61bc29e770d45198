"""A pair's meetings: the current cycle, logging a meeting, "Not yet", "Rescheduled",
open action items, and the ledger keys of the cycle's nudges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import meetings as blocks
from bot.blocks import state
from bot.blocks.common import Block
from bot.rules import meetings as rules
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.rules.phi import Guard
from bot.store import ledger
from bot.store.db import Database
from bot.store.models import ActionItem, Meeting, Member, Nudge, Pair
from bot.usecases.programs import label_of
from bot.usecases.prompts import prefs_of
from bot.usecases.win_submission import Warn  # the form again, with the warning

MAX_ACTION_ITEMS = 10  # per meeting, and open ones shown
MAX_NOTES = 2000


def cycle_of(pair: Pair) -> rules.Cycle:
    """The pair's current cycle. A new pair's first meeting is due one cadence after
    it started (the mentor's local date)."""
    due_on = pair.next_meeting_on or rules.first_due_on(
        local_date(pair.started_at, pair.mentor.tz), pair.cadence_days
    )
    return rules.Cycle(pair.id, due_on, pair.followups_from)


def settled_keys(session: Session, pair: Pair) -> set[tuple[str, str, str]]:
    """(kind, to, period) of this pair's meeting nudges settled in the ledger."""
    role = {pair.mentor_id: "mentor", pair.mentee_id: "mentee"}
    rows = session.scalars(
        select(Nudge).where(
            Nudge.member_id.in_(list(role)),
            Nudge.kind.in_(rules.KINDS),
            Nudge.period.like(f"p{pair.id}:%"),
        )
    )
    return {
        (n.kind, "coordinators" if n.kind == rules.FLAG else role[n.member_id], n.period)
        for n in rows
        if ledger.is_settled(n)
    }


def due_for(session: Session, pair: Pair, now: datetime) -> list[rules.MeetingNudge]:
    return rules.due_now(
        cycle_of(pair),
        prefs_of(pair.mentor),
        prefs_of(pair.mentee),
        now,
        settled_keys(session, pair),
    )


def member_of_pair(session: Session, pair_id: int, member: Member) -> Pair | None:
    """The active pair, if `member` is its mentor or mentee."""
    pair = session.get(Pair, pair_id)
    if (
        pair is None
        or pair.ended_at is not None
        or member.id not in (pair.mentor_id, pair.mentee_id)
    ):
        return None
    return pair


def open_items(session: Session, pair_id: int) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.pair_id == pair_id, ActionItem.done_at.is_(None))
            .order_by(ActionItem.id)
            .limit(MAX_ACTION_ITEMS)
        )
    )


def action_lines(text: str) -> list[str]:
    """One action item per line; bullets and blank lines dropped."""
    lines = [line.strip().lstrip("-•*").strip() for line in text.splitlines()]
    return [line[:300] for line in lines if line]


@dataclass(frozen=True)
class Logged:
    meeting: Meeting
    next_due_on: date
    items_added: int
    items_done: int


def log_meeting(
    session: Session,
    pair: Pair,
    *,
    held_on: date,
    notes: str,
    items: Sequence[str],
    done_ids: Sequence[int],
    by: str,
    now: datetime,
) -> Logged:
    """Record a meeting: its notes and new action items, tick off the ones done, and
    start the next cycle one cadence after it."""
    meeting = Meeting(
        team_id=pair.team_id,
        pair_id=pair.id,
        held_on=held_on,
        notes=notes.strip()[:MAX_NOTES],
        logged_by=by,
        logged_at=now,
    )
    session.add(meeting)
    session.flush()
    done = 0
    for item in open_items(session, pair.id):
        if item.id in done_ids:
            item.done_at = now
            done += 1
    for text in items[:MAX_ACTION_ITEMS]:
        session.add(
            ActionItem(
                team_id=pair.team_id,
                pair_id=pair.id,
                meeting_id=meeting.id,
                text=text,
                created_at=now,
            )
        )
    following = rules.next_due_on(held_on, pair.cadence_days)
    # A meeting logged ahead of the current due date still moves the cycle on.
    pair.next_meeting_on = max(following, held_on)
    pair.followups_from = None
    return Logged(meeting, pair.next_meeting_on, len(items[:MAX_ACTION_ITEMS]), done)


def snooze(pair: Pair, today: date) -> date:
    """ "Not yet": ask again in a few days (a new round of follow-ups)."""
    pair.next_meeting_on = cycle_of(pair).due_on
    pair.followups_from = rules.snoozed_until(today)
    return pair.followups_from


def reschedule(pair: Pair, new_date: date) -> None:
    """ "Rescheduled": the meeting is now due on `new_date` (reminders for that day)."""
    pair.next_meeting_on = new_date
    pair.followups_from = None


def cancel_open_nudges(session: Session, pair: Pair, now: datetime) -> int:
    """The pair ended: make sure none of its current cycle's reminders or follow-ups
    is ever sent (recorded as cancelled in the ledger)."""
    settled = settled_keys(session, pair)
    member_ids = {
        "mentor": pair.mentor_id,
        "mentee": pair.mentee_id,
        "coordinators": pair.mentor_id,
    }
    cancelled = 0
    for nudge in rules.plan(cycle_of(pair), prefs_of(pair.mentor), prefs_of(pair.mentee)):
        if (nudge.kind, nudge.to, nudge.period) in settled:
            continue
        cancelled += ledger.cancel(
            session,
            team_id=pair.team_id,
            member_id=member_ids[nudge.to],
            kind=nudge.kind,
            period=nudge.period,
            due_at=nudge.due_at,
            now=now,
        )
    return cancelled


# --- what the buttons and forms do ----------------------------------------------------


def _partner(pair: Pair, member: Member) -> str:
    return (pair.mentee if pair.mentor_id == member.id else pair.mentor).slack_user_id


def log_form(db: Database, member: Member, pair_id: int, now: datetime) -> Block | None:
    """The "Log a meeting" form, or None when the member is not in that active pair."""
    with db.begin() as session:
        pair = member_of_pair(session, pair_id, member)
        if pair is None:
            return None
        return blocks.log_modal(
            pair_id=pair.id,
            partner=_partner(pair, member),
            today=local_date(now, member.tz),
            open_items=[(i.id, i.text) for i in open_items(session, pair.id)],
            program=label_of(session, pair.team_id, pair.program_id),
        )


def reschedule_form(db: Database, member: Member, pair_id: int, now: datetime) -> Block | None:
    with db.begin() as session:
        pair = member_of_pair(session, pair_id, member)
        if pair is None:
            return None
        today = local_date(now, member.tz)
        return blocks.reschedule_modal(
            pair_id=pair.id,
            partner=_partner(pair, member),
            current=max(today, cycle_of(pair).due_on),
            program=label_of(session, pair.team_id, pair.program_id),
        )


def not_yet(db: Database, member: Member, pair_id: int, now: datetime) -> date | None:
    """ "Not yet": the day follow-ups start again, or None when not their pair."""
    with db.begin() as session:
        pair = member_of_pair(session, pair_id, member)
        return None if pair is None else snooze(pair, local_date(now, member.tz))


def _pair_id(view: dict[str, Any]) -> int:
    value = state.metadata(view).get("pair_id")
    return whole_number(value) or 0


NOT_YOURS = "That pairing has ended or isn't yours, so I saved nothing."


def submit_log(
    db: Database, member: Member, view: dict[str, Any], now: datetime, guard: Guard
) -> Logged | Warn | dict[str, str]:
    """Save the "Log a meeting" form; or the form again with the patient-data warning;
    or the errors to show on it (block id -> why)."""
    held_on = state.picked_date(view, "held_on")
    today = local_date(now, member.tz)
    if not isinstance(held_on, date):
        return {"held_on": "Pick the day you met."}
    if held_on > today:
        return {"held_on": "That's in the future: log a meeting once it happened."}
    done = [n for n in map(whole_number, state.multi_selected(view, "done")) if n is not None]
    notes, items = state.text(view, "notes"), state.text(view, "items")
    findings = guard.find(f"{notes}\n{items}")
    with db.begin() as session:
        pair = member_of_pair(session, _pair_id(view), member)
        if pair is None:
            return {"held_on": NOT_YOURS}
        if findings and not state.checked(view, "phi_ack"):
            return Warn(
                blocks.log_modal(
                    pair_id=pair.id,
                    partner=_partner(pair, member),
                    today=today,
                    open_items=[(i.id, i.text) for i in open_items(session, pair.id)],
                    held_on=held_on,
                    notes=notes,
                    items=items,
                    done=done,
                    findings=findings,
                    program=label_of(session, pair.team_id, pair.program_id),
                )
            )
        return log_meeting(
            session,
            pair,
            held_on=held_on,
            notes=notes,
            items=action_lines(items),
            done_ids=done,
            by=member.slack_user_id,
            now=now,
        )


def submit_reschedule(
    db: Database, member: Member, view: dict[str, Any], now: datetime
) -> date | dict[str, str]:
    new_date = state.picked_date(view, "new_date")
    if not isinstance(new_date, date):
        return {"new_date": "Pick the new date."}
    problem = rules.reschedule_problem(new_date, local_date(now, member.tz))
    if problem:
        return {"new_date": problem}
    with db.begin() as session:
        pair = member_of_pair(session, _pair_id(view), member)
        if pair is None:
            return {"new_date": NOT_YOURS}
        reschedule(pair, new_date)
    return new_date
