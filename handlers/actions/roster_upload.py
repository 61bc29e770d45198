"""The "which program?" buttons under a roster file shared in the app DM by someone
who coordinates several programs (handlers/events/roster_upload.py): import the file
into the one clicked, all or nothing, answered in the DM as any upload is."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.program import REFUSAL, ROSTER_PROGRAM_ACTION
from bot.deps import Deps
from bot.rules.upload import program_choice
from bot.store.events import first_delivery
from bot.store.models import Program
from bot.usecases.coordinators import is_coordinator
from bot.usecases.roster_upload import import_upload, patient_gateway, upload_job
from handlers.context import ack_only, team_id
from handlers.reply import replace, tell

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def choose(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        team, user = team_id(context), str(context.user_id)
        choice = program_choice(action.get("value"))
        if choice is None:
            tell(body, respond, client, "That button no longer works: share the file again.")
            return
        file_id, program_id = choice
        # Checked against the program clicked, whatever the message offered.
        with deps.db.begin() as session:
            program = session.get(Program, program_id)
            name = program.name if program is not None and program.team_id == team else None
            allowed = name is not None and is_coordinator(
                session, deps.settings.coordinators, team, user, program_id
            )
            # One import per file and sharer, whichever button and however many clicks (two
            # quick clicks both arrive before the buttons are replaced below).
            first = allowed and first_delivery(
                session, team, f"roster-file:{file_id}:{user}", deps.clock.now()
            )
        if not allowed:
            log.warning("refused a roster program choice to %s", user)
            tell(body, respond, client, REFUSAL)
            return
        if not first:
            tell(
                body,
                respond,
                client,
                "That file is being imported already: its report comes in this DM. "
                "To import it into another program, share it again.",
            )
            return
        replace(body, respond, client, f":inbox_tray: Importing into `{name}`…")
        job = upload_job(
            team, user, {"id": file_id}, client, program_id=program_id, sharer_only=True
        )
        import_upload(deps, patient_gateway(client), job)

    app.action(re.compile(rf"^{ROSTER_PROGRAM_ACTION}_\d+$"))(ack=ack_only, lazy=[choose])
