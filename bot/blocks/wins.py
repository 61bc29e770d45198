"""Messages and the modal for logging wins."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.common import (
    Block,
    actions,
    button,
    escape,
    modal,
    option,
    optional_input,
    pack_lines,
    plain,
    section,
)
from bot.rules.catalog import CATEGORIES
from bot.rules.phi import Finding, describe
from bot.rules.wins import MAX_WIN_CHARS
from bot.store.models import Goal, NewWin, Win

WIN_MODAL = "win_modal"

HELP_TEXT = (
    "*Log your wins with* `/win`\n"
    "• `/win cut TAT for troponin by 12 minutes`: logs a win at once\n"
    "• `/win` with a bulleted list: one win per line\n"
    "• `/win` alone: a form with category, date, goal and sharing\n"
    "• `/win list`: your latest 10 wins\n"
    "• `/win settings`: when your weekly prompt comes (day, time, quiet hours, pause)\n"
    "• Or just reply to my weekly prompt in our DM: each line of a list is a win\n"
    "• `/win help`: this help\n"
    "Goals: `/goal` to set one, `/goal list` to see yours. "
    "Your wins and goals are private to you unless you share them."
)


def help_blocks(prefix: str | None = None) -> list[Block]:
    blocks = [section(prefix)] if prefix else []
    return [*blocks, section(HELP_TEXT)]


def quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines() or [""])


def logged_blocks(wins: Sequence[Win | NewWin]) -> list[Block]:
    """The ephemeral answer to `/win <text>`: each win, with Edit, and one Undo."""
    noun = "win" if len(wins) == 1 else f"{len(wins)} wins"
    private = " (kept private)" if any(w.is_private for w in wins) else ""
    blocks: list[Block] = [section(f":tada: Logged your {noun}{private}.")]
    for win in wins:
        blocks.append(section(quote(win.text), button("Edit", "win_edit", win.key)))
    keys = ",".join(w.key for w in wins)
    blocks.append(actions(button("Undo", "win_undo", keys, style="danger")))
    return blocks


def undone_blocks(count: int) -> list[Block]:
    noun = "win" if count == 1 else "wins"
    return [section(f":leftwards_arrow_with_hook: Removed {count} {noun}. Nothing else changed.")]


def held_blocks(draft_id: int, text: str, findings: list[Finding]) -> list[Block]:
    """Text held back for possible patient data: what was found, and the choices."""
    return [
        section(
            ":warning: *Nothing saved yet.* This looks like it may contain patient "
            f"information: {escape(describe(findings))}.\n"
            "Patient data must stay in the clinical systems. Edit it out, or save it "
            "as a private win that is never shared."
        ),
        section(quote(text)),
        actions(
            button("Edit", "draft_edit", str(draft_id), style="primary"),
            button("Save as private", "draft_save_private", str(draft_id)),
            button("Discard", "draft_discard", str(draft_id), style="danger"),
        ),
    ]


def list_blocks(wins: list[Win]) -> list[Block]:
    if not wins:
        return [section("No wins yet. Try `/win passed my MLS(ASCP) exam` :muscle:")]
    lines = [f"• *{w.occurred_on:%b %d}* {escape(w.text)}" for w in wins]
    return [section(f"*Your latest {len(wins)} wins*"), *map(section, pack_lines(lines))]


def metadata(**fields: Any) -> str:
    return json.dumps({k: v for k, v in fields.items() if v is not None})


def win_modal(
    *,
    today: date,
    goals: list[Goal],
    text: str = "",
    category: str | None = None,
    occurred_on: date | None = None,
    goal_id: int | None = None,
    shared: bool = False,
    digest: bool = False,
    private_metadata: str = "",
    findings: list[Finding] | None = None,
    title: str = "Log a win",
    extra: Sequence[Block] = (),
) -> Block:
    """The win form. With `findings`, it shows the patient-data warning and the
    'save anyway, privately' choice."""
    text_input: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": MAX_WIN_CHARS,
        "placeholder": plain("e.g. Caught a mislabeled specimen before release"),
    }
    if text:
        text_input["initial_value"] = text[:MAX_WIN_CHARS]
    blocks: list[Block] = [
        {"type": "input", "block_id": "text", "label": plain("Your win"), "element": text_input}
    ]
    if findings:
        blocks.append(
            section(
                ":warning: This looks like it may contain patient information: "
                f"{escape(describe(findings))}. Edit it out, or tick the box to save it "
                "as a private win that is never shared."
            )
        )
        blocks.append(checkbox_input("phi_ack", "Patient data", "Save anyway, as a private win"))
    blocks.append(
        select_input(
            "category",
            "Category",
            [(label, key) for key, label in CATEGORIES.items()],
            category,
        )
    )
    blocks.append(
        {
            "type": "input",
            "block_id": "occurred_on",
            "label": plain("Date"),
            "element": {
                "type": "datepicker",
                "action_id": "value",
                "initial_date": (occurred_on or today).isoformat(),
            },
        }
    )
    if goals:
        blocks.append(
            select_input(
                "goal",
                "Toward a goal",
                [(g.title, str(g.id)) for g in goals[:100]],
                str(goal_id) if goal_id else None,
            )
        )
    blocks.append(checkbox_input("share", "Sharing", "Share with my mentor", checked=shared))
    if not findings:  # a win that may carry patient data is never posted anywhere
        blocks.append(
            checkbox_input(
                "digest",
                "Program digest",
                "Share in the weekly program digest (with my name)",
                checked=digest,
            )
        )
        blocks.extend(extra)  # e.g. the continuing-education part (bot/blocks/credentials.py)
    return modal(WIN_MODAL, title, blocks, private_metadata=private_metadata)


def select_input(
    block_id: str, label: str, choices: list[tuple[str, str]], selected: str | None
) -> Block:
    options = [option(text, value) for text, value in choices]
    element: Block = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain("Choose…"),
        "options": options,
    }
    chosen = [o for o in options if o["value"] == selected]
    if chosen:
        element["initial_option"] = chosen[0]
    return optional_input(block_id, label, element)


def checkbox_input(block_id: str, label: str, text: str, *, checked: bool = False) -> Block:
    choice = option(text, "yes")
    element: Block = {"type": "checkboxes", "action_id": "value", "options": [choice]}
    if checked:
        element["initial_options"] = [choice]
    return optional_input(block_id, label, element)
