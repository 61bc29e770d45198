"""Deciding what a submitted win form means: errors, a patient-data warning, or saves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.blocks import state
from bot.blocks import wins as blocks
from bot.rules.catalog import CATEGORIES
from bot.rules.credentials import Catalog, parse_points
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.rules.phi import Guard
from bot.store.db import Database
from bot.store.models import WIN_SOURCES, Member, NewWin, Win
from bot.usecases.credentials import add_credit, check_credit_fields
from bot.usecases.wins import (
    Rejected,
    Replayed,
    WinDetails,
    add_wins,
    check_text,
    discard_draft,
    first_time,
    goal_choices,
    update_win,
)


@dataclass(frozen=True)
class Saved:
    wins: Sequence[Win | NewWin]


@dataclass(frozen=True)
class FieldErrors:
    errors: dict[str, str]


@dataclass(frozen=True)
class Warn:
    """Show the form again with the patient-data warning."""

    view: dict[str, Any]


Result = Saved | FieldErrors | Warn | Replayed


# private_metadata is ours, but it is read back from a request: take only what we wrote.
def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _link(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith("https://") else None


@dataclass(frozen=True)
class CEPart:
    points: float
    areas: list[str]
    provider: str


def ce_part(
    view: dict[str, Any], catalog: Catalog, today: date, guard: Guard
) -> CEPart | dict[str, str] | None:
    """The win form's continuing-education part: None when left empty, the errors
    (block id -> why) when it cannot be saved."""
    typed = state.text(view, "ce_points")
    areas = state.multi_selected(view, "ce_areas")
    provider = state.text(view, "ce_provider")
    if not typed.strip() and not areas and not provider.strip():
        return None
    points = parse_points(typed)
    errors = check_credit_fields(
        title=None,
        provider=provider,
        points=points,
        points_text=typed or "?",
        areas=areas,
        earned_on=None,
        today=today,
        catalog=catalog,
        prefix="ce_",
        guard=guard,
    )
    if errors:
        return errors
    assert points is not None
    return CEPart(points, areas, provider.strip())


def submit_win_form(
    db: Database,
    member: Member,
    view: dict[str, Any],
    now: datetime,
    guard: Guard,
    catalog: Catalog | None = None,
    *,
    key: str | None = None,
) -> Result:
    """What the submitted win form means. New wins are saved once per `key` (see
    bot/usecases/wins.py request_key): a replayed submission is Replayed. With
    `catalog`, the form's optional continuing-education part (hours or points, areas,
    provider) records one CE credit for the (first) win saved, in the same unit of work."""
    meta = state.metadata(view)
    text = state.text(view, "text")
    category = state.selected(view, "category")
    goal = state.selected(view, "goal")
    occurred_on = state.picked_date(view, "occurred_on")
    shared = state.checked(view, "share")
    digest = state.checked(view, "digest")
    acknowledged = state.checked(view, "phi_ack")

    errors: dict[str, str] = {}
    win_key = meta.get("win") if isinstance(meta.get("win"), str) else None
    draft_id = _id(meta.get("draft_id"))
    editing = win_key is not None
    checked = check_text(text)
    if isinstance(checked, Rejected):
        errors["text"] = checked.reason
    today = local_date(now, member.tz)
    if isinstance(occurred_on, str):
        errors["occurred_on"] = "That isn't a date I can read."
    elif isinstance(occurred_on, date) and occurred_on > today:
        errors["occurred_on"] = "A win can't be in the future. Pick today or earlier."
    if category is not None and category not in CATEGORIES:
        errors["category"] = "Pick one of the listed categories."
    ce = ce_part(view, catalog, today, guard) if catalog is not None and not editing else None
    if isinstance(ce, dict):
        errors.update(ce)
    if errors:
        return FieldErrors(errors)

    details = WinDetails(
        category=category,
        occurred_on=occurred_on if isinstance(occurred_on, date) else today,
        goal_id=whole_number(goal),
        shared_with_mentor=shared,
        permalink=_link(meta.get("permalink")),
        in_digest=digest,
    )
    findings = guard.find(text)
    if findings and not acknowledged:
        with db.begin() as session:
            goals = goal_choices(session, member, details.goal_id)
        return Warn(
            blocks.win_modal(
                today=today,
                goals=goals,
                text=text,
                category=category,
                occurred_on=details.occurred_on,
                goal_id=details.goal_id,
                shared=False,
                digest=False,
                private_metadata=view.get("private_metadata") or "",
                findings=findings,
                title="Edit your win" if editing else "Log a win",
            )
        )
    flagged = bool(findings)
    if editing:
        assert win_key is not None
        win = update_win(db, member, win_key, text, details, phi_flagged=flagged)
        if win is None:
            return FieldErrors({"text": "That win is no longer there; it may have been undone."})
        return Saved([win])
    source = meta.get("source") if meta.get("source") in WIN_SOURCES else "modal"
    assert isinstance(checked, list)
    texts = [text.strip()] if source == "shortcut" else checked
    with db.begin() as session:
        if not first_time(session, member, key, now):
            return Replayed()
        wins = add_wins(session, member, texts, source, now, details, phi_flagged=flagged)
        if isinstance(ce, CEPart) and wins:
            # add_wins returns the rows without ids: find the first one by its key.
            win_id = session.scalar(select(Win.id).where(Win.key == wins[0].key))
            add_credit(
                session,
                team_id=member.team_id,
                member_id=member.id,
                title=wins[0].text,
                provider=ce.provider,
                earned_on=wins[0].occurred_on,
                points=ce.points,
                areas=ce.areas,
                now=now,
                win_id=win_id,
            )
    if draft_id is not None:
        discard_draft(db, member, draft_id)
    return Saved(wins)
