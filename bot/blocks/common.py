"""Small Block Kit pieces shared by every view and message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Re-exported: the builders escape people's text with the one rule in bot/rules/mrkdwn.
from bot.rules.mrkdwn import escape as escape

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
MODAL_TITLE_MAX = 24
VIEW_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pack_lines(lines: list[str], limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Join lines into as few texts as fit in `limit` each, so that a list of long
    entries fills several sections instead of being cut off (a longer line is clipped)."""
    texts: list[str] = []
    for line in (clip(line, limit) for line in lines):
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}


def section(text: str, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> Block:
    return {"text": plain(text), "value": value}


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = "Save",
    private_metadata: str = "",
) -> Block:
    assert len(title) <= MODAL_TITLE_MAX, title
    # Slack refuses a bigger view; cutting it would silently drop inputs, so a builder
    # must make its view fit.
    if len(blocks) > VIEW_BLOCKS_MAX:
        raise ValueError(f"{callback_id}: {len(blocks)} blocks, a view holds {VIEW_BLOCKS_MAX}")
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_MAX),
        "close": plain("Cancel"),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit)
    return view


def optional_input(block_id: str, label: str, element: Block) -> Block:
    """An input block a person may leave empty."""
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "element": element,
    }


def multi_select_input(
    block_id: str, label: str, options: list[Block], chosen: Sequence[str]
) -> Block:
    """An optional multi-select input (action id `value`), with `chosen` ticked."""
    element: Block = {
        "type": "multi_static_select",
        "action_id": "value",
        "placeholder": plain("Choose…"),
        "options": options,
    }
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return optional_input(block_id, label, element)
