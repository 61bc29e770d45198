"""Credentials and continuing-education credits (issue 11): storing them, and the
status a member (or their mentor) sees. The decisions are in bot/rules/credentials.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rules.credentials import (
    MAX_POINTS,
    Catalog,
    Credit,
    Status,
    allocate,
    as_json,
    clean_allocation,
    cycle_start,
    detect_ce,
    from_json,
    status,
)
from bot.rules.localtime import local_date
from bot.rules.phi import Guard, find_phi
from bot.store.db import Database
from bot.store.models import CECredit, MemberCredential, Win

MAX_TITLE = 300
MAX_PROVIDER = 120
MAX_NUMBER = 64
MAX_CREDENTIALS = 12  # a member's; keeps /mentor credentials and the Home tab small


@dataclass(frozen=True)
class Held:
    """Status of one of a member's credentials."""

    credential: MemberCredential
    status: Status


def credits_of(session: Session, member_id: int) -> list[Credit]:
    rows = session.scalars(select(CECredit).where(CECredit.member_id == member_id))
    return [Credit(r.id, r.earned_on, r.points, from_json(r.allocation)) for r in rows]


def credentials_of(session: Session, member_id: int) -> list[MemberCredential]:
    return list(
        session.scalars(
            select(MemberCredential)
            .where(MemberCredential.member_id == member_id)
            .order_by(MemberCredential.cycle_end, MemberCredential.id)
        )
    )


def statuses(
    session: Session, member_id: int, tz: str, catalog: Catalog, now: datetime
) -> list[Held]:
    """Each credential the member keeps (whose code the catalog still knows), with its
    points earned and owed in the current cycle."""
    today = local_date(now, tz)
    credits = credits_of(session, member_id)
    held = []
    for credential in credentials_of(session, member_id):
        kind = catalog.get(credential.code)
        if kind is not None:
            held.append(Held(credential, status(kind, credential.cycle_end, credits, today)))
    return held


def member_statuses(
    db: Database, member_id: int, tz: str, catalog: Catalog, now: datetime
) -> list[Held]:
    with db.begin() as session:
        found = statuses(session, member_id, tz, catalog, now)
        session.expunge_all()
        return found


def recent_credits(session: Session, member_id: int, since: date) -> list[CECredit]:
    return list(
        session.scalars(
            select(CECredit)
            .where(CECredit.member_id == member_id, CECredit.earned_on >= since)
            .order_by(CECredit.earned_on, CECredit.id)
        )
    )


# --- adding a credential ------------------------------------------------------------------


@dataclass(frozen=True)
class Problems:
    errors: dict[str, str]  # block id -> why


def save_credential(
    db: Database,
    catalog: Catalog,
    *,
    team_id: str,
    member_id: int,
    tz: str,
    code: str | None,
    number: str,
    cycle_end: date | str | None,
    now: datetime,
    guard: Guard | None = None,
) -> MemberCredential | Problems:
    """Add a credential, or change its number and cycle end if the member has it."""
    errors: dict[str, str] = {}
    kind = catalog.get(code or "")
    if kind is None:
        errors["code"] = "Pick a credential from the list."
    number = number.strip()
    if len(number) > MAX_NUMBER:
        errors["number"] = f"Keep the number to {MAX_NUMBER} characters."
    elif number and find_phi(number, guard):
        errors["number"] = "That looks like patient information; enter your own number only."
    today = local_date(now, tz)
    if not isinstance(cycle_end, date):
        errors["cycle_end"] = "Pick the date your current cycle ends."
    elif kind is not None and cycle_start(cycle_end, kind.cycle_years) > today:
        errors["cycle_end"] = (
            f"That is more than {kind.cycle_years} years away: pick the end of the cycle "
            "you are in now."
        )
    elif cycle_end < today:
        errors["cycle_end"] = "That date has passed: pick the end of your current cycle."
    if errors:
        return Problems(errors)
    assert kind is not None and isinstance(cycle_end, date)
    with db.begin() as session:
        row = session.scalar(
            select(MemberCredential).where(
                MemberCredential.member_id == member_id, MemberCredential.code == kind.code
            )
        )
        if row is None:
            count = len(credentials_of(session, member_id))
            if count >= MAX_CREDENTIALS:
                return Problems({"code": f"You keep {count} credentials already; that's the most."})
            row = MemberCredential(
                team_id=team_id, member_id=member_id, code=kind.code, created_at=now
            )
            session.add(row)
        row.number = number or None
        row.cycle_end = cycle_end
        row.updated_at = now
        session.flush()
        session.expunge(row)
        return row


# --- adding a credit ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    credit_id: int
    points: float
    areas: tuple[str, ...]
    already: bool = False  # the win had its credit already: nothing changed


def check_credit_fields(
    *,
    title: str | None,
    provider: str,
    points: float | None,
    points_text: str,
    areas: Sequence[str],
    earned_on: date | str | None,
    today: date,
    catalog: Catalog,
    prefix: str = "",
    guard: Guard | None = None,
) -> dict[str, str]:
    """Why a credit's fields cannot be saved (block id -> reason); {} when they can.
    Free text (title, provider) goes through the patient-data guard (`guard`: the
    workspace's configured one; None: every rule, no colleague directory)."""
    errors: dict[str, str] = {}
    if title is not None:
        if not title.strip():
            errors[f"{prefix}title"] = "Say what it was (e.g. the course's title)."
        elif len(title) > MAX_TITLE:
            errors[f"{prefix}title"] = f"Keep it to {MAX_TITLE} characters."
        elif find_phi(title, guard):
            errors[f"{prefix}title"] = (
                "That looks like patient information. Patient data stays in the clinical "
                "systems: edit it out."
            )
    if points is None and points_text.strip():
        errors[f"{prefix}points"] = (
            f"Give the hours or points as a number from 0.25 to {MAX_POINTS:g} (e.g. 1.5)."
        )
    if len(provider) > MAX_PROVIDER:
        errors[f"{prefix}provider"] = f"Keep the provider to {MAX_PROVIDER} characters."
    elif provider and find_phi(provider, guard):
        errors[f"{prefix}provider"] = (
            "That looks like patient information. Patient data stays in the clinical "
            "systems: edit it out."
        )
    known = catalog.area_names()
    if any(a not in known for a in areas):
        errors[f"{prefix}areas"] = "Pick areas from the list."
    if isinstance(earned_on, str):
        errors[f"{prefix}earned_on"] = "That isn't a date I can read."
    elif isinstance(earned_on, date) and earned_on > today:
        errors[f"{prefix}earned_on"] = "A credit can't be in the future. Pick today or earlier."
    return errors


def add_credit(
    session: Session,
    *,
    team_id: str,
    member_id: int,
    title: str,
    provider: str,
    earned_on: date,
    points: float,
    areas: Sequence[str],
    now: datetime,
    win_id: int | None = None,
) -> CECredit:
    credit = CECredit(
        team_id=team_id,
        member_id=member_id,
        win_id=win_id,
        title=title.strip()[:MAX_TITLE],
        provider=provider.strip()[:MAX_PROVIDER],
        earned_on=earned_on,
        points=points,
        allocation=as_json(allocate(points, areas)),
        created_at=now,
    )
    session.add(credit)
    session.flush()
    return credit


def credit_for_win(session: Session, win_id: int) -> CECredit | None:
    return session.scalar(select(CECredit).where(CECredit.win_id == win_id))


def record_win_credit(
    db: Database, *, member_id: int, win_key: str, now: datetime
) -> Recorded | None:
    """ "Record as CE credit" under a logged win: one credit with the hours and areas the
    win's words suggest (editable afterwards). A second click changes nothing (one
    credit per win, by a unique key); None when the win is not the member's."""
    with db.begin() as session:
        win = session.scalar(select(Win).where(Win.key == win_key, Win.member_id == member_id))
        if win is None:
            return None
        existing = credit_for_win(session, win.id)
        if existing is not None:
            return _recorded(existing, already=True)
        suggested = detect_ce(win.text)
        points = suggested.points if suggested else 1.0
        areas = suggested.areas if suggested else ()
        win_id, team_id, text, day = win.id, win.team_id, win.text, win.occurred_on
    try:
        with db.begin() as session:
            credit = add_credit(
                session,
                team_id=team_id,
                member_id=member_id,
                title=text,
                provider="",
                earned_on=day,
                points=points,
                areas=areas,
                now=now,
                win_id=win_id,
            )
            return _recorded(credit)
    except IntegrityError:  # a second click raced the first one
        with db.begin() as session:
            existing = credit_for_win(session, win_id)
            assert existing is not None
            return _recorded(existing, already=True)


def _recorded(credit: CECredit, *, already: bool = False) -> Recorded:
    shares = clean_allocation(credit.points, from_json(credit.allocation))
    return Recorded(credit.id, credit.points, tuple(shares), already)


def own_credit(session: Session, member_id: int, credit_id: int) -> CECredit | None:
    credit = session.get(CECredit, credit_id)
    return credit if credit is not None and credit.member_id == member_id else None


def update_credit(
    db: Database,
    *,
    member_id: int,
    credit_id: int,
    title: str | None,
    provider: str,
    earned_on: date,
    points: float,
    areas: Sequence[str],
) -> bool:
    with db.begin() as session:
        credit = own_credit(session, member_id, credit_id)
        if credit is None:
            return False
        if title is not None and credit.win_id is None:
            credit.title = title.strip()[:MAX_TITLE]
        credit.provider = provider.strip()[:MAX_PROVIDER]
        credit.earned_on = earned_on
        credit.points = points
        credit.allocation = as_json(allocate(points, areas))
        return True
