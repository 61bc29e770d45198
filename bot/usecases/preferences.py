"""A member's weekly prompt preferences: the settings form, saving it, the Home line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.blocks import prompts as blocks
from bot.blocks import state
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.store.db import Database
from bot.store.models import Member
from bot.usecases.prompts import reschedule


@dataclass(frozen=True)
class PrefsSaved:
    line: str


@dataclass(frozen=True)
class PrefsErrors:
    errors: dict[str, str]


def prefs_form(member: Member) -> dict[str, Any]:
    return blocks.prefs_modal(
        weekday=member.prompt_weekday,
        at=member.prompt_time,
        tz=member.tz,
        quiet_start=member.quiet_start,
        quiet_end=member.quiet_end,
        paused_until=member.paused_until,
        stopped=member.prompts_stopped,
    )


def schedule_line(member: Member) -> str:
    quiet = (member.quiet_start, member.quiet_end)
    return blocks.schedule_line(
        weekday=member.prompt_weekday,
        at=member.prompt_time,
        tz=member.tz,
        stopped=member.prompts_stopped,
        paused_until=member.paused_until,
        quiet=quiet if quiet[0] and quiet[1] else None,  # type: ignore[arg-type]
        next_at=member.next_prompt_at,
    )


def submit_prefs(
    db: Database, member_id: int, view: dict[str, Any], now: datetime
) -> PrefsSaved | PrefsErrors:
    weekday = state.selected(view, "weekday")
    at = state.picked_time(view, "at")
    quiet_start = state.picked_time(view, "quiet_start")
    quiet_end = state.picked_time(view, "quiet_end")
    paused = state.picked_date(view, "paused_until")
    stopped = state.checked(view, "stopped")

    errors: dict[str, str] = {}
    if whole_number(weekday, most=6) is None:
        errors["weekday"] = "Pick a day of the week."
    if not isinstance(at, time):
        errors["at"] = "Pick the time the prompt should come."
    for block_id, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if isinstance(value, str):
            errors[block_id] = "That isn't a time I can read."
    if (quiet_start is None) != (quiet_end is None):
        missing = "quiet_end" if quiet_end is None else "quiet_start"
        errors[missing] = "Quiet hours need a start and an end (or leave both empty)."
    elif isinstance(quiet_start, time) and quiet_start == quiet_end:
        errors["quiet_end"] = "Quiet hours can't start and end at the same time."
    if isinstance(paused, str):
        errors["paused_until"] = "That isn't a date I can read."
    with db.begin() as session:
        member = session.get(Member, member_id)
        assert member is not None
        if isinstance(paused, date) and paused <= local_date(now, member.tz):
            errors["paused_until"] = "Pick a date after today, or leave it empty."
        if errors:
            return PrefsErrors(errors)
        assert weekday is not None and isinstance(at, time)
        member.prompt_weekday = int(weekday)
        member.prompt_time = at
        member.quiet_start = quiet_start if isinstance(quiet_start, time) else None
        member.quiet_end = quiet_end if isinstance(quiet_end, time) else None
        member.paused_until = paused if isinstance(paused, date) else None
        member.prompts_stopped = stopped
        reschedule(session, member, now)
        return PrefsSaved(schedule_line(member))
