"""A first-come, first-served turn at SQLite's one writer, for the threads of a process.

`threading.RLock` is not fair: a thread that releases it and asks again at once (the
scheduler recording 300 prompts one unit of work at a time, an announcement's fan-out)
usually gets it back before a waiting thread wakes, so a `/win` could wait past its
`WAIT_SECONDS` and be told "the database is busy" while nothing was wrong. Here the
turn is handed to the longest waiter on release, so a waiting request is served after
at most the units of work already queued before it.
"""

from __future__ import annotations

import threading
from collections import deque


class FairTurn:
    """A re-entrant lock whose waiters get it in the order they asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._waiters: deque[tuple[int, threading.Lock]] = deque()

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._lock:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None:
                self._owner, self._depth = me, 1
                return True
            place = (me, threading.Lock())
            place[1].acquire()
            self._waiters.append(place)
        if place[1].acquire(timeout=timeout):  # released by the owner handing over
            return True
        with self._lock:
            if place in self._waiters:  # nobody handed it over: give up our place
                self._waiters.remove(place)
                return False
        return True  # handed over just as the wait ran out: the turn is ours

    @property
    def waiting(self) -> int:
        """Threads waiting for the turn now."""
        with self._lock:
            return len(self._waiters)

    def release(self) -> None:
        with self._lock:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a turn this thread does not hold")
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:  # hand it over: the releasing thread cannot take it back
                self._owner, wake = self._waiters.popleft()
                self._depth = 1
                wake.release()
            else:
                self._owner = None
