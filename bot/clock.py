"""The clock is a parameter: code asks it for `now` instead of reading a global."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Always the same instant (`benchmate tick --now ...`)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at


class FileClock:
    """The instant written in a file, read on every call (`BENCHMATE_CLOCK_FILE`).

    For the sandbox and tests only: another process (the sandbox's clock) moves time by
    rewriting the file, and every part of Benchmate, request handling included, sees
    the same simulated instant. Never set it in production.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def now(self) -> datetime:
        text = self.path.read_text(encoding="utf-8").strip()
        return FixedClock(datetime.fromisoformat(text)).now()
