"""Answering the person who clicked, wherever they clicked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.gateway import SlackGateway, error_code, in_words

log = logging.getLogger(__name__)


def tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """Ephemeral reply where Slack gave a response_url (messages, slash commands);
    a DM where it did not (the Home tab)."""
    try:
        if body.get("response_url") or body.get("response_urls"):
            respond(response_type="ephemeral", replace_original=False, text=text)
        else:
            SlackGateway(client).dm(str(body["user"]["id"]), text)
    except SlackApiError as exc:
        log.warning("could not tell the user: %s", error_code(exc))


def replace(
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Replace the message whose button was clicked. A click that came from no message
    (Slack never sends one, a forged one may) has nothing to replace: the person is
    told in a DM instead of the listener failing on a missing response_url."""
    if not body.get("response_url"):
        tell(body, respond, client, text)
        return
    if blocks is None:
        respond(replace_original=True, text=text)
    else:
        respond(replace_original=True, text=text, blocks=blocks)


def open_or_explain(
    body: dict[str, Any], respond: Respond, client: WebClient, view: dict[str, Any]
) -> None:
    try:
        SlackGateway(client).open_view(str(body.get("trigger_id")), view)
    except SlackApiError as exc:
        tell(
            body,
            respond,
            client,
            f"Sorry, I couldn't open the form: {in_words(exc)}. Please try again.",
        )
