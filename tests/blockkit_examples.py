"""Real Block Kit that Benchmate sends, built by its own builders (bot/blocks/), for the
page's renderer tests (tests/test_sandbox_browser.py). `python -m tests.blockkit_examples`
prints them as JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from bot.blocks.announcements import announce_modal
from bot.blocks.goals import goal_modal
from bot.blocks.home import HomeData, home_view
from bot.blocks.meetings import log_modal, mentor_reminder
from bot.blocks.mentor import ProfileValues, profile_modal
from bot.blocks.program import ProposalLine, import_modal, match_modal, report_blocks
from bot.blocks.prompts import prefs_modal, weekly_prompt
from bot.blocks.surveys import survey_dm, survey_modal
from bot.blocks.wins import logged_blocks, win_modal
from bot.rules.phi import Finding
from bot.store.models import Goal, Win

TODAY = date(2026, 12, 4)
# Text from a person, shaped like an attack: it must come out as text, never as markup.
HOSTILE = '<img src=x onerror="window.__pwned=1"> *bold* & <script>window.__pwned=2</script>'


def _goal(goal_id: int, title: str) -> Goal:
    return Goal(
        id=goal_id,
        title=title,
        category="professional_development",
        status="active",
        target_date=date(2027, 6, 1),
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
    )


def _win(win_id: int, text: str) -> Win:
    return Win(
        id=win_id,
        text=text,
        source="command",
        occurred_on=TODAY,
        logged_at=datetime(2026, 12, 4, 14, tzinfo=UTC),
        is_private=False,
        key=f"w{win_id}",
    )


def examples() -> dict[str, Any]:
    goals = [_goal(1, "Earn the SBB specialist certification"), _goal(2, "Cut troponin TAT")]
    wins = [_win(1, "Cut TAT for troponin by 12 minutes"), _win(2, HOSTILE)]
    _, prompt = weekly_prompt(name="Ana Ruiz", period="week", wins_last_week=2, goal=None)
    _, reminder = mentor_reminder(
        pair_id=7, mentee="U0MENTEE", due_on=TODAY, items=["Read the CAP checklist"]
    )
    _, survey = survey_dm(pair_id=7, label="first", partner="U0MENTOR")
    return {
        "win_modal": win_modal(today=TODAY, goals=goals, text=""),
        "win_modal_phi": win_modal(
            today=TODAY,
            goals=goals,
            text="caught a mislabeled specimen, MRN 00123456",
            findings=[Finding("medical record number", "MRN 00123456")],
        ),
        "goal_modal": goal_modal(level="mid", today=TODAY),
        "prefs_modal": prefs_modal(
            weekday=4,
            at=time(14, 0),
            tz="America/Chicago",
            quiet_start=None,
            quiet_end=None,
            paused_until=None,
            stopped=False,
        ),
        "profile_modal": profile_modal(ProfileValues(role="mentee", interests=("technical",))),
        "announce_modal": announce_modal(),
        "import_modal": import_modal(),
        "log_modal": log_modal(
            pair_id=7, partner="U0MENTEE", today=TODAY, open_items=[(1, "Read the CAP list")]
        ),
        "survey_modal": survey_modal(pair_id=7, label="first", partner="U0MENTOR"),
        "match_modal": match_modal(
            "batch-1",
            [
                ProposalLine(1, "U1", "U2", "Dana Lee", "Sam Ortiz", 82, ("same section",)),
                ProposalLine(2, "U3", "U4", "Kim Ng", "Jo Park", 75, ("shared goal",)),
            ],
            0,
        ),
        "home": home_view(
            HomeData(
                name="Ana Ruiz",
                wins_this_month=2,
                wins_this_year=9,
                latest_wins=wins,
                goals=goals,
                total_wins=9,
            )
        ),
        "messages": {
            "logged": logged_blocks([_win(3, HOSTILE)]),
            "prompt": prompt,
            "reminder": reminder,
            "survey": survey,
            "report": report_blocks([("Pairs", ["• 3 active", "• 1 ended"])]),
        },
    }


if __name__ == "__main__":
    print(json.dumps(examples(), indent=2, default=str))
