"""The configured patient-data guard for a workspace, gathered at the edge.

`bot/rules/phi.py` is pure: it needs the enabled rules and the names of the people
who are colleagues. This module supplies both: the rules from the settings
(BENCHMATE_PHI_RULES), the colleagues from the workspace's directory in the database
(the `members` table, refreshed from `users.info`, and everyone `users.list` returns,
swept a page per scheduler pass by bot/usecases/directory.py). Every caller that checks
text (wins, DM replies, goals, meeting notes, survey comments and results,
announcements, the digest's re-check, mentor views) gets its guard here, so they all
apply the same rules to the same directory.

The directory is read at most once per `TTL_SECONDS` per workspace and per process,
never from Slack: nothing on the `/win` answer path calls Slack for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.phi import RULES, Guard
from bot.store.db import Database
from bot.store.models import Member
from bot.usecases import directory

TTL_SECONDS = 300.0


def directory_names(session: Session, team_id: str) -> list[str]:
    """Everyone in the workspace, as colleagues: the members (names from `users.info`)
    and the `users.list` directory (bot/usecases/directory.py). People who left are
    included too: a former colleague named in an old win is still not a patient."""
    members = session.scalars(select(Member.name).where(Member.team_id == team_id))
    return [name for name in members if name] + directory.names(session, team_id)


@dataclass
class GuardSource:
    rules: frozenset[str] = frozenset(RULES)
    ttl: float = TTL_SECONDS
    _guards: dict[str, tuple[float, Guard]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_team(self, db: Database, team_id: str) -> Guard:
        """The guard for `team_id`, its directory at most `ttl` seconds old."""
        guard = self._cached(team_id)
        if guard is None:
            with db.begin() as session:
                guard = self.in_session(session, team_id)
        return guard

    def in_session(self, session: Session, team_id: str) -> Guard:
        """`for_team` inside a transaction the caller already holds."""
        guard = self._cached(team_id)
        if guard is None:
            guard = Guard(rules=self.rules).with_colleagues(directory_names(session, team_id))
            with self._lock:
                self._guards[team_id] = (time.monotonic(), guard)
        return guard

    def _cached(self, team_id: str) -> Guard | None:
        with self._lock:
            entry = self._guards.get(team_id)
        if entry is not None and time.monotonic() - entry[0] <= self.ttl:
            return entry[1]
        return None

    def forget(self, team_id: str) -> None:
        """Read the directory again on the next check (a member joined or was renamed)."""
        with self._lock:
            self._guards.pop(team_id, None)
