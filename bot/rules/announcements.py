"""Announcements: who is in an audience, when one is due, what the form may hold. Pure."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.rules.catalog import LAB_SECTIONS
from bot.rules.schedule import local_instant

AUDIENCES = {"everyone": "Everyone in the program", "mentors": "Mentors", "mentees": "Mentees"}
DELIVERIES = {"channel": "The program channel", "dm": "A DM to each person", "both": "Both"}
SECTION_PREFIX = "section:"
MAX_TEXT = 2900  # one section block


def audience_choices() -> dict[str, str]:
    """Every audience a coordinator can pick: the three groups, then each lab section."""
    sections = {f"{SECTION_PREFIX}{k}": f"Lab section: {v}" for k, v in LAB_SECTIONS.items()}
    return {**AUDIENCES, **sections}


def in_audience(audience: str, *, role: str, lab_section: str | None) -> bool:
    """Whether a roster member with this role ("mentor", "mentee", "both") and lab
    section is in the audience."""
    if audience == "everyone":
        return True
    if audience == "mentors":
        return role in ("mentor", "both")
    if audience == "mentees":
        return role in ("mentee", "both")
    if audience.startswith(SECTION_PREFIX):
        return lab_section == audience.removeprefix(SECTION_PREFIX)
    return False


def wants_dms(delivery: str) -> bool:
    return delivery in ("dm", "both")


def wants_channel(delivery: str) -> bool:
    return delivery in ("channel", "both")


def send_at(
    *, now: datetime, later: bool, day: date | None, at: time | None, tz: str
) -> datetime | str:
    """When to send: `now`, or the chosen local date and time in the coordinator's zone;
    a string says what is wrong with the choice."""
    if not later:
        return now
    if day is None or at is None:
        return "Pick both a date and a time, or choose “Now”."
    when = local_instant(day, at, tz)
    if when <= now:
        return "That time has passed: pick a later one, or choose “Now”."
    return when
