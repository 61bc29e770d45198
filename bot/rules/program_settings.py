"""Program settings a coordinator sets in Slack: their defaults and how form input is
read. Pure.

Every setting may be unset (NULL in `program_settings`); then the default applies:
review dates from BENCHMATE_REVIEW_DATES (or six months after each goal), the digest
on Monday at 14:00 UTC, meetings every 2 weeks. The program's time zone is the one the
digest hour and survey date ranges are read in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DIGEST_WEEKDAY = 0  # Monday
DEFAULT_DIGEST_HOUR = 14
DEFAULT_TZ = "UTC"
DEFAULT_CADENCE_DAYS = 14
MAX_CADENCE_DAYS = 92
MAX_REVIEW_DATES = 6
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_CADENCE = re.compile(r"every\s+(\d{1,2})\s*(week|day)s?", re.I)
_CADENCE_ALONE = re.compile(r"\s*(?:every\s+)?(\d{1,2})\s*(week|day)s?\s*", re.I)
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")

ReviewDates = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ProgramConfig:
    """The settings in force: what is stored, or the default where nothing is."""

    review_dates: ReviewDates
    digest_weekday: int
    digest_hour: int
    tz: str
    cadence_days: int


def effective(
    *,
    review_dates: str | None,
    digest_weekday: int | None,
    digest_hour: int | None,
    tz: str | None,
    cadence_days: int | None,
    env_review_dates: ReviewDates,
) -> ProgramConfig:
    parsed = parse_review_dates(review_dates) if review_dates else None
    return ProgramConfig(
        review_dates=parsed if isinstance(parsed, tuple) else env_review_dates,
        digest_weekday=DEFAULT_DIGEST_WEEKDAY if digest_weekday is None else digest_weekday,
        digest_hour=DEFAULT_DIGEST_HOUR if digest_hour is None else digest_hour,
        tz=tz or DEFAULT_TZ,
        cadence_days=cadence_days or DEFAULT_CADENCE_DAYS,
    )


def parse_review_dates(text: str) -> ReviewDates | str:
    """'06-01, 12-01' -> ((6, 1), (12, 1)); a sentence for a person when it is wrong."""
    dates: set[tuple[int, int]] = set()
    for part in (p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()):
        found = _MONTH_DAY.fullmatch(part)
        if not found:
            return f"“{part[:20]}” is not a month-day date: write them like 06-01, 12-01."
        month, day = int(found[1]), int(found[2])
        if not (1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 31)):
            return f"{part} is not a date: months go 01–12, days 01–31."
        try:
            date(2024, month, day)  # a leap year: Feb 29 is allowed (reviewed on the 28th)
        except ValueError:
            return f"{part} is not a date in any year."
        dates.add((month, day))
    if len(dates) > MAX_REVIEW_DATES:
        return f"At most {MAX_REVIEW_DATES} review dates a year."
    return tuple(sorted(dates))


def review_dates_text(dates: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{m:02d}-{d:02d}" for m, d in dates)


def cadence_in(text: str) -> int | None:
    """`every 3 weeks` / `every 10 days` somewhere in a command; the default if absent,
    None if out of range."""
    found = _CADENCE.search(text)
    if not found:
        return DEFAULT_CADENCE_DAYS
    return _days(int(found.group(1)), found.group(2))


def parse_cadence(text: str) -> int | str:
    """A form's cadence ('every 2 weeks', '10 days', '3 weeks'); a sentence if wrong."""
    found = _CADENCE_ALONE.fullmatch(text)
    days = _days(int(found.group(1)), found.group(2)) if found else None
    if days is None:
        return "Write a cadence between every day and every 13 weeks, e.g. “every 2 weeks”."
    return days


def _days(count: int, unit: str) -> int | None:
    days = count * (7 if unit.lower() == "week" else 1)
    return days if 1 <= days <= MAX_CADENCE_DAYS else None


def parse_tz(text: str) -> str | None:
    """The IANA zone name as the host knows it, or None."""
    name = text.strip()
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def parse_hour(text: str | None) -> int | None:
    try:
        hour = int(text or "")
    except ValueError:
        return None
    return hour if 0 <= hour <= 23 else None


def parse_weekday(text: str | None) -> int | None:
    try:
        day = int(text or "")
    except ValueError:
        return None
    return day if 0 <= day <= 6 else None


@dataclass(frozen=True)
class DateRange:
    """Survey answers from `start` to `end`, both included, in the program's zone."""

    start: date | None
    end: date | None

    def describe(self) -> str:
        if self.start and self.end:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"since {self.start.isoformat()}"
        if self.end:
            return f"up to {self.end.isoformat()}"
        return "all time"


_RANGE_WORD = re.compile(r"(from|since|to|until)\s+(\S+)", re.I)


def parse_range(text: str) -> DateRange | str:
    """`from 2026-01-01 to 2026-06-30` (either end may be left out); a sentence when
    it cannot be read."""
    rest = _RANGE_WORD.sub("", text).strip()
    if rest:
        return f"I couldn't read “{rest[:40]}”."
    start = end = None
    for word, value in _RANGE_WORD.findall(text):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return f"“{value[:20]}” is not a date: write it as YYYY-MM-DD."
        if word.lower() in ("from", "since"):
            start = day
        else:
            end = day
    if start and end and start > end:
        return f"{start.isoformat()} is after {end.isoformat()}."
    return DateRange(start, end)
