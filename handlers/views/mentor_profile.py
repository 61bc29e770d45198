"""A member's own mentoring profile form."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.mentor import PROFILE_MODAL
from bot.blocks.program import notice_modal
from bot.deps import Deps
from bot.usecases.mentor import ProfileErrors, submit_profile
from handlers.context import current_member


def register(app: App, deps: Deps) -> None:
    def save(ack: Any, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        member = current_member(deps, client, context)
        result = submit_profile(deps.db, member, view, deps.clock.now())
        if isinstance(result, ProfileErrors):
            ack(response_action="errors", errors=result.errors)
            return
        ack(
            response_action="update",
            view=notice_modal(
                "My mentoring profile",
                ":white_check_mark: Saved. Your coordinator will use it to find you a good match.",
            ),
        )

    app.view(PROFILE_MODAL)(save)
