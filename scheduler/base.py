"""What a job is, and the line it reports for each nudge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.deps import Deps
from bot.slack.gateway import SlackGateway


@dataclass(frozen=True)
class Sent:
    """One line of a pass's report: a nudge sent, or would be (dry run), or not."""

    kind: str
    user: str
    period: str
    status: str  # sent, would send, missed, failed, deactivated, skipped, busy
    detail: str = ""

    def __str__(self) -> str:
        line = f"{self.status:<11} {self.kind:<14} {self.user:<12} {self.period}"
        return f"{line}  {self.detail}" if self.detail else line


class Job(Protocol):
    """A timed job: does what is due at `now` (or, with `dry_run`, only says so)."""

    __name__: str

    def __call__(
        self, deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
    ) -> list[Sent]: ...
