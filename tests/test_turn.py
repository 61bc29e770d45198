"""The turn at SQLite's writer (bot/store/turn.py): first come, first served.

A thread that releases and asks again at once must not keep the turn from a thread
that was already waiting: that starved `/win` into "the database is busy" while the
scheduler recorded a long pass (seen under load in CI).
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from bot.store.db import Database
from bot.store.turn import FairTurn


def busy_loop(turn: FairTurn, stop: threading.Event, units: list[int]) -> threading.Thread:
    """A thread taking the turn again and again, as a long scheduler pass does."""

    def run() -> None:
        while not stop.is_set():
            assert turn.acquire(timeout=5)
            units[0] += 1
            turn.release()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_waiting_thread_gets_the_turn_before_a_thread_asking_again() -> None:
    turn, stop, units = FairTurn(), threading.Event(), [0]
    loop = busy_loop(turn, stop, units)
    try:
        while units[0] < 1000:  # the loop is running
            pass
        for _ in range(50):
            asked_at = units[0]
            assert turn.acquire(timeout=5)
            # Only the unit already holding the turn when we asked finished before us.
            assert units[0] - asked_at <= 1
            turn.release()
    finally:
        stop.set()
        loop.join(timeout=5)


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
    patient_got_it = threading.Event()

    def patient() -> None:
        assert turn.acquire(timeout=5)
        patient_got_it.set()
        turn.release()

    thread = threading.Thread(target=patient)
    thread.start()
    turn.release()  # handed to the patient one, not to the thread that left
    assert patient_got_it.wait(timeout=5)
    thread.join()
    assert results == [False]
    assert turn.acquire(timeout=1)  # free again afterwards


def test_a_request_is_not_starved_by_a_long_pass_of_units_of_work(tmp_path: Path) -> None:
    """Through the real `Database`: units of work one after another in a thread (reads:
    no fsync between them to give the turn away), and a unit of work from another
    thread gets its turn after the one in progress."""
    db = Database(f"sqlite:///{tmp_path / 'turn.db'}")
    with db.begin() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    stop, units = threading.Event(), [0]

    def long_pass() -> None:
        while not stop.is_set():
            with db.begin() as session:
                session.execute(text("SELECT count(*) FROM t")).scalar()
            units[0] += 1

    thread = threading.Thread(target=long_pass, daemon=True)
    thread.start()
    try:
        while units[0] < 20:
            pass
        for _ in range(20):
            asked_at = units[0]
            with db.begin() as session:
                granted_at = units[0]
                session.execute(text("INSERT INTO t VALUES (2)"))
            assert granted_at - asked_at <= 2  # the unit in progress, and its count
    finally:
        stop.set()
        thread.join(timeout=10)
        db.dispose()
