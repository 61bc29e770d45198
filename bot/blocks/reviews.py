"""The semiannual goal review DM and its "new target date" modal."""

from __future__ import annotations

from datetime import date

from bot.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    escape,
    header,
    modal,
    plain,
    section,
)
from bot.blocks.goals import goal_line
from bot.store.models import Goal, Win

RETARGET_MODAL = "goal_retarget_modal"
BLOCKS_PER_GOAL = 3
MAX_GOALS = (MESSAGE_BLOCKS_MAX - 3) // BLOCKS_PER_GOAL


def review_message(goals: list[Goal], wins: dict[int, list[Win]]) -> tuple[str, list[Block]]:
    """Each open goal, the wins linked to it since the last review, and four buttons."""
    text = "Time for your goal review"
    blocks: list[Block] = [
        header(f":dart: {text}"),
        section(
            "Twice a year, a look at your goals: still on track, done, needs a new date, "
            "or time to let go?"
        ),
    ]
    for goal in goals[:MAX_GOALS]:
        linked = wins.get(goal.id, [])
        if linked:
            lines = "\n".join(f"• {escape(w.text[:150])}" for w in linked[:5])
            more = f"\n…and {len(linked) - 5} more" if len(linked) > 5 else ""
            progress = f"Wins toward it since the last review:\n{lines}{more}"
        else:
            progress = "No wins linked to it since the last review."
        blocks += [
            section(goal_line(goal)),
            context(progress),
            actions(
                button("On track", "goal_review_ok", str(goal.id), style="primary"),
                button("Achieved", "goal_review_achieved", f"achieved:{goal.id}"),
                button("New target date", "goal_review_retarget", str(goal.id)),
                button("Drop", "goal_review_drop", f"dropped:{goal.id}", style="danger"),
                block_id=f"review_{goal.id}",
            ),
        ]
    if len(goals) > MAX_GOALS:
        blocks.append(context(f"…and {len(goals) - MAX_GOALS} more goals on my Home tab."))
    return text, blocks


def retarget_modal(goal: Goal, today: date) -> Block:
    picker: Block = {"type": "datepicker", "action_id": "value"}
    picker["initial_date"] = (goal.target_date or today).isoformat()
    return modal(
        RETARGET_MODAL,
        "New target date",
        [
            section(goal_line(goal)),
            {
                "type": "input",
                "block_id": "target_date",
                "label": plain("New target date"),
                "element": picker,
            },
        ],
        private_metadata=str(goal.id),
    )
