"""`/win`: log a win at once, open the form, list, or show help."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import wins as blocks
from bot.deps import Deps
from bot.slack.gateway import SlackGateway, error_code
from bot.usecases.members import needs_refresh
from bot.usecases.preferences import prefs_form
from bot.usecases.wins import Held, Logged, Rejected, latest_wins, submit_text, win_form
from handlers.context import current_member, refresh_profile

SUB_COMMANDS = ("list", "help", "settings")
# The member `needs_after_work` looked up, handed on to the listener in the request context.
MEMBER = "win_member"


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


def register(app: App, deps: Deps) -> None:
    def needs_after_work(command: dict[str, Any], client: WebClient, context: BoltContext) -> bool:
        """Whether `after_win` has anything to do. Bolt copies the whole request for a lazy
        listener, which cost `/win <text>` more than saving the win, so we only take one
        when there is work: the form for a bare `/win`, or a stale profile."""
        if request_kind(str(command.get("text") or "")) not in ("list", "log"):
            return True
        context[MEMBER] = member = current_member(deps, client, context)
        return needs_refresh(member, deps.clock.now())

    def answer_win(
        ack: Any, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Runs before the ack: everything here is a database write or read, no Slack call
        (except `users.info` once, the first time we meet someone)."""
        text = str(command.get("text") or "")
        kind = request_kind(text)
        if kind in ("form", "settings"):
            ack()  # the form opens after the ack
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
        member = context.get(MEMBER) or current_member(deps, client, context)
        if kind == "list":
            with deps.db.begin() as session:
                listed = blocks.list_blocks(latest_wins(session, member.id))
            ack(response_type="ephemeral", blocks=listed, text="Your latest wins")
            return
        outcome = submit_text(deps.db, member, text, "slash", deps.clock.now())
        if isinstance(outcome, Logged):
            ack(response_type="ephemeral", blocks=blocks.logged_blocks(outcome.wins), text="Logged")
        elif isinstance(outcome, Held):
            ack(
                response_type="ephemeral",
                blocks=blocks.held_blocks(outcome.draft_id, outcome.text, outcome.findings),
                text="Nothing saved yet: this may contain patient information.",
            )
        elif isinstance(outcome, Rejected):
            # Echo the text so nothing the member typed is lost.
            echo = f"{outcome.reason}\nHere is what you wrote:\n```{text}```"
            ack(response_type="ephemeral", text=echo)

    def after_win(
        command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        """After the ack: open the form for a bare `/win` (or the settings for `/win
        settings`), and keep the profile fresh."""
        if request_kind(str(command.get("text") or "")) == "settings":
            member = current_member(deps, client, context)
            try:
                SlackGateway(client).open_view(str(command.get("trigger_id")), prefs_form(member))
            except SlackApiError as exc:
                respond(
                    response_type="ephemeral",
                    text=f"Sorry, I couldn't open your settings (Slack said `{error_code(exc)}`). "
                    "Try `/win settings` again.",
                )
        elif not str(command.get("text") or "").strip():
            member = current_member(deps, client, context)
            view = win_form(deps.db, member, deps.clock.now())
            assert view is not None
            try:
                SlackGateway(client).open_view(str(command.get("trigger_id")), view)
            except SlackApiError as exc:
                respond(
                    response_type="ephemeral",
                    text=f"Sorry, I couldn't open the form (Slack said `{error_code(exc)}`). "
                    "Try `/win` again, or log directly with `/win what went well`.",
                )
        refresh_profile(deps, client, context)

    # The first listener whose matcher agrees handles the request.
    app.command("/win", matchers=[needs_after_work])(ack=answer_win, lazy=[after_win])
    app.command("/win")(answer_win)
