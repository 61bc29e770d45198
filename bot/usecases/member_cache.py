"""A short-lived, per-process memory of who is who, for the `/win <text>` hot path.

Looking a member up costs a database round trip on every `/win`. Their id never changes
and their time zone rarely does, so the hot path remembers the member for a few
minutes. Only use it where a profile up to `TTL` old is fine (the win's date); anything
showing or changing a member's settings reads the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.store.models import Member

TTL_SECONDS = 300.0


@dataclass
class MemberCache:
    ttl: float = TTL_SECONDS
    _entries: dict[tuple[str, str], tuple[float, Member]] = field(default_factory=dict)

    def get(self, team_id: str, user_id: str) -> Member | None:
        entry = self._entries.get((team_id, user_id))
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put(self, member: Member) -> None:
        self._entries[(member.team_id, member.slack_user_id)] = (time.monotonic(), member)

    def forget(self, team_id: str, user_id: str) -> None:
        self._entries.pop((team_id, user_id), None)
