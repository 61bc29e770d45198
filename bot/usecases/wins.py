"""Logging, editing and undoing wins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.blocks import wins as blocks
from bot.blocks.credentials import win_form_ce_blocks
from bot.rules.localtime import local_date
from bot.rules.phi import Finding, Guard
from bot.rules.wins import MAX_WINS_PER_ENTRY, length_problem, split_wins
from bot.store.db import Database, Executor
from bot.store.events import first_delivery
from bot.store.models import Draft, Goal, Member, NewWin, Win, new_key


@dataclass(frozen=True)
class WinDetails:
    """What a member may add to a win besides its text."""

    category: str | None = None
    occurred_on: date | None = None
    goal_id: int | None = None
    shared_with_mentor: bool = False
    permalink: str | None = None
    in_digest: bool = False  # "share in the weekly program digest"


@dataclass(frozen=True)
class Logged:
    """Stored: the unit of work that saved these wins has committed durably."""

    wins: Sequence[NewWin]


@dataclass(frozen=True)
class Held:
    """Text kept back as a draft because it may carry patient data."""

    draft_id: int
    text: str
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class Replayed:
    """The same Slack request came again (same trigger id): it was handled before, and
    nothing is saved twice."""


Outcome = Logged | Held | Rejected | Replayed


def request_key(trigger_id: object) -> str | None:
    """The key that makes a request's writes happen once: Slack gives every slash
    command and form submission a fresh `trigger_id`, and a replayed request (within
    the signature's five minutes) carries the same one. Kept in the `slack_events`
    table, beside event ids, in the same transaction as the writes it guards."""
    return f"trigger:{trigger_id}" if trigger_id else None


def first_time(session: Executor, member: Member, key: str | None, now: datetime) -> bool:
    """Record the request's key in this unit of work; False when it was there already.
    A crash before the commit loses both the key and the writes, never one of them."""
    return key is None or first_delivery(session, member.team_id, key, now)


def check_text(text: str) -> Rejected | list[str]:
    """The wins in `text`, or why it cannot be logged."""
    pieces = split_wins(text)
    if not pieces:
        return Rejected(length_problem("") or "")
    if len(pieces) > MAX_WINS_PER_ENTRY:
        return Rejected(
            f"That's {len(pieces)} wins at once; I take up to {MAX_WINS_PER_ENTRY} per entry. "
            "Split the list in two."
        )
    for piece in pieces:
        problem = length_problem(piece)
        if problem:
            return Rejected(problem)
    return pieces


def submit_text(
    db: Database,
    member: Member,
    text: str,
    source: str,
    now: datetime,
    details: WinDetails | None = None,
    *,
    guard: Guard,
    key: str | None = None,
) -> Outcome:
    """Log the wins in `text`, hold it if it may carry patient data, or say why not.

    Logged and Held come back only once committed (durably: bot/store/db.py). With
    `key` (see `request_key`), a request seen before saves nothing and is Replayed.
    Raises DatabaseUnavailable when the database does not answer: nothing is saved.
    """
    checked = check_text(text)
    if isinstance(checked, Rejected):
        return checked
    details = details or WinDetails()
    findings = guard.find(text)
    # A Core unit of work: every statement here is Core, and the ORM session cost more
    # CPU than they did (docs/performance-win.md). Same durable commit as `db.begin()`.
    with db.transaction() as connection:
        if not first_time(connection, member, key, now):
            return Replayed()
        if findings:
            return Held(add_draft(connection, member, text, source, now), text.strip(), findings)
        return Logged(add_wins(connection, member, checked, source, now, details))


def hold_text(db: Database, member: Member, text: str, source: str, now: datetime) -> int:
    """Keep text as a draft, seen only by its author, until they decide; its id."""
    with db.begin() as session:
        return add_draft(session, member, text, source, now)


_INSERT_DRAFT = insert(Draft.__table__).returning(Draft.__table__.c.id)  # type: ignore[arg-type]


def add_draft(session: Executor, member: Member, text: str, source: str, now: datetime) -> int:
    """Keep `text` as a draft in the caller's unit of work; its id."""
    values = {
        "team_id": member.team_id,
        "member_id": member.id,
        "text": text.strip(),
        "source": source,
        "created_at": now,
    }
    return int(session.execute(_INSERT_DRAFT, values).scalar_one())


def win_row(
    member: Member,
    text: str,
    source: str,
    now: datetime,
    details: WinDetails,
    *,
    goal_id: int | None = None,
    phi_flagged: bool = False,
) -> dict[str, Any]:
    """The column values of one new win. Flagged wins are private and never shared."""
    return {
        "key": new_key(),
        "team_id": member.team_id,
        "member_id": member.id,
        "text": text,
        "source": source,
        "category": details.category,
        "occurred_on": details.occurred_on or local_date(now, member.tz),
        "logged_at": now,
        "goal_id": goal_id,
        "shared_with_mentor": details.shared_with_mentor and not phi_flagged,
        "is_private": phi_flagged,
        "phi_flagged": phi_flagged,
        "permalink": details.permalink,
        "in_digest": details.in_digest and not phi_flagged,
    }


_INSERT_WIN = insert(Win.__table__)  # built once: it runs on every /win


def add_wins(
    session: Executor,
    member: Member,
    texts: Sequence[str],
    source: str,
    now: datetime,
    details: WinDetails,
    *,
    phi_flagged: bool = False,
) -> list[NewWin]:
    """Insert one win per text, now, in the caller's unit of work. Returns the wins as
    written, without their ids (nothing reads those: buttons name a win by its key)."""
    goal_id = details.goal_id if own_goal(session, member, details.goal_id) else None
    rows = [
        win_row(member, text, source, now, details, goal_id=goal_id, phi_flagged=phi_flagged)
        for text in texts
    ]
    # A Core INSERT: the ORM's unit of work cost more than the row itself.
    session.execute(_INSERT_WIN, rows)
    return [NewWin(**row) for row in rows]


def own_goal(session: Executor, member: Member, goal_id: int | None) -> bool:
    if goal_id is None:
        return False
    owner = session.execute(select(Goal.member_id).where(Goal.id == goal_id)).scalar()
    return owner is not None and owner == member.id


def own_draft(session: Session, member: Member, draft_id: int) -> Draft | None:
    draft = session.get(Draft, draft_id)
    return draft if draft is not None and draft.member_id == member.id else None


def save_draft_as_private(
    db: Database, member: Member, draft_id: int, now: datetime
) -> Logged | None:
    """The member chose 'save anyway': log the held text as private, flagged wins."""
    with db.begin() as session:
        draft = own_draft(session, member, draft_id)
        if draft is None:
            return None
        checked = check_text(draft.text)
        texts = [draft.text] if isinstance(checked, Rejected) else checked
        wins = add_wins(session, member, texts, draft.source, now, WinDetails(), phi_flagged=True)
        session.delete(draft)
        return Logged(wins)


def discard_draft(db: Database, member: Member, draft_id: int) -> bool:
    with db.begin() as session:
        draft = own_draft(session, member, draft_id)
        if draft is None:
            return False
        session.delete(draft)
        return True


def get_draft(db: Database, member: Member, draft_id: int) -> Draft | None:
    with db.begin() as session:
        return own_draft(session, member, draft_id)


def own_win(session: Session, member: Member, key: str) -> Win | None:
    """The win if it belongs to this member; nobody edits or sees another's win."""
    return session.scalars(
        select(Win).where(Win.key == key, Win.member_id == member.id)
    ).one_or_none()


def undo_wins(db: Database, member: Member, keys: Sequence[str]) -> int:
    """Delete the member's own wins among `keys`; returns how many went."""
    with db.begin() as session:
        result = session.execute(
            delete(Win).where(Win.key.in_(list(keys)), Win.member_id == member.id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def update_win(
    db: Database,
    member: Member,
    key: str,
    text: str,
    details: WinDetails,
    *,
    phi_flagged: bool = False,
) -> Win | None:
    with db.begin() as session:
        win = own_win(session, member, key)
        if win is None:
            return None
        win.text = text.strip()
        win.category = details.category
        if details.occurred_on:
            win.occurred_on = details.occurred_on
        win.goal_id = details.goal_id if own_goal(session, member, details.goal_id) else None
        win.phi_flagged = phi_flagged
        win.is_private = win.is_private or phi_flagged
        win.shared_with_mentor = details.shared_with_mentor and not win.is_private
        win.in_digest = details.in_digest and not win.is_private
        return win


def latest_wins(session: Session, member_id: int, limit: int = 10) -> list[Win]:
    return list(
        session.scalars(
            select(Win)
            .where(Win.member_id == member_id)
            .order_by(Win.occurred_on.desc(), Win.logged_at.desc(), Win.id.desc())
            .limit(limit)
        )
    )


def open_goals(session: Session, member_id: int) -> list[Goal]:
    return list(
        session.scalars(
            select(Goal)
            .where(Goal.member_id == member_id, Goal.status == "active")
            .order_by(Goal.created_at, Goal.id)
        )
    )


def goal_choices(session: Session, member: Member, goal_id: int | None) -> list[Goal]:
    """The goals a win form offers: the open ones, plus the one the win is linked to
    even if it is achieved by now (so the link shows, and survives an edit)."""
    goals = open_goals(session, member.id)
    if goal_id is not None and all(g.id != goal_id for g in goals):
        linked = session.get(Goal, goal_id)
        if linked is not None and linked.member_id == member.id:
            goals.append(linked)
    return goals


def win_form(
    db: Database,
    member: Member,
    now: datetime,
    *,
    win_key: str | None = None,
    ce_areas: Mapping[str, str] | None = None,
    **prefill: Any,
) -> dict[str, Any] | None:
    """The win modal for a new win (with `prefill`), or for editing one of the member's
    own wins; None when `win_key` is not theirs. With `ce_areas` (area key -> name), a
    new win's form has the optional continuing-education part."""
    with db.begin() as session:
        if win_key is not None:
            win = own_win(session, member, win_key)
            if win is None:
                return None
            prefill = {
                "text": win.text,
                "category": win.category,
                "occurred_on": win.occurred_on,
                "goal_id": win.goal_id,
                "shared": win.shared_with_mentor,
                "digest": win.in_digest,
                "title": "Edit your win",
            }
        goals = goal_choices(session, member, prefill.get("goal_id"))
    extra = win_form_ce_blocks(ce_areas) if ce_areas and win_key is None else []
    return blocks.win_modal(
        today=local_date(now, member.tz),
        goals=goals,
        extra=extra,
        private_metadata=prefill.pop("private_metadata", "")
        or blocks.metadata(win=win_key, source="modal"),
        **prefill,
    )
