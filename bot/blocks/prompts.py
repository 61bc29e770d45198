"""The weekly win prompt, the answers to DM replies, and the preferences modal."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.blocks.common import Block, actions, button, context, escape, modal, option, plain, section
from bot.blocks.wins import checkbox_input
from bot.rules.localtime import zone
from bot.rules.schedule import WEEKDAYS

PREFS_MODAL = "prefs_modal"


def weekly_prompt(
    *, name: str, period: str, wins_last_week: int, goal: str | None
) -> tuple[str, list[Block]]:
    """The prompt's fallback text and blocks. Replying in the DM logs wins."""
    first = escape(name.split()[0]) if name.strip() else "there"
    text = f"Hi {first}! What went well this week?"
    blocks: list[Block] = [
        section(
            f":sparkles: *{text}*\n"
            "Reply here with your wins: one message, or a bulleted list for several. "
            "A fix, a catch, a colleague you helped, a course you finished: it all counts."
        )
    ]
    notes = []
    if wins_last_week:
        noun = "win" if wins_last_week == 1 else "wins"
        notes.append(f"You logged {wins_last_week} {noun} in the last 7 days.")
    if goal:
        notes.append(f"A goal to work toward: *{escape(goal[:200])}*")
    if notes:
        blocks.append(context("  ".join(notes)))
    blocks.append(
        actions(
            button("Log a win", "prompt_log_win", period, style="primary"),
            button("Nothing this week", "prompt_nothing", period),
            button("Skip next week", "prompt_skip_next", period),
            button("Settings", "open_settings", "prompt"),
            block_id="prompt_buttons",
        )
    )
    return text, blocks


def outside_window_blocks(draft_id: int) -> list[Block]:
    """A DM that is not an answer to a recent prompt: offer to log it anyway."""
    return [
        section(
            "I log wins from replies to my weekly prompt (for 3 days after it) and from "
            "`/win`. Want to keep this message as a win?"
        ),
        actions(button("Log as a win", "dm_log_as_win", str(draft_id), style="primary")),
    ]


def time_label(at: time) -> str:
    return at.strftime("%H:%M")


def schedule_line(
    *,
    weekday: int,
    at: time,
    tz: str,
    stopped: bool,
    paused_until: date | None,
    quiet: tuple[time, time] | None,
    next_at: datetime | None,
) -> str:
    """One line for the Home tab: when the weekly prompt comes."""
    if stopped:
        return ":no_bell: Weekly prompts are *off*. Turn them back on in Settings."
    line = f":alarm_clock: Weekly prompt: *{WEEKDAYS[weekday]}s at {time_label(at)}* ({tz})"
    if paused_until:
        line += f", paused until {paused_until:%b %d}"
    if quiet:
        line += f". Quiet hours {time_label(quiet[0])}-{time_label(quiet[1])}"
    if next_at:
        local = next_at.astimezone(zone(tz))
        line += f". Next: {local:%a %b %d, %H:%M}"
    return line + "."


def _time_input(block_id: str, label: str, value: time | None, *, optional: bool) -> Block:
    element: Block = {"type": "timepicker", "action_id": "value"}
    if value is not None:
        element["initial_time"] = time_label(value)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": element,
    }


def prefs_modal(
    *,
    weekday: int,
    at: time,
    tz: str,
    quiet_start: time | None,
    quiet_end: time | None,
    paused_until: date | None,
    stopped: bool,
) -> Block:
    days = [option(name, str(i)) for i, name in enumerate(WEEKDAYS)]
    pause: Block = {"type": "datepicker", "action_id": "value"}
    if paused_until:
        pause["initial_date"] = paused_until.isoformat()
    blocks: list[Block] = [
        context(f"Times are yours, in *{escape(tz)}* (from your Slack profile)."),
        {
            "type": "input",
            "block_id": "weekday",
            "label": plain("Prompt day"),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": days,
                "initial_option": days[weekday],
            },
        },
        _time_input("at", "Prompt time", at, optional=False),
        _time_input("quiet_start", "Quiet hours from", quiet_start, optional=True),
        _time_input("quiet_end", "Quiet hours until", quiet_end, optional=True),
        context("No nudge lands inside quiet hours (sleeping after nights, say): it waits."),
        {
            "type": "input",
            "block_id": "paused_until",
            "optional": True,
            "label": plain("Pause prompts until"),
            "element": pause,
        },
        checkbox_input("stopped", "Stop", "Stop weekly prompts", checked=stopped),
    ]
    return modal(PREFS_MODAL, "Prompt settings", blocks)


def saved_modal(line: str) -> Block:
    view = modal("prefs_saved", "Settings saved", [section(line)], submit=None)
    view["close"] = plain("Done")
    return view
