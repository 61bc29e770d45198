"""`message.im` with a file (subtype `file_share`): a coordinator's roster CSV.

Acknowledged at once; the download and import run after the ack (lazy). A retried
event is dropped by `EachEventOnce` (handlers/middleware.py), so a file is imported
once per upload. Anyone else's file is not downloaded: they get a short note.

The file goes to the program its sharer coordinates; someone coordinating several is
asked which one (buttons, handlers/actions/roster_upload.py) and nothing is fetched
until they choose.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.program import roster_program_choice
from bot.deps import Deps
from bot.rules import upload
from bot.slack.gateway import SlackGateway
from bot.usecases.programs import programs_for
from bot.usecases.roster_upload import (
    import_upload,
    patient_gateway,
    refuse_non_coordinator,
    upload_job,
)
from handlers.context import ack_only, team_id


def is_shared_file(event: dict[str, Any]) -> bool:
    """A person's (not a bot's) message with files in the app's DM."""
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and event.get("subtype") == "file_share"
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(shared_files(event))
    )


def shared_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    files = event.get("files")
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def register(app: App, deps: Deps) -> None:
    def run(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team, user = team_id(context), str(event["user"])
        gateway = SlackGateway(client)
        with deps.db.begin() as session:
            programs = [
                (p.id, p.name)
                for p in programs_for(session, deps.settings.coordinators, team, user)
            ]
        if not programs:
            refuse_non_coordinator(gateway, user)
            return
        files = shared_files(event)
        if len(files) > 1:
            gateway.dm(user, "One roster file at a time: Benchmate reads the first one only.")
        file = files[0]
        if len(programs) == 1:
            [(program_id, _)] = programs
            job = upload_job(team, user, file, client, program_id=program_id)
            import_upload(deps, patient_gateway(client), job)
            return
        # Several programs: a file that will be refused anyway is refused now, not
        # after a choice (an event carrying only the file's id is checked later).
        if file.get("name") and (why := upload.refusal(file)):
            gateway.dm(user, f":warning: Nothing imported. {why}")
            return
        name = upload.inert(str(file.get("name") or "your file"))
        text, blocks = roster_program_choice(str(file.get("id") or ""), name, programs)
        gateway.dm(user, text, blocks)

    def shared_file(event: dict[str, Any], context: BoltContext) -> bool:
        return is_shared_file(event) and event.get("user") != context.bot_user_id

    app.event("message", matchers=[shared_file])(ack=ack_only, lazy=[run])
