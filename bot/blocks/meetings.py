"""Meeting reminders, "Did you meet?", and the forms to log or move a meeting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from bot.blocks.common import Block, actions, button, context, escape, modal, option, plain, section
from bot.blocks.goals import text_input
from bot.blocks.wins import checkbox_input
from bot.rules.phi import Finding, describe

LOG_MODAL = "meeting_log_modal"
RESCHEDULE_MODAL = "meeting_reschedule_modal"
LOG_ACTION = "meeting_log"
YES_ACTION = "meeting_yes"
SNOOZE_ACTION = "meeting_snooze"
RESCHEDULE_ACTION = "meeting_reschedule"


def _items(items: list[str]) -> str:
    return "\n".join(f"• {escape(i)}" for i in items)


def _in(program: str) -> str:
    """The pair's program in brackets after a name, e.g. "(north-site)", when the
    workspace has several programs; nothing when it has one (`program` is then "")."""
    return f" ({escape(program)})" if program else ""


def mentor_reminder(
    *, pair_id: int, mentee: str, due_on: date, items: list[str], program: str = ""
) -> tuple[str, list[Block]]:
    text = f"Your mentoring meeting with <@{mentee}>{_in(program)} is due ({due_on:%a %b %d})."
    blocks: list[Block] = [
        section(
            f":calendar: *Time to meet <@{mentee}>{_in(program)}.* Your meeting is due "
            f"{due_on:%A, %b %d}. "
            "Send them a note to pick a time that suits both your shifts."
        )
    ]
    if items:
        blocks.append(section(f"*Open action items*\n{_items(items)}"))
    blocks.append(actions(button("Log a meeting", LOG_ACTION, str(pair_id), style="primary")))
    return text, blocks


def mentee_reminder(*, mentor: str, due_on: date, program: str = "") -> tuple[str, list[Block]]:
    text = f"A meeting with your mentor <@{mentor}>{_in(program)} is due ({due_on:%a %b %d})."
    return text, [
        section(f":wave: {text} Bring one win and one question; <@{mentor}> will be in touch.")
    ]


def followup(
    *, pair_id: int, mentee: str, due_on: date, number: int, program: str = ""
) -> tuple[str, list[Block]]:
    text = f"Did you meet with <@{mentee}>{_in(program)}?"
    again = "" if number == 1 else " (just checking again)"
    value = str(pair_id)
    return text, [
        section(f":handshake: *{text}*{again}\nYour meeting was due {due_on:%A, %b %d}."),
        actions(
            button("Yes", YES_ACTION, value, style="primary"),
            button("Not yet", SNOOZE_ACTION, value),
            button("Rescheduled", RESCHEDULE_ACTION, value),
            block_id="meeting_followup",
        ),
    ]


def flag_text(*, mentor: str, mentee: str, due_on: date, asked: int, program: str = "") -> str:
    return (
        f":triangular_flag_on_post: <@{mentor}> and <@{mentee}>{_in(program)} haven't said "
        f"whether they met (due {due_on:%b %d}); I asked <@{mentor}> {asked} times and will "
        "stop asking. A friendly check-in from you may help."
    )


def log_modal(
    *,
    pair_id: int,
    partner: str,
    today: date,
    open_items: list[tuple[int, str]],
    held_on: date | None = None,
    notes: str = "",
    items: str = "",
    done: Sequence[int] = (),
    findings: list[Finding] | None = None,
    program: str = "",
) -> Block:
    """The "Log a meeting" form. With `findings`, shown again with the patient-data
    warning and the "I checked" box."""
    blocks: list[Block] = [
        section(f"Your meeting with <@{partner}>{_in(program)}."),
        {
            "type": "input",
            "block_id": "held_on",
            "label": plain("Date"),
            "element": {
                "type": "datepicker",
                "action_id": "value",
                "initial_date": (held_on or today).isoformat(),
            },
        },
        text_input("notes", "Notes (optional)", notes, multiline=True, max_length=2000),
        text_input(
            "items", "New action items, one per line", items, multiline=True, max_length=2000
        ),
    ]
    if findings:
        blocks.append(
            section(
                ":warning: This looks like it may contain patient information: "
                f"{escape(describe(findings))}. Patient data stays in the clinical systems: "
                "edit it out, or tick the box if it is not patient information."
            )
        )
        blocks.append(
            checkbox_input("phi_ack", "Patient data", "I checked: no patient information")
        )
    if open_items:
        element: Block = {
            "type": "checkboxes",
            "action_id": "value",
            "options": [option(text, str(i)) for i, text in open_items[:10]],
        }
        ticked = [o for o in element["options"] if int(o["value"]) in done]
        if ticked:
            element["initial_options"] = ticked
        blocks.append(
            {
                "type": "input",
                "block_id": "done",
                "optional": True,
                "label": plain("Done since last time"),
                "element": element,
            }
        )
    blocks.append(context("Keep patient details out of notes: they stay in the clinical systems."))
    return modal(
        LOG_MODAL, "Log a meeting", blocks, private_metadata=json.dumps({"pair_id": pair_id})
    )


def reschedule_modal(*, pair_id: int, partner: str, current: date, program: str = "") -> Block:
    blocks: list[Block] = [
        section(f"When will you meet <@{partner}>{_in(program)}?"),
        {
            "type": "input",
            "block_id": "new_date",
            "label": plain("New date"),
            "element": {
                "type": "datepicker",
                "action_id": "value",
                "initial_date": current.isoformat(),
            },
        },
    ]
    return modal(
        RESCHEDULE_MODAL,
        "Reschedule meeting",
        blocks,
        private_metadata=json.dumps({"pair_id": pair_id}),
    )


def logged_modal(text: str) -> Block:
    done = modal("meeting_logged", "Meeting", [section(text)], submit=None)
    done["close"] = plain("Done")
    return done
