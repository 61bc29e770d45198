"""Who coordinates a program, and the audit log of what coordinators did.

Coordinators are the people in BENCHMATE_COORDINATORS (of every program; they cannot
be removed from Slack) plus those added with `/program [name] coordinators add`, who
coordinate that program. `program_id` None means the team's "main" program.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import AuditEntry, Coordinator
from bot.usecases.programs import main_program


def _program(session: Session, team_id: str, program_id: int | None) -> int:
    return program_id if program_id is not None else main_program(session, team_id)


def coordinator_ids(
    session: Session,
    env_coordinators: Collection[str],
    team_id: str,
    program_id: int | None = None,
) -> list[str]:
    """Every coordinator's Slack user id: those from the environment first."""
    added = session.scalars(
        select(Coordinator.slack_user_id)
        .where(Coordinator.program_id == _program(session, team_id, program_id))
        .order_by(Coordinator.added_at, Coordinator.id)
    )
    env = sorted(env_coordinators)
    return env + [user_id for user_id in added if user_id not in env]


def is_coordinator(
    session: Session,
    env_coordinators: Collection[str],
    team_id: str,
    user_id: str,
    program_id: int | None = None,
) -> bool:
    if user_id in env_coordinators:
        return True
    found = session.scalar(
        select(Coordinator.id).where(
            Coordinator.program_id == _program(session, team_id, program_id),
            Coordinator.slack_user_id == user_id,
        )
    )
    return found is not None


def add_coordinator(
    session: Session,
    env_coordinators: Collection[str],
    *,
    team_id: str,
    user_id: str,
    by: str,
    now: datetime,
    program_id: int | None = None,
) -> bool:
    """Make someone a coordinator; False if they already are one."""
    program = _program(session, team_id, program_id)
    if is_coordinator(session, env_coordinators, team_id, user_id, program):
        return False
    session.add(
        Coordinator(
            team_id=team_id, program_id=program, slack_user_id=user_id, added_by=by, added_at=now
        )
    )
    record(session, team_id, by, "coordinator_add", {"user": user_id}, now, program)
    return True


def remove_coordinator(
    session: Session,
    env_coordinators: Collection[str],
    *,
    team_id: str,
    user_id: str,
    by: str,
    now: datetime,
    program_id: int | None = None,
) -> str | None:
    """Take someone's coordinator role away; None when done, else why not."""
    program = _program(session, team_id, program_id)
    if user_id in env_coordinators:
        return (
            f"<@{user_id}> is a coordinator through BENCHMATE_COORDINATORS; "
            "ask whoever runs Benchmate to change that setting."
        )
    if not is_coordinator(session, env_coordinators, team_id, user_id, program):
        return f"<@{user_id}> is not a coordinator."
    if coordinator_ids(session, env_coordinators, team_id, program) == [user_id]:
        return f"<@{user_id}> is the last coordinator; add another one first."
    session.execute(
        delete(Coordinator).where(
            Coordinator.program_id == program, Coordinator.slack_user_id == user_id
        )
    )
    record(session, team_id, by, "coordinator_remove", {"user": user_id}, now, program)
    return None


def record(
    session: Session,
    team_id: str,
    actor: str,
    action: str,
    details: dict[str, Any],
    now: datetime,
    program_id: int | None = None,
) -> None:
    """Write one audit-log entry, in the same unit of work as the change it describes."""
    session.add(
        AuditEntry(
            team_id=team_id,
            program_id=_program(session, team_id, program_id),
            actor=actor,
            action=action,
            details=json.dumps(details, sort_keys=True, default=str),
            at=now,
        )
    )
