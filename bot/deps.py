"""What listeners and jobs need, built once per process and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.store.db import Database


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
