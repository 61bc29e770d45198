"""What listeners and jobs need, built once per process and passed in."""

from __future__ import annotations

import functools
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.store.db import Database
from bot.usecases.member_cache import MemberCache
from bot.usecases.phi_guard import GuardSource


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    members: MemberCache = field(default_factory=MemberCache)
    # Work that runs after a listener has answered (see handlers/context.py after_ack).
    background: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack")
    )

    @functools.cached_property
    def phi(self) -> GuardSource:
        """The patient-data guard every caller uses: the configured rules and the
        workspace's colleagues (bot/usecases/phi_guard.py)."""
        return GuardSource(rules=self.settings.phi_rules)
