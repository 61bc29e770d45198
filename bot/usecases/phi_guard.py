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
in the background once a guard exists, and never from Slack: nothing on the `/win`
answer path calls Slack for it or waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.phi import RULES, Guard
from bot.store.db import Database
from bot.store.models import Member
from bot.usecases import directory

log = logging.getLogger(__name__)

TTL_SECONDS = 300.0


def directory_names(session: Session, team_id: str) -> list[str]:
    """Everyone in the workspace, as colleagues: the members (names from `users.info`)
    and the `users.list` directory (bot/usecases/directory.py). People who left are
    included too: a former colleague named in an old win is still not a patient."""
    members = session.scalars(select(Member.name).where(Member.team_id == team_id))
    return [name for name in members if name] + directory.names(session, team_id)


@dataclass
class GuardSource:
    """The guard per workspace, cached. Past `ttl` the cached guard is still used while
    a background thread reads the directory again (reading and indexing a 5,000-person
    directory takes tens of milliseconds, which the `/win` answer must not wait for);
    only the first check in a process, or one after `forget`, reads it in line."""

    rules: frozenset[str] = frozenset(RULES)
    ttl: float = TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _guards: dict[str, tuple[float, Guard]] = field(default_factory=dict)
    _refreshing: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_team(self, db: Database, team_id: str) -> Guard:
        """The guard for `team_id`; a stale one starts a refresh in the background."""
        with self._lock:
            entry = self._guards.get(team_id)
        if entry is None:
            with db.begin() as session:
                return self._build(session, team_id)
        if self.clock() - entry[0] > self.ttl:
            self._refresh_later(db, team_id)
        return entry[1]

    def in_session(self, session: Session, team_id: str) -> Guard:
        """The guard inside a transaction the caller holds (off the answer path: a
        stale directory is read again in line)."""
        with self._lock:
            entry = self._guards.get(team_id)
        if entry is None or self.clock() - entry[0] > self.ttl:
            return self._build(session, team_id)
        return entry[1]

    def rebuild(self, db: Database, team_id: str) -> None:
        """Read the directory again now (off the answer path: a member's name came in)."""
        with db.begin() as session:
            self._build(session, team_id)

    def forget(self, team_id: str) -> None:
        """Read the directory again on the next check (a sweep of it just ended)."""
        with self._lock:
            self._guards.pop(team_id, None)

    def _build(self, session: Session, team_id: str) -> Guard:
        guard = Guard(rules=self.rules).with_colleagues(directory_names(session, team_id))
        with self._lock:
            self._guards[team_id] = (self.clock(), guard)
        return guard

    def _refresh_later(self, db: Database, team_id: str) -> None:
        with self._lock:
            if team_id in self._refreshing:
                return
            self._refreshing.add(team_id)

        def refresh() -> None:
            try:
                with db.begin() as session:
                    self._build(session, team_id)
            except Exception as exc:  # the stale guard stays; the next check tries again
                log.warning("reading the directory of %s failed: %s", team_id, type(exc).__name__)
            finally:
                with self._lock:
                    self._refreshing.discard(team_id)

        threading.Thread(target=refresh, name="phi-directory", daemon=True).start()
