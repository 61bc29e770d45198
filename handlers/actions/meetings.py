"""Meeting buttons: "Log a meeting" (from /mentor or a reminder), and the answers to
"Did you meet?": Yes (the same form), Not yet, Rescheduled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import meetings as blocks
from bot.deps import Deps
from bot.usecases.meetings import NOT_YOURS, log_form, not_yet, reschedule_form
from handlers.context import ack_only, action_number, current_member
from handlers.reply import open_or_explain, tell


def register(app: App, deps: Deps) -> None:
    def opens(form: Callable[..., dict[str, Any] | None]) -> Callable[..., None]:
        """A listener that opens one of the pair's forms, for the pair's own members."""

        def open_form(
            body: dict[str, Any],
            action: dict[str, Any],
            client: WebClient,
            context: BoltContext,
            respond: Respond,
        ) -> None:
            member = current_member(deps, client, context)
            view = form(deps.db, member, action_number(action), deps.clock.now())
            if view is None:
                tell(body, respond, client, NOT_YOURS)
            else:
                open_or_explain(body, respond, client, view)

        return open_form

    open_log = opens(log_form)
    open_reschedule = opens(reschedule_form)

    def snooze(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        member = current_member(deps, client, context)
        again = not_yet(deps.db, member, action_number(action), deps.clock.now())
        text = NOT_YOURS if again is None else f"OK, I'll ask again on {again:%A, %b %d}."
        tell(body, respond, client, text)

    for action_id in (blocks.LOG_ACTION, blocks.YES_ACTION):
        app.action(action_id)(ack=ack_only, lazy=[open_log])
    app.action(blocks.RESCHEDULE_ACTION)(ack=ack_only, lazy=[open_reschedule])
    app.action(blocks.SNOOZE_ACTION)(ack=ack_only, lazy=[snooze])
