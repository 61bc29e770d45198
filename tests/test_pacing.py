"""The pacer behind the senders' RateGate (pure, time passed in): learns Slack's limit
from 429s, never lets more than the limit into any window, probes back up carefully."""

from __future__ import annotations

import pytest

from bot.rules.pacing import Pacer


def run(pacer: Pacer, *, limit: int, calls: int, latency: float = 0.004, start: float = 0.0):
    """Simulate one sender at a time against a sliding-window server allowing `limit`
    calls a second: returns (accepted arrival times, 429 count, end time)."""
    now, arrivals, rejected = start, [], 0
    done = 0
    while done < calls:
        go = pacer.start(now)
        assert go is not None
        now = max(now, go)
        window = [t for t in arrivals if now - t < 1.0]
        now += latency
        if len(window) >= limit:
            rejected += 1
            pacer.limited(now, 1.0)
        else:
            arrivals.append(now - latency)
            pacer.answered(now)
            done += 1
    return arrivals, rejected, now


def most_in_any_second(arrivals: list[float]) -> int:
    return max(sum(1 for u in arrivals if t <= u < t + 1.0) for t in arrivals)


def test_nothing_is_held_back_before_the_first_429() -> None:
    pacer = Pacer()
    assert [pacer.start(0.0) for _ in range(50)] == [0.0] * 50
    assert pacer.limit is None


def test_the_first_429_sets_a_pause_and_the_limit_seen() -> None:
    pacer = Pacer()
    for n in range(10):
        assert pacer.start(n * 0.01) is not None
        pacer.answered(n * 0.01 + 0.001)
    pacer.start(0.1)
    pacer.limited(0.101, retry_after=2.0)
    assert pacer.limit == 10
    assert pacer.start(0.2) == 0.101 + 2.0  # everyone waits Retry-After


def test_calls_in_flight_at_the_first_429_and_accepted_count_toward_the_limit() -> None:
    pacer = Pacer()
    for _ in range(12):
        pacer.start(0.0)
    for n in range(9):
        pacer.answered(0.01 + n * 0.001)
    pacer.limited(0.02, retry_after=1.0)  # the 10th
    pacer.answered(0.021)  # in flight, got in before the window filled
    pacer.limited(0.022, retry_after=1.0)
    assert pacer.limit == 10


def test_at_the_learned_limit_no_window_ever_holds_more() -> None:
    pacer = Pacer(limit=20, probe_after=1e9)  # no probing here
    arrivals, rejected, end = run(pacer, limit=20, calls=200)
    assert rejected == 0
    assert most_in_any_second(arrivals) <= 20
    assert 9.0 < end < 10.5  # 200 calls at 20 a second, not much slower


def test_late_senders_cannot_overfill_the_window() -> None:
    # Calls in flight hold their place until answered, however long they take.
    pacer = Pacer(limit=3)
    assert pacer.start(0.0) == 0.0
    assert pacer.start(0.0) is not None
    assert pacer.start(0.0) is not None
    assert pacer.start(0.0) is None  # three in flight: no fourth
    pacer.answered(0.5)
    later = pacer.start(0.5)
    assert later is not None and later >= 1.5  # after the first answer leaves the window


def test_from_nothing_it_converges_to_the_limit_without_repeated_429s() -> None:
    pacer = Pacer()
    _, rejected, end = run(pacer, limit=50, calls=2000)
    assert pacer.limit in (49, 50)
    assert rejected <= 3  # the first burst's, and at most one probe that overshot
    assert end < 2000 / 50 * 1.05


def test_a_low_estimate_is_probed_back_up_but_not_past_a_ceiling() -> None:
    pacer = Pacer(limit=40)
    _, rejected, _ = run(pacer, limit=50, calls=3000)
    assert pacer.limit in (49, 50)
    assert rejected <= 1
    assert pacer.ceiling is None or pacer.ceiling == pacer.limit + 1


def test_a_lower_limit_from_slack_is_followed() -> None:
    pacer = Pacer(limit=100)
    _, rejected, _ = run(pacer, limit=30, calls=300)
    assert pacer.limit is not None and pacer.limit <= 30
    assert rejected <= 3


def test_a_probe_that_overshoots_goes_back_one_step_counting_calls_in_flight() -> None:
    pacer = Pacer(limit=10)
    for n in range(7):
        assert pacer.start(0.5) is not None
        pacer.answered(0.5 + n * 0.01)
    for _ in range(3):
        assert pacer.start(0.6) is not None  # three in flight
    pacer.limited(0.61, retry_after=1.0)  # one of them: 7 answered + 2 in flight seen
    assert pacer.limit == 9
    assert pacer.ceiling == 10
    assert pacer.start(0.7) == pytest.approx(1.61)  # everyone waits Retry-After
