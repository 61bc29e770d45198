"""`/win`: log a win at once, open the form, list, or show help."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import wins as blocks
from bot.blocks.credentials import record_offer
from bot.deps import Deps
from bot.rules.credentials import detect_ce
from bot.slack.gateway import SlackGateway, in_words
from bot.store.db import DatabaseUnavailable
from bot.store.models import Win
from bot.usecases.members import ensure_member
from bot.usecases.preferences import prefs_form
from bot.usecases.wins import (
    Held,
    Logged,
    Rejected,
    Replayed,
    latest_wins,
    request_key,
    submit_text,
    win_form,
)
from handlers.context import after_ack, refresh_profile, remembered_member, team_id

log = logging.getLogger(__name__)

SUB_COMMANDS = ("list", "help", "settings")


def request_kind(text: str) -> str:
    """What a `/win` asks for: "form", "help", "settings", "unknown" (a lone unknown word),
    "list" or "log"."""
    words = text.split()
    if not words:
        return "form"
    word = words[0].lower()
    if len(words) == 1 and word in SUB_COMMANDS:
        return word
    if len(words) == 1 and "\n" not in text.strip():
        return "unknown"
    return "log"


def unavailable_text(text: str) -> str:
    """The honest answer while the database is down: not saved, and their words back."""
    return (
        "Sorry, I couldn't save your win: the database is unreachable right now, so "
        "nothing was saved. Here is your text, so nothing is lost; please log it again "
        f"in a few minutes:\n```{blocks.escape(text)}```"
    )


REPLAYED = "That `/win` was handled already; nothing was added again."


MAX_CE_OFFERS = 3


def register(app: App, deps: Deps) -> None:
    area_names = deps.settings.credential_catalog.area_names()

    def ce_offers(wins: Sequence[Win]) -> list[dict[str, Any]]:
        """ "Record as CE credit" under wins whose words read like continuing education
        (private wins too: a credit is the member's own)."""
        offers: list[dict[str, Any]] = []
        for win in wins:
            suggested = detect_ce(win.text)
            if suggested is not None and len(offers) < MAX_CE_OFFERS:
                offers += record_offer(win.key, suggested.points, suggested.areas, area_names)
        return offers

    def answer_win(
        ack: Any, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Answers in the request thread, with database work only: "Logged" goes out
        once the win is durably committed (bot/store/db.py), and nothing here waits on
        Slack. What calls Slack (the form, a profile refresh) goes to `after_ack`: Bolt's
        lazy listeners copy the whole request first (bench/win_latency.py)."""
        text = str(command.get("text") or "")
        kind = request_kind(text)
        if kind in ("form", "settings"):
            ack()  # the form opens after the answer
            after_ack(deps, open_form, command, client, context)
            return
        if kind == "help":
            ack(response_type="ephemeral", blocks=blocks.help_blocks(), text=blocks.HELP_TEXT)
            return
        if kind == "unknown":
            hint = (
                f"I don't know `/win {blocks.escape(text.split()[0])}`. If that was a win, "
                "add a few more words so I can tell it from a command."
            )
            ack(response_type="ephemeral", blocks=blocks.help_blocks(hint), text=hint)
            return
        try:
            member = remembered_member(deps, client, context)
            if kind == "list":
                with deps.db.begin() as session:
                    listed = blocks.list_blocks(latest_wins(session, member.id))
                ack(response_type="ephemeral", blocks=listed, text="Your latest wins")
                return
            key = request_key(command.get("trigger_id"))
            outcome = submit_text(
                deps.db,
                member,
                text,
                "slash",
                deps.clock.now(),
                guard=deps.phi.for_team(deps.db, member.team_id),
                key=key,
            )
        except DatabaseUnavailable as exc:
            log.warning("/win not saved, the database is unavailable: %s", exc)
            ack(response_type="ephemeral", text=unavailable_text(text))
            return
        if isinstance(outcome, Logged):
            logged = blocks.logged_blocks(outcome.wins)
            answer = [*logged[:-1], *ce_offers(outcome.wins), logged[-1]]  # Undo stays last
            ack(response_type="ephemeral", blocks=answer, text="Logged")
        elif isinstance(outcome, Held):
            ack(
                response_type="ephemeral",
                blocks=blocks.held_blocks(outcome.draft_id, outcome.text, outcome.findings),
                text="Nothing saved yet: this may contain patient information.",
            )
        elif isinstance(outcome, Replayed):
            ack(response_type="ephemeral", text=REPLAYED)
        elif isinstance(outcome, Rejected):
            # Echo the text so nothing the member typed is lost.
            echo = f"{outcome.reason}\nHere is what you wrote:\n```{blocks.escape(text)}```"
            ack(response_type="ephemeral", text=echo)

    def open_form(command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """The win form for a bare `/win`, the preferences for `/win settings`. Runs
        after the answer, so a first contact's profile is fetched before the form is
        built (its date is then in their own time zone); a day-old one after it."""
        now = deps.clock.now()
        gateway = SlackGateway(client)
        member = ensure_member(deps.db, gateway, team_id(context), str(context.user_id), now)
        if request_kind(str(command.get("text") or "")) == "settings":
            view, again = prefs_form(member), "/win settings"
        else:
            view = win_form(deps.db, member, deps.clock.now(), ce_areas=area_names)
            again = "/win"
        assert view is not None
        try:
            gateway.open_view(str(command.get("trigger_id")), view)
        except SlackApiError as exc:
            Respond(response_url=str(command.get("response_url")))(
                response_type="ephemeral",
                text=f"Sorry, I couldn't open the form: {in_words(exc)}. Try `{again}` again.",
            )
        refresh_profile(deps, client, context)

    app.command("/win")(answer_win)
