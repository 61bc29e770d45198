"""Setting goals and marking them achieved or dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.blocks import goals as blocks
from bot.blocks import state
from bot.rules.catalog import CATEGORIES, TEMPLATES_BY_KEY
from bot.rules.localtime import local_date
from bot.rules.phi import Guard
from bot.store.db import Database
from bot.store.models import Goal, Member

MAX_GOAL_TITLE = 300


@dataclass(frozen=True)
class GoalSaved:
    goal: Goal


@dataclass(frozen=True)
class GoalErrors:
    errors: dict[str, str]


@dataclass(frozen=True)
class GoalWarn:
    view: dict[str, Any]


def goal_form(member: Member, now: datetime) -> dict[str, Any]:
    return blocks.goal_modal(level=member.career_level, today=local_date(now, member.tz))


def submit_goal_form(
    db: Database, member: Member, view: dict[str, Any], now: datetime, guard: Guard
) -> GoalSaved | GoalErrors | GoalWarn:
    template = TEMPLATES_BY_KEY.get(state.selected(view, "template") or "")
    title = state.text(view, "title").strip() or (template.title if template else "")
    category = state.selected(view, "category") or (template.category if template else None)
    measure = state.text(view, "measure").strip() or (template.measure if template else "")
    target = state.picked_date(view, "target_date")
    acknowledged = state.checked(view, "phi_ack")
    shared = state.checked(view, "share")

    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give your goal a title, or start from a template."
    elif len(title) > MAX_GOAL_TITLE:
        errors["title"] = f"Keep the title under {MAX_GOAL_TITLE} characters."
    if category is not None and category not in CATEGORIES:
        errors["category"] = "Pick one of the listed categories."
    if isinstance(target, str):
        errors["target_date"] = "That isn't a date I can read."
    elif isinstance(target, date) and target < local_date(now, member.tz):
        errors["target_date"] = "Pick a target date in the future."
    if errors:
        return GoalErrors(errors)

    findings = guard.find(f"{title}\n{measure}")
    if findings and not acknowledged:
        return GoalWarn(
            blocks.goal_modal(
                level=member.career_level,
                today=local_date(now, member.tz),
                title=title,
                category=category,
                measure=measure,
                target_date=target if isinstance(target, date) else None,
                shared=shared,
                findings=findings,
            )
        )
    with db.begin() as session:
        goal = Goal(
            team_id=member.team_id,
            member_id=member.id,
            title=title,
            category=category,
            target_date=target if isinstance(target, date) else None,
            measure=measure or None,
            template_key=template.key if template else None,
            status="active",
            is_private=bool(findings),
            phi_flagged=bool(findings),
            shared_with_mentor=shared and not findings,  # a flagged goal stays private
            created_at=now,
        )
        session.add(goal)
        session.flush()
        return GoalSaved(goal)


def set_goal_status(
    db: Database, member: Member, goal_id: int, status: str, now: datetime
) -> Goal | None:
    """Mark the member's own goal achieved or dropped; None if it is not theirs."""
    assert status in ("achieved", "dropped", "active")
    with db.begin() as session:
        goal = session.get(Goal, goal_id)
        if goal is None or goal.member_id != member.id:
            return None
        goal.status = status
        goal.status_changed_at = now
        return goal
