"""The goal form and goal lists."""

from __future__ import annotations

from datetime import date

from bot.blocks.common import Block, escape, modal, option, optional_input, plain, section
from bot.blocks.wins import checkbox_input, select_input
from bot.rules.catalog import CAREER_LEVELS, CATEGORIES, templates_for_level
from bot.rules.phi import Finding, describe
from bot.store.models import Goal

GOAL_MODAL = "goal_modal"


def template_select(level: str | None) -> Block:
    ordered = templates_for_level(level)
    if level in CAREER_LEVELS:
        suggested = [t for t in ordered if level in t.levels]
        rest = [t for t in ordered if level not in t.levels]
        groups = [
            {
                "label": plain(f"Suggested for {CAREER_LEVELS[level].lower()}"),
                "options": [option(t.title, t.key) for t in suggested],
            },
            {"label": plain("More ideas"), "options": [option(t.title, t.key) for t in rest]},
        ]
        element: Block = {"option_groups": [g for g in groups if g["options"]]}
    else:
        element = {"options": [option(t.title, t.key) for t in ordered]}
    element.update(type="static_select", action_id="value", placeholder=plain("Pick a template…"))
    return {
        "type": "input",
        "block_id": "template",
        "optional": True,
        "label": plain("Start from a template"),
        "hint": plain("Or leave this empty and write your own below.", 150),
        "element": element,
    }


def text_input(
    block_id: str, label: str, value: str, *, multiline: bool = False, max_length: int = 300
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value[:max_length]
    return optional_input(block_id, label, element)


def goal_modal(
    *,
    level: str | None,
    today: date,
    title: str = "",
    category: str | None = None,
    measure: str = "",
    target_date: date | None = None,
    shared: bool = False,
    findings: list[Finding] | None = None,
) -> Block:
    blocks: list[Block] = [
        template_select(level),
        text_input("title", "Goal", title),
    ]
    if findings:
        blocks.append(
            section(
                ":warning: This looks like it may contain patient information: "
                f"{escape(describe(findings))}. Edit it out, or tick the box to keep the "
                "goal private."
            )
        )
        blocks.append(checkbox_input("phi_ack", "Patient data", "Save anyway, as a private goal"))
    blocks.append(
        select_input("category", "Category", [(v, k) for k, v in CATEGORIES.items()], category)
    )
    picker: Block = {"type": "datepicker", "action_id": "value"}
    if target_date:
        picker["initial_date"] = target_date.isoformat()
    blocks.append(
        {
            "type": "input",
            "block_id": "target_date",
            "optional": True,
            "label": plain("Target date"),
            "element": picker,
        }
    )
    blocks.append(
        text_input("measure", "How will you measure it?", measure, multiline=True, max_length=1000)
    )
    blocks.append(checkbox_input("share", "Sharing", "Share with my mentor", checked=shared))
    return modal(GOAL_MODAL, "New goal", blocks)


def goal_line(goal: Goal) -> str:
    parts = [f"*{escape(goal.title)}*"]
    if goal.category:
        parts.append(CATEGORIES.get(goal.category, goal.category))
    if goal.target_date:
        parts.append(f"by {goal.target_date:%b %d, %Y}")
    return " · ".join(parts)


def goal_list_blocks(goals: list[Goal]) -> list[Block]:
    if not goals:
        return [section("No active goals yet. Set one with `/goal`.")]
    lines = "\n".join(f"• {goal_line(g)}" for g in goals[:40])
    return [section(f"*Your active goals*\n{lines}")]
