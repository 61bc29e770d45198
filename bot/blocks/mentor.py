"""`/mentor`: my pairs, and my program profile form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.blocks.common import (
    Block,
    button,
    clip,
    context,
    escape,
    modal,
    multi_select_input,
    option,
    plain,
    section,
)
from bot.blocks.program import cadence_words
from bot.blocks.wins import select_input
from bot.rules.catalog import CAREER_LEVELS, CATEGORIES, CERTIFICATIONS, LAB_SECTIONS, ROLES, SHIFTS
from bot.rules.roster import MAX_CAPACITY

PROFILE_MODAL = "mentor_profile_modal"

MENTOR_HELP = (
    "*Your mentoring with* `/mentor`\n"
    "• `/mentor`: your mentor or mentees\n"
    "• `/mentor profile`: your role, lab section, level, certifications, goals and shift, "
    "so the coordinator can find you a good match\n"
    "• `/mentor credentials`: your certifications and licences, the CE points you have "
    "and still owe, and the days left in each cycle"
)


@dataclass(frozen=True)
class PairLine:
    pair_id: int
    partner: str  # Slack user id
    my_role: str  # "mentor" or "mentee"
    since: date
    cadence_days: int
    next_meeting: date | None = None
    open_items: tuple[str, ...] = ()
    # What a mentee chose to share with their mentor (filled in for the mentor only):
    # (date, text) of the latest wins, and goal lines (`goals.goal_line`).
    shared_wins: tuple[tuple[date, str], ...] = ()
    shared_goals: tuple[str, ...] = ()
    # A mentor's view of the mentee's credentials (days left, on track): no win details.
    credentials: str = ""
    # The pair's program, when the workspace has several ("" when it has one).
    program: str = ""


MAX_SHARED_GOALS = 8  # with titles up to 300 characters, a section stays under 3,000


def pair_blocks(pair: PairLine) -> list[Block]:
    """One pair in `/mentor`: who, since when, the next meeting, the open action
    items, and a "Log a meeting" button; for a mentor, what the mentee shared."""
    who = "You mentor" if pair.my_role == "mentor" else "Your mentor is"
    where = f"*{escape(pair.program)}* · " if pair.program else ""
    text = (
        f"{where}{who} <@{pair.partner}>, since {pair.since:%b %d, %Y}. "
        f"You meet {cadence_words(pair.cadence_days)}."
    )
    if pair.next_meeting:
        text += f"\n*Next meeting:* {pair.next_meeting:%A, %b %d}"
    if pair.open_items:
        text += "\n*Open action items*\n" + "\n".join(f"• {escape(i)}" for i in pair.open_items)
    blocks = [section(text, button("Log a meeting", "meeting_log", str(pair.pair_id)))]
    if pair.shared_wins:
        lines = "\n".join(f"• *{day:%b %d}*  {escape(clip(t, 280))}" for day, t in pair.shared_wins)
        blocks.append(section(f"*Latest wins <@{pair.partner}> shared with you*\n{lines}"))
    if pair.shared_goals:
        goals = pair.shared_goals[:MAX_SHARED_GOALS]
        lines = "\n".join(f"• {line}" for line in goals)
        if len(pair.shared_goals) > len(goals):
            lines += f"\n…and {len(pair.shared_goals) - len(goals)} more"
        blocks.append(section(f"*Goals <@{pair.partner}> shared with you*\n{lines}"))
    if pair.credentials:
        blocks.append(context(pair.credentials))
    return blocks


def mentor_blocks(pairs: list[PairLine], *, on_roster: bool) -> list[Block]:
    if not pairs:
        text = "You're not in a mentoring pair right now."
        if not on_roster:
            text += " Fill in `/mentor profile` so the coordinator can match you."
        return [section(text)]
    blocks: list[Block] = []
    for pair in pairs[:10]:
        blocks.extend(pair_blocks(pair))
    blocks.append(context("Update what you're looking for with `/mentor profile`."))
    return blocks


def _choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, key) for key, label in vocabulary.items()]


def _multi(block_id: str, label: str, vocabulary: dict[str, str], chosen: list[str]) -> Block:
    options = [option(text, value) for text, value in _choices(vocabulary)]
    return multi_select_input(block_id, label, options, chosen)


@dataclass(frozen=True)
class ProfileValues:
    role: str | None = None
    career_level: str | None = None
    lab_section: str | None = None
    certifications: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    target_certification: str | None = None
    capacity: int = 1
    shift: str | None = None
    supervisor: str | None = None


def profile_modal(values: ProfileValues) -> Block:
    role = select_input("role", "I'd like to be a…", _choices(ROLES), values.role)
    level = select_input(
        "career_level", "Career level", _choices(CAREER_LEVELS), values.career_level
    )
    role["optional"] = level["optional"] = False
    capacity: Block = {
        "type": "input",
        "block_id": "capacity",
        "optional": True,
        "label": plain("As a mentor, how many mentees at most?"),
        "element": {
            "type": "number_input",
            "action_id": "value",
            "is_decimal_allowed": False,
            "min_value": "0",
            "max_value": str(MAX_CAPACITY),
            "initial_value": str(values.capacity),
        },
    }
    supervisor: Block = {
        "type": "input",
        "block_id": "supervisor",
        "optional": True,
        "label": plain("My supervisor (never matched as my mentor)"),
        "element": {"type": "users_select", "action_id": "value"},
    }
    if values.supervisor:
        supervisor["element"]["initial_user"] = values.supervisor
    blocks = [
        role,
        level,
        select_input("lab_section", "Lab section", _choices(LAB_SECTIONS), values.lab_section),
        _multi("interests", "Goals I care about", CATEGORIES, list(values.interests)),
        _multi(
            "certifications", "Certifications I hold", CERTIFICATIONS, list(values.certifications)
        ),
        select_input(
            "target_certification",
            "Certification I'm working toward",
            _choices(CERTIFICATIONS),
            values.target_certification,
        ),
        select_input("shift", "Shift", _choices(SHIFTS), values.shift),
        capacity,
        supervisor,
    ]
    return modal(PROFILE_MODAL, "My mentoring profile", blocks)
