"""Pacing calls under a rate limit learned from HTTP 429 answers (pure: time passed in).

Slack counts the calls it accepted in a sliding window and answers 429 with
`Retry-After` beyond its limit. The pacer learns that limit and keeps to it exactly:

- Until the first 429 nothing is held back (the limit is unknown).
- On a 429 everyone waits `Retry-After`, and the limit becomes the number of calls
  accepted in the last window (lower again on a later 429).
- A call may start only when the calls in flight plus those accepted in the last window
  are fewer than the limit. A call's arrival at Slack lies between its start and its
  answer, so this holds in Slack's own window too, however late a sender thread runs:
  no 429 at the learned limit, with no safety margin to pay.
- Starts are also spread evenly (window / limit apart), rather than in bursts.
- The first estimate may be low (calls in flight at the 429 were not counted): after
  `probe_after` seconds without a 429 while calls queue at the limit, it goes up by one
  step. A probe answered by 429 marks a ceiling not tried again for `ceiling_for` seconds
  (each 429 costs everyone a `Retry-After` pause, so probing stays rare).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Pacer:
    window: float = 1.0  # seconds Slack counts calls over
    probe_after: float = 3.0  # quiet seconds at the limit before trying one step higher
    ceiling_for: float = 300.0  # seconds a limit that drew a 429 is not tried again
    limit: int | None = None  # calls allowed per window; None until the first 429
    blocked_until: float = 0.0
    in_flight: int = 0
    next_start: float = 0.0
    ceiling: int | None = None
    ceiling_at: float = 0.0
    quiet_since: float = 0.0  # last 429 or probe step
    learning_until: float = 0.0  # the pause after the first 429
    accepted: deque[float] = field(default_factory=deque)  # answer times, last window

    def start(self, now: float) -> float | None:
        """Reserve a call: the time it may start (>= now), or None when the calls in
        flight alone fill the limit (ask again a little later)."""
        start = max(now, self.blocked_until, self.next_start)
        if self.limit is not None:
            self._forget(start)
            if self.in_flight >= self.limit:
                return None
            over = self.in_flight + len(self.accepted) - self.limit
            if over >= 0:
                # Wait until enough accepted calls leave the window.
                start = max(start, self.accepted[over] + self.window)
                self._probe(now)
            self.next_start = start + self.window / self.limit
        self.in_flight += 1
        return start

    def answered(self, now: float) -> None:
        """A reserved call was accepted."""
        self.in_flight = max(0, self.in_flight - 1)
        self.accepted.append(now)
        self._forget(now)
        if now < self.learning_until and self.limit is not None:
            # In flight at the first 429 and accepted: it arrived in that same window.
            self.limit += 1

    def failed(self, now: float) -> None:
        """A reserved call ended otherwise (an error that is not a 429)."""
        self.in_flight = max(0, self.in_flight - 1)

    def limited(self, now: float, retry_after: float) -> None:
        """A reserved call was answered 429: everyone waits `retry_after`, and the limit
        is learned (the first time) or lowered."""
        self.in_flight = max(0, self.in_flight - 1)
        self.blocked_until = max(self.blocked_until, now + retry_after)
        self.next_start = self.blocked_until
        self._forget(now)
        seen = max(1, len(self.accepted))
        # Calls still in flight arrived before this one, most likely, and count in
        # Slack's window too (after the first 429 they are counted as they come back).
        in_window = seen + self.in_flight
        if self.limit is None:
            self.limit = seen
            self.learning_until = self.blocked_until
        elif now >= self.learning_until:
            # At or under Slack's limit the pacer cannot draw a 429, so this limit is
            # too high: a probe overshot by a step, or Slack's limit went down.
            failed = self.limit
            self.ceiling, self.ceiling_at = failed, now
            close = failed - 1 - in_window <= max(2, failed // 20)
            self.limit = max(1, failed - 1 if close else min(in_window, failed - 1))
        self.quiet_since = now

    def _probe(self, now: float) -> None:
        """Calls are queueing at the limit: after a quiet while, try one step higher
        (never up to a recent ceiling)."""
        assert self.limit is not None
        if now - self.quiet_since < self.probe_after:
            return
        step = max(1, self.limit // 100)
        if self.ceiling is not None and not self._ceiling_expired(now):
            step = min(step, self.ceiling - 1 - self.limit)
        if step > 0:
            self.limit += step
        self.quiet_since = now

    def _ceiling_expired(self, now: float) -> bool:
        return now - self.ceiling_at >= self.ceiling_for

    def _forget(self, now: float) -> None:
        while self.accepted and now - self.accepted[0] >= self.window:
            self.accepted.popleft()

    @property
    def per_second(self) -> float | None:
        return self.limit / self.window if self.limit is not None else None
