"""`/mentor`: my pairs, my profile form, help."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.common import escape
from bot.blocks.credentials import credentials_blocks
from bot.blocks.mentor import MENTOR_HELP, mentor_blocks
from bot.deps import Deps
from bot.slack.gateway import SlackGateway, error_code
from bot.usecases.credentials import member_statuses
from bot.usecases.mentor import my_pairs, profile_form
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def answer(ack: Any, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        words = str(command.get("text") or "").split()
        word = words[0].lower() if words else ""
        if not words:
            member = current_member(deps, client, context)
            guard = deps.phi.for_team(deps.db, member.team_id)
            pairs, on_roster = my_pairs(
                deps.db, member, guard, deps.settings.credential_catalog, deps.clock.now()
            )
            ack(
                response_type="ephemeral",
                blocks=mentor_blocks(pairs, on_roster=on_roster),
                text="Your mentoring",
            )
        elif word in ("credentials", "credential", "ce") and len(words) == 1:
            member = current_member(deps, client, context)
            catalog = deps.settings.credential_catalog
            helds = member_statuses(deps.db, member.id, member.tz, catalog, deps.clock.now())
            ack(
                response_type="ephemeral",
                blocks=credentials_blocks(helds, catalog.area_names()),
                text="Your credentials",
            )
        elif word == "profile" and len(words) == 1:
            ack()  # the form opens after the ack
        elif word == "help" and len(words) == 1:
            ack(response_type="ephemeral", text=MENTOR_HELP)
        else:
            ack(
                response_type="ephemeral",
                text=f"I don't know `/mentor {escape(' '.join(words))}`.\n{MENTOR_HELP}",
            )

    def open_profile(
        command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        if str(command.get("text") or "").strip().lower() != "profile":
            return
        view = profile_form(deps.db, current_member(deps, client, context))
        try:
            SlackGateway(client).open_view(str(command.get("trigger_id")), view)
        except SlackApiError as exc:
            respond(
                response_type="ephemeral",
                text="Sorry, I couldn't open the form (Slack "
                f"said `{error_code(exc)}`). Try again.",
            )

    app.command("/mentor")(ack=answer, lazy=[open_profile])
