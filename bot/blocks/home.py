"""The Home tab. It must stay under Slack's 100-block limit however much a member logs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.blocks.common import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    option,
    section,
)
from bot.blocks.goals import goal_line
from bot.store.models import Goal, Win

MAX_GOALS_SHOWN = 15
MAX_LINKED_WINS_SHOWN = 3
MAX_LATEST_WINS = 20


@dataclass(frozen=True)
class HomeData:
    name: str
    wins_this_month: int
    wins_this_year: int
    latest_wins: list[Win]
    goals: list[Goal]
    linked_wins: dict[int, list[Win]] = field(default_factory=dict)
    total_wins: int = 0
    prompt_line: str = ""  # when the weekly prompt comes (bot/usecases/preferences.py)
    # The credentials part (bot/blocks/credentials.py home_section): two blocks at most.
    credentials: list[Block] = field(default_factory=list)


def goal_menu(goal: Goal) -> Block:
    return {
        "type": "overflow",
        "action_id": "goal_menu",
        "options": [
            option(":trophy: Mark achieved", f"achieved:{goal.id}"),
            option("Drop this goal", f"dropped:{goal.id}"),
        ],
    }


def win_line(win: Win) -> str:
    lock = " :lock:" if win.is_private else ""
    return f"*{win.occurred_on:%b %d}*{lock}  {escape(win.text)}"


def home_view(data: HomeData) -> Block:
    blocks: list[Block] = [
        header("Your wins"),
        section(f"*This month:* {data.wins_this_month}    *This year:* {data.wins_this_year}"),
        actions(
            button("Log a win", "home_log_win", style="primary"),
            button("New goal", "home_new_goal"),
            button("Export", "home_export"),
            block_id="home_buttons",
        ),
    ]
    if data.prompt_line:
        blocks.append(
            section(data.prompt_line, button("Settings", "open_settings", "home"), "home_prompt")
        )
    blocks += [
        divider(),
        header("Active goals"),
    ]
    if not data.goals:
        blocks.append(section("No active goals. Set one with *New goal* or `/goal`."))
    for goal in data.goals[:MAX_GOALS_SHOWN]:
        blocks.append(section(goal_line(goal), goal_menu(goal)))
        linked = data.linked_wins.get(goal.id, [])
        if linked:
            lines = "\n".join(f"• {escape(w.text[:150])}" for w in linked[:MAX_LINKED_WINS_SHOWN])
            more = len(linked) - MAX_LINKED_WINS_SHOWN
            extra = f"\n…and {more} more" if more > 0 else ""
            blocks.append(context(f"Wins toward it:\n{lines}{extra}"))
    if len(data.goals) > MAX_GOALS_SHOWN:
        blocks.append(context(f"…and {len(data.goals) - MAX_GOALS_SHOWN} more: `/goal list`"))
    if data.credentials:
        blocks += [divider(), *data.credentials[:2]]
    blocks += [divider(), header("Latest wins")]
    if not data.latest_wins:
        blocks.append(section("Nothing yet. Log your first with `/win` :sparkles:"))
    # Keep a few blocks spare for the closing note.
    room = VIEW_BLOCKS_MAX - len(blocks) - 2
    shown = data.latest_wins[: max(0, min(room, MAX_LATEST_WINS))]
    for win in shown:
        blocks.append(section(win_line(win)))
    hidden = max(data.total_wins, len(data.latest_wins)) - len(shown)
    if hidden > 0:
        blocks.append(context(f"…and {hidden} older wins. *Export* gets them all."))
    assert len(blocks) <= VIEW_BLOCKS_MAX
    return {"type": "home", "blocks": blocks, "private_metadata": "", "callback_id": "home"}
