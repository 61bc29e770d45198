"""The meeting job: reminders when a pair's meeting is due, "Did you meet?" after it,
and a flag to the coordinators after three unanswered follow-ups. Each exactly once
through the ledger, at each person's local time outside their quiet hours."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.blocks import meetings as blocks
from bot.deps import Deps
from bot.rules import meetings as rules
from bot.rules import once
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.store.models import Member, Pair
from bot.usecases.coordinators import coordinator_ids
from bot.usecases.delivery import deliver_dm, post_once, worker_name
from bot.usecases.meetings import cycle_of, due_for, open_items
from bot.usecases.programs import program_labels
from scheduler.base import Sent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Work:
    """One due nudge, with what sending it needs (read in one unit of work)."""

    nudge: rules.MeetingNudge
    pair_id: int
    team_id: str
    to: Member  # the recipient (the mentor for a flag: the ledger key's member)
    mentor: str
    mentee: str
    due_on: date
    items: tuple[str, ...]
    program: str = ""  # the pair's program when the team has several


def meeting_nudges(
    deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
) -> list[Sent]:
    work = due_work(deps, now, save=not dry_run)
    if dry_run:
        verb = {"send": "would send", "missed": "would miss"}
        return [
            Sent(w.nudge.kind, w.to.slack_user_id, w.nudge.period, verb[w.nudge.decision])
            for w in work
        ]
    return [line for w in work if (line := do(deps, gateway, w, now)) is not None]


def due_work(deps: Deps, now: datetime, *, save: bool) -> list[Work]:
    """Every active pair's due nudges. Nobody who left or was deactivated is nudged."""
    work: list[Work] = []
    with deps.db.begin() as session:
        pairs = session.scalars(select(Pair).where(Pair.ended_at.is_(None)).order_by(Pair.id))
        labels: dict[str, dict[int, str]] = {}  # per team, read once a pass
        for pair in pairs:
            if save and pair.next_meeting_on is None:
                pair.next_meeting_on = cycle_of(pair).due_on
            items = tuple(i.text for i in open_items(session, pair.id))
            for nudge in due_for(session, pair, now):
                to = pair.mentee if nudge.to == "mentee" else pair.mentor
                if nudge.to != "coordinators" and not to.is_active:
                    continue
                if pair.team_id not in labels:
                    labels[pair.team_id] = program_labels(session, pair.team_id)
                work.append(
                    Work(
                        nudge,
                        pair.id,
                        pair.team_id,
                        to,
                        pair.mentor.slack_user_id,
                        pair.mentee.slack_user_id,
                        cycle_of(pair).due_on,
                        items,
                        labels[pair.team_id].get(pair.program_id, ""),
                    )
                )
    return work


def do(deps: Deps, gateway: SlackGateway, w: Work, now: datetime) -> Sent | None:
    nudge = w.nudge
    key = {"team_id": w.team_id, "member_id": w.to.id, "kind": nudge.kind, "period": nudge.period}
    if nudge.decision == "missed":
        with deps.db.begin() as session:
            recorded = ledger.mark_missed(session, **key, due_at=nudge.due_at, now=now)
        if not recorded:
            return None
        return Sent(nudge.kind, w.to.slack_user_id, nudge.period, "missed")
    if nudge.kind == rules.FLAG:
        return flag(deps, gateway, w, now)
    if nudge.kind == rules.REMINDER and nudge.to == "mentor":
        text, message = blocks.mentor_reminder(
            pair_id=w.pair_id,
            mentee=w.mentee,
            due_on=w.due_on,
            items=list(w.items),
            program=w.program,
        )
    elif nudge.kind == rules.REMINDER:
        text, message = blocks.mentee_reminder(mentor=w.mentor, due_on=w.due_on, program=w.program)
    else:
        text, message = blocks.followup(
            pair_id=w.pair_id,
            mentee=w.mentee,
            due_on=w.due_on,
            number=nudge.number,
            program=w.program,
        )
    result = deliver_dm(
        deps.db,
        gateway,
        member=w.to,
        kind=nudge.kind,
        period=nudge.period,
        due_at=nudge.due_at,
        now=now,
        worker=worker_name(),
        text=text,
        blocks=message,
    )
    if result.status == "skipped":
        return None
    return Sent(nudge.kind, w.to.slack_user_id, nudge.period, result.status, result.error or "")


def flag(deps: Deps, gateway: SlackGateway, w: Work, now: datetime) -> Sent | None:
    """Tell every coordinator, once (the ledger key is the mentor's, kind meeting_flag)."""
    key = {"team_id": w.team_id, "member_id": w.to.id, "kind": rules.FLAG, "period": w.nudge.period}
    with deps.db.begin() as session:
        claim = ledger.claim(session, **key, due_at=w.nudge.due_at, now=now, worker=worker_name())
        pair = session.get(Pair, w.pair_id)  # its program's coordinators are told
        program = pair.program_id if pair is not None else None
        coordinators = coordinator_ids(session, deps.settings.coordinators, w.team_id, program)
    if claim is None:
        return None
    text = blocks.flag_text(
        mentor=w.mentor,
        mentee=w.mentee,
        due_on=w.due_on,
        asked=rules.MAX_FOLLOWUPS,
        program=w.program,
    )
    # One ledger key, told to each coordinator; a claim taken over looks in each
    # coordinator's DM for it first, so nobody is told twice.
    told = []
    for coordinator in coordinators:
        result = post_once(
            gateway,
            coordinator,
            text,
            None,
            now,
            key=once.nudge_key(**key),
            look_since=claim.look_since,
        )
        if result.status == "sent":
            told.append(coordinator)
        else:
            log.warning("flag to coordinator %s failed: %s", coordinator, result.error)
    with deps.db.begin() as session:
        ledger.mark_sent(session, claim.id, now, ref=",".join(told)[:128] or None)
    return Sent(
        rules.FLAG, w.to.slack_user_id, w.nudge.period, "sent", f"to {len(told)} coordinator(s)"
    )
