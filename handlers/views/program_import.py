"""The roster import modal: a CSV file (fetched and imported after the ack, answered in
the coordinator's DM as an upload there is), or a pasted CSV (checked at once, then
imported after the ack, answered in the modal). A file wins over pasted text."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import state
from bot.blocks.program import IMPORT_MODAL, import_modal, import_result_text, notice_modal
from bot.deps import Deps
from bot.rules.roster import parse_roster
from bot.rules.upload import inert
from bot.slack.gateway import SlackGateway, error_code
from bot.usecases.roster import import_roster
from bot.usecases.roster_upload import import_upload, patient_gateway, upload_job
from handlers.context import team_id
from handlers.coordinator_only import coordinator_only


def register(app: App, deps: Deps) -> None:
    def check(ack: Any, view: dict[str, Any]) -> None:
        files = state.files(view, "csv_file")
        if files:
            name = inert(str(files[0].get("name") or "the file"))
            ack(
                response_action="update",
                view=notice_modal(
                    "Import roster",
                    f":hourglass: Reading *{name}*. The result comes in your DM with "
                    "Benchmate (a large roster takes a few minutes).",
                ),
            )
            return
        text = state.text(view, "csv")
        if not text.strip():
            ack(
                response_action="errors",
                errors={"csv_file": "Upload the roster CSV file, or paste it below."},
            )
            return
        rows, errors = parse_roster(text)
        if errors:
            ack(response_action="update", view=import_modal(text, [str(e) for e in errors]))
            return
        ack(
            response_action="update",
            view=notice_modal(
                "Import roster", f":hourglass: Checking {len(rows)} people with Slack…"
            ),
        )

    def run_import(view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        me = str(context.user_id)
        if files := state.files(view, "csv_file"):
            job = upload_job(team_id(context), me, files[0], client)
            import_upload(deps, patient_gateway(client), job)
            return
        text = state.text(view, "csv")
        if not text.strip() or parse_roster(text)[1]:
            return  # answered in the modal already
        gateway = SlackGateway(client)
        report = import_roster(
            deps.db, gateway, team_id=team_id(context), text=text, actor=me, now=deps.clock.now()
        )
        if report.ok:
            result = notice_modal(
                "Import roster",
                ":white_check_mark: " + import_result_text(report.added, report.updated),
            )
        else:
            result = import_modal(text, report.problems)
        try:
            gateway.update_view(str(view.get("id")), result)
        except SlackApiError as exc:  # the modal was closed: say it in a DM instead
            summary = (
                import_result_text(report.added, report.updated)
                if report.ok
                else "Nothing imported:\n" + "\n".join(report.problems[:40])
            )
            gateway.dm(me, f"Roster import ({error_code(exc)} on the form): {summary}")

    app.view(IMPORT_MODAL, middleware=[coordinator_only(deps)])(ack=check, lazy=[run_import])
