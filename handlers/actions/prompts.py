"""The weekly prompt's buttons (Log a win, Nothing this week, Skip next week) and the
Settings button, on the prompt and on the Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.common import section
from bot.blocks.wins import metadata
from bot.deps import Deps
from bot.rules.localtime import zone
from bot.store.models import Member
from bot.usecases.preferences import prefs_form
from bot.usecases.prompts import skip_next_week
from bot.usecases.wins import get_draft, win_form
from handlers.context import ack_only, action_number, current_member
from handlers.reply import open_or_explain, replace, tell


def register(app: App, deps: Deps) -> None:
    def log_dm_as_win(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        """A DM that was not a prompt reply: the win form, filled in with it."""
        member = current_member(deps, client, context)
        held = get_draft(deps.db, member, action_number(action))
        if held is None:
            tell(body, respond, client, "That message was already logged or set aside.")
            return
        view = win_form(
            deps.db,
            member,
            deps.clock.now(),
            text=held.text,
            private_metadata=metadata(draft_id=held.id, source="dm_reply"),
        )
        assert view is not None
        open_or_explain(body, respond, client, view)

    def nothing(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        # Keep the question, drop the buttons: the answer is in.
        replace(
            body,
            respond,
            client,
            "Nothing this week",
            [
                section(
                    ":ok_hand: Noted: nothing to log this week. Quiet weeks happen. "
                    "See you next week!"
                )
            ],
        )

    def skip(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        now = deps.clock.now()
        with deps.db.begin() as session:
            fresh = session.get(Member, member.id)
            assert fresh is not None
            skipped = skip_next_week(session, fresh, now)
            upcoming = fresh.next_prompt_at
            tz = fresh.tz
        skipped_day = skipped.slot_at.astimezone(zone(tz))
        text = f":zzz: Got it: no prompt on {skipped_day:%a %b %d}."
        if upcoming:
            text += f" The next one comes {upcoming.astimezone(zone(tz)):%a %b %d, %H:%M}."
        tell(body, respond, client, text)

    def settings(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        member = current_member(deps, client, context)
        open_or_explain(body, respond, client, prefs_form(member))

    # "Log a win" (prompt_log_win) opens the same blank form as the Home tab's button:
    # handlers/actions/home.py registers both.
    app.action("dm_log_as_win")(ack=ack_only, lazy=[log_dm_as_win])
    app.action("prompt_nothing")(ack=ack_only, lazy=[nothing])
    app.action("prompt_skip_next")(ack=ack_only, lazy=[skip])
    app.action("open_settings")(ack=ack_only, lazy=[settings])
