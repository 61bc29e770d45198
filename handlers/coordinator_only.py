"""The one check every coordinator action goes through: a Bolt listener middleware.

Attach it with `app.command("/program", middleware=[coordinator_only(deps)])` (and
the same for program views). Anyone else gets a polite refusal, only they see it, and
the listener never runs, so nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import state
from bot.blocks.program import MATCH_MODAL, REFUSAL, refusal_modal
from bot.deps import Deps
from bot.store.models import MatchProposal, Program
from bot.usecases.coordinators import is_coordinator
from bot.usecases.programs import scope_of
from handlers.context import team_id

log = logging.getLogger(__name__)


def program_of(
    session: Session, env: Collection[str], team: str, user_id: str, body: dict[str, Any]
) -> int | None:
    """The program a command or form acts on (docs/programs.md); None: "main"."""
    if body.get("type") == "view_submission":
        return form_program(session, team, body.get("view") or {})
    if "command" in body:
        return scope_of(session, env, team, user_id, str(body.get("text") or "")).program_id
    return None


def form_program(session: Session, team: str, view: dict[str, Any]) -> int | None:
    """The program a form was opened for (its private_metadata says), if it is the
    team's; None ("main") for forms that carry none."""
    found = state.metadata(view).get("program")
    if view.get("callback_id") == MATCH_MODAL:  # its private_metadata is the batch
        found = session.scalars(
            select(MatchProposal.program_id).where(
                MatchProposal.batch == str(view.get("private_metadata") or "")
            )
        ).first()
    if not isinstance(found, int):
        return None
    program = session.get(Program, found)
    return program.id if program is not None and program.team_id == team else None


def coordinator_only(deps: Deps) -> Callable[..., BoltResponse | None]:
    def check(
        ack: Ack, body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        user_id = str(context.user_id or "")
        env, team = deps.settings.coordinators, team_id(context)
        with deps.db.begin() as session:
            allowed = is_coordinator(
                session, env, team, user_id, program_of(session, env, team, user_id, body)
            )
        if allowed:
            next()
            return None
        log.warning("refused a coordinator action to %s", user_id)
        if body.get("type") == "view_submission":
            return ack(response_action="update", view=refusal_modal())
        return ack(response_type="ephemeral", text=REFUSAL)

    return check
