"""The `/program settings` form (coordinators only): checked, saved and audited before
the ack; a wrong field gets its error under it and nothing is saved."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.blocks.program import SETTINGS_MODAL, settings_saved_modal
from bot.deps import Deps
from bot.usecases.program_settings import read_form, save
from bot.usecases.programs import main_program
from handlers.context import team_id
from handlers.coordinator_only import coordinator_only, form_program


def register(app: App, deps: Deps) -> None:
    def submit(ack: Any, view: dict[str, Any], context: BoltContext) -> None:
        form = read_form(view)
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        team = team_id(context)
        with deps.db.begin() as session:
            program = form_program(session, team, view) or main_program(session, team)
            changed = save(
                session,
                team_id=team,
                program_id=program,
                form=form,
                by=str(context.user_id),
                now=deps.clock.now(),
                env_review_dates=deps.settings.review_dates,
            )
        ack(response_action="update", view=settings_saved_modal(changed))

    app.view(SETTINGS_MODAL, middleware=[coordinator_only(deps)])(submit)
