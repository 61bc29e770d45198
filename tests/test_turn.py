"""The turn at SQLite's writer (bot/store/turn.py): first come, first served.

A thread that releases the turn and asks again at once must not get it before a thread
that was already waiting: with `threading.RLock` it did, so a scheduler pass recording
hundreds of units of work one after another could starve a `/win` into "the database is
busy". The tests order the threads by waiting until the waiter is queued (no timing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import text

from bot.store.db import Database
from bot.store.turn import FairTurn


def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def order_of_turns(
    unit: Callable[[], AbstractContextManager[object]], waiting: Callable[[], int]
) -> list[str]:
    """This thread holds a turn; another asks and waits; this thread then releases
    and asks again at once. Who got the next turn first?"""
    order: list[str] = []

    def other() -> None:
        with unit():
            order.append("waiting thread")

    thread = threading.Thread(target=other)
    with unit():
        thread.start()
        until(lambda: waiting() == 1)  # queued behind us
    with unit():  # released and asked again at once
        order.append("releasing thread")
    thread.join(timeout=10)
    return order


class Held:
    def __init__(self, turn: FairTurn) -> None:
        self.turn = turn

    def __enter__(self) -> None:
        assert self.turn.acquire(timeout=10)

    def __exit__(self, *_exc: object) -> None:
        self.turn.release()


def test_a_waiting_thread_gets_the_turn_before_a_thread_asking_again() -> None:
    turn = FairTurn()
    for _ in range(20):
        assert order_of_turns(lambda: Held(turn), lambda: turn.waiting) == [
            "waiting thread",
            "releasing thread",
        ]


def test_through_the_database_a_waiting_unit_of_work_goes_first(tmp_path: Path) -> None:
    """The same through the real `Database` (units of work that only read: no fsync
    after them that would give the turn away by chance)."""
    db = Database(f"sqlite:///{tmp_path / 'turn.db'}")
    try:
        assert isinstance(db._turn, FairTurn)
        turn = db._turn

        for _ in range(5):
            assert order_of_turns(lambda: reading(db), lambda: turn.waiting) == [
                "waiting thread",
                "releasing thread",
            ]
    finally:
        db.dispose()


@contextmanager
def reading(db: Database) -> Iterator[None]:
    with db.begin() as session:
        session.execute(text("SELECT 1"))
        yield


def test_the_turn_is_reentrant_and_only_its_holder_releases_it() -> None:
    turn = FairTurn()
    assert turn.acquire(timeout=1) and turn.acquire(timeout=1)
    turn.release()
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(turn.acquire(timeout=0.05)))
    thread.start()
    thread.join()
    assert other == [False]  # still held once
    errors: list[Exception] = []

    def release_elsewhere() -> None:
        try:
            turn.release()
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=release_elsewhere)
    thread.start()
    thread.join()
    assert len(errors) == 1  # another thread cannot release it
    turn.release()
    thread = threading.Thread(target=lambda: other.append(turn.acquire(timeout=0.05)))
    thread.start()
    thread.join()
    assert other == [False, True]


def test_a_waiter_that_gave_up_is_skipped() -> None:
    turn = FairTurn()
    assert turn.acquire(timeout=1)
    results: list[bool] = []
    impatient = threading.Thread(target=lambda: results.append(turn.acquire(timeout=0.05)))
    impatient.start()
    impatient.join()
    assert turn.waiting == 0  # it left the queue
    got_it = threading.Event()

    def patient() -> None:
        assert turn.acquire(timeout=10)
        got_it.set()
        turn.release()

    thread = threading.Thread(target=patient)
    thread.start()
    until(lambda: turn.waiting == 1)
    turn.release()  # handed to the patient one, not to the thread that left
    assert got_it.wait(timeout=10)
    thread.join()
    assert results == [False]
    assert turn.acquire(timeout=1)  # free again afterwards
