"""Wall-clock helpers: a person's day and month depend on their own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC when the name is missing or unknown to this host."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(now: datetime, tz: str | None) -> date:
    return now.astimezone(zone(tz)).date()
