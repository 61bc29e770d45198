"""The nudge ledger on SQLite and PostgreSQL: a key is claimed once, stale claims and
retryable failures are claimed again (bounded), settled keys never."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.rules import once
from bot.store import ledger
from bot.store.db import Database
from bot.store.models import Member, Nudge

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


@pytest.fixture
def db(any_db_url: str) -> Iterator[Database]:
    database = Database(any_db_url)
    yield database
    database.dispose()


@pytest.fixture
def member_id(db: Database) -> int:
    with db.begin() as session:
        member = Member(team_id="T1", slack_user_id="U1", created_at=NOW)
        session.add(member)
        session.flush()
        return member.id


def key(member_id: int, period: str = "2026-W47") -> dict[str, Any]:
    return {
        "team_id": "T1",
        "member_id": member_id,
        "kind": "weekly_prompt",
        "period": period,
        "due_at": NOW,
    }


def take(
    db: Database, member_id: int, now: datetime = NOW, worker: str = "w1", **kw: Any
) -> ledger.Claim | None:
    with db.begin() as session:
        return ledger.claim(session, **key(member_id), now=now, worker=worker, **kw)


def claim(db: Database, member_id: int, now: datetime = NOW, worker: str = "w1", **kw: Any) -> Any:
    """The claimed nudge's id, or None."""
    taken = take(db, member_id, now, worker, **kw)
    return None if taken is None else taken.id


def row(db: Database, nudge_id: int) -> Nudge:
    with db.begin() as session:
        nudge = session.get(Nudge, nudge_id)
        assert nudge is not None
        return nudge


def test_a_key_is_claimed_once(db: Database, member_id: int) -> None:
    first = claim(db, member_id)
    assert first is not None
    assert claim(db, member_id, worker="w2") is None
    nudge = row(db, first)
    assert (nudge.status, nudge.attempts, nudge.claimed_by) == ("claimed", 1, "w1")


def test_sent_is_never_claimed_again(db: Database, member_id: int) -> None:
    nudge_id = claim(db, member_id)
    with db.begin() as session:
        ledger.mark_sent(session, nudge_id, NOW, ref="D1/1.2")
    assert claim(db, member_id, now=NOW + timedelta(days=30)) is None
    nudge = row(db, nudge_id)
    assert (nudge.status, nudge.ref, nudge.sent_at) == ("sent", "D1/1.2", NOW)


def test_a_stale_claim_is_recovered_after_the_lease(db: Database, member_id: int) -> None:
    """A process died between claiming and sending: a later pass takes it over."""
    nudge_id = claim(db, member_id, worker="crashed")
    assert claim(db, member_id, now=NOW + timedelta(minutes=5), worker="w2") is None
    again = claim(db, member_id, now=NOW + timedelta(minutes=11), worker="w2")
    assert again == nudge_id
    nudge = row(db, nudge_id)
    assert (nudge.attempts, nudge.claimed_by) == (2, "w2")


def test_retryable_failure_is_claimed_again_after_retry_at(db: Database, member_id: int) -> None:
    nudge_id = claim(db, member_id)
    with db.begin() as session:
        ledger.mark_failed(session, nudge_id, NOW, "http_500", final=False)
    assert claim(db, member_id, now=NOW + timedelta(seconds=30)) is None
    assert claim(db, member_id, now=NOW + timedelta(minutes=1)) == nudge_id


def test_final_failure_is_never_claimed_again(db: Database, member_id: int) -> None:
    nudge_id = claim(db, member_id)
    with db.begin() as session:
        ledger.mark_failed(session, nudge_id, NOW, "user_disabled", final=True)
        assert ledger.is_settled(session.get(Nudge, nudge_id))
    assert claim(db, member_id, now=NOW + timedelta(days=1)) is None


def test_attempts_are_bounded(db: Database, member_id: int) -> None:
    now = NOW
    for attempt in range(3):
        nudge_id = claim(db, member_id, now=now, max_attempts=3)
        assert nudge_id is not None, attempt
        with db.begin() as session:
            ledger.mark_failed(session, nudge_id, now, "timeout", final=False)
        now += timedelta(minutes=2)
    assert claim(db, member_id, now=now, max_attempts=3) is None
    with db.begin() as session:
        found = ledger.find(
            session, team_id="T1", member_id=member_id, kind="weekly_prompt", period="2026-W47"
        )
        assert ledger.is_settled(found, max_attempts=3)


def test_missed_and_cancelled_settle_the_key(db: Database, member_id: int) -> None:
    with db.begin() as session:
        assert ledger.mark_missed(session, **key(member_id), now=NOW)
        assert not ledger.mark_missed(session, **key(member_id), now=NOW)
        assert ledger.cancel(session, **key(member_id, "2026-W48"), now=NOW)
    assert claim(db, member_id) is None
    with db.begin() as session:
        settled = ledger.settled_periods(
            session, member_id=member_id, kind="weekly_prompt", since="2026-W40"
        )
    assert settled == {"2026-W47", "2026-W48"}


def test_missed_does_not_overwrite_a_sent_nudge(db: Database, member_id: int) -> None:
    nudge_id = claim(db, member_id)
    with db.begin() as session:
        ledger.mark_sent(session, nudge_id, NOW)
        assert not ledger.mark_missed(session, **key(member_id), now=NOW)
    assert row(db, nudge_id).status == "sent"


def test_claim_many_takes_new_keys_at_once_and_settled_ones_never(db: Database) -> None:
    with db.begin() as session:
        members = [Member(team_id="T1", slack_user_id=f"U{n}", created_at=NOW) for n in range(4)]
        session.add_all(members)
        session.flush()
        ids = [m.id for m in members]
    sent = claim(db, ids[0])
    with db.begin() as session:
        ledger.mark_sent(session, sent, NOW, ref="D1/1.0")
    stale = claim(db, ids[1], now=NOW - ledger.LEASE - timedelta(minutes=1), worker="dead")
    held = claim(db, ids[2], worker="other")
    dues = [ledger.Due("T1", member_id, "2026-W47", NOW) for member_id in ids]

    with db.begin() as session:
        got = ledger.claim_many(session, dues, kind="weekly_prompt", now=NOW, worker="w1")
    # Sent: never. A stale claim: taken over (same row). Held by a live worker: not ours.
    assert set(got) == {ids[1], ids[3]}
    assert got[ids[1]].id == stale
    # The stale one may be out already: look back to its claim first. The new one: no.
    assert got[ids[1]].look_since == NOW - ledger.LEASE - timedelta(minutes=1) - once.MARGIN
    assert got[ids[3]].look_since is None
    assert row(db, stale).claimed_by == "w1" and row(db, stale).attempts == 2
    assert row(db, got[ids[3]].id).status == "claimed"
    assert row(db, held).claimed_by == "other"

    with db.begin() as session:
        again = ledger.claim_many(session, dues, kind="weekly_prompt", now=NOW, worker="w2")
        ledger.mark_sent_many(session, [(got[ids[3]].id, "D4/4.0")], NOW)
    assert again == {}
    new = row(db, got[ids[3]].id)
    assert new.status == "sent" and new.ref == "D4/4.0"


def test_a_taken_over_claim_says_where_to_look_first(db: Database, member_id: int) -> None:
    """The crashed holder may have posted before dying: look back to its claim."""
    first = take(db, member_id, worker="crashed")
    assert first is not None and first.look_since is None
    taken = take(db, member_id, now=NOW + timedelta(minutes=11), worker="w2")
    assert taken == ledger.Claim(first.id, look_since=NOW - once.MARGIN)


def test_a_retry_looks_first_only_after_an_unsure_failure(db: Database, member_id: int) -> None:
    first = take(db, member_id)
    assert first is not None and first.look_since is None
    with db.begin() as session:  # Slack said no: nothing to look for
        ledger.mark_failed(session, first.id, NOW, "ratelimited", final=False)
    second = take(db, member_id, now=NOW + timedelta(minutes=1))
    assert second is not None and second.look_since is None
    later = NOW + timedelta(minutes=1)
    with db.begin() as session:  # timed out: it may be out
        ledger.mark_failed(session, second.id, later, once.unsure("TimeoutError"), final=False)
    third = take(db, member_id, now=NOW + timedelta(minutes=2))
    assert third is not None and third.look_since == later - once.MARGIN
    with db.begin() as session:  # the look could not finish: the next starts there again
        ledger.mark_failed(
            session,
            third.id,
            NOW + timedelta(minutes=2),
            once.unsure("look_unfinished"),
            final=False,
            look_since=third.look_since,
        )
    fourth = take(db, member_id, now=NOW + timedelta(minutes=3))
    assert fourth is not None and fourth.look_since == later - once.MARGIN
