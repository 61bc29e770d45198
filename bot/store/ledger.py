"""The nudge ledger: every nudge has a key (team, member, kind, period) and one row.

A sender first *claims* the key; only the claimer sends. The claim is an
`INSERT ... ON CONFLICT DO NOTHING` (the unique constraint decides between racing
processes) or a conditional `UPDATE` of a stale claim or a retryable failure (the row
lock decides). Commit the claim before calling Slack, so other processes see it:

    with db.begin() as session:
        claim = ledger.claim(session, ...)
    if claim is not None:
        ...look first if claim.look_since, then send (delivery.post_once)...
        with db.begin() as session:
            ledger.mark_sent(session, claim.id, now, ref=...)

A process that dies after claiming leaves a `claimed` row; once its lease expires a
later pass claims it again (at most `max_attempts` times in all). The message may be out
already (the process died after posting, before recording): such a claim comes with
`look_since`, and the sender first looks for the key in the conversation
(bot/rules/once.py), recording what it finds instead of sending again. So does a retry
of a failure recorded as unsure (a timeout: Slack may have posted it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.rules import once
from bot.store.db import dialect_insert
from bot.store.models import Nudge

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
SETTLED = ("sent", "missed", "cancelled")


def _key(team_id: str, member_id: int, kind: str, period: str) -> Any:
    return and_(
        Nudge.team_id == team_id,
        Nudge.member_id == member_id,
        Nudge.kind == kind,
        Nudge.period == period,
    )


@dataclass(frozen=True)
class Claim:
    """A claim this worker holds: the nudge's id, and when the message may already be
    out (a takeover, or a retry after an unsure failure), the instant to look back to
    before sending (`conversations.history`'s `oldest`); None: nobody posted it."""

    id: int
    look_since: datetime | None = None


def claim(
    session: Session,
    *,
    team_id: str,
    member_id: int,
    kind: str,
    period: str,
    due_at: datetime,
    now: datetime,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> Claim | None:
    """The claim if this worker must send the nudge now (looking first when its
    `look_since` is set), else None (already sent, missed, cancelled, failed for good,
    or being sent by another worker)."""
    inserted = session.execute(
        dialect_insert(session, Nudge)
        .values(
            team_id=team_id,
            member_id=member_id,
            kind=kind,
            period=period,
            due_at=due_at,
            status="claimed",
            attempts=1,
            claimed_at=now,
            claimed_by=worker,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "member_id", "kind", "period"])
        .returning(Nudge.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return Claim(int(inserted))
    before = session.execute(
        select(Nudge.status, Nudge.claimed_at, Nudge.last_error).where(
            _key(team_id, member_id, kind, period)
        )
    ).first()
    if before is None:
        return None
    status, claimed_at, last_error = before
    # The row lock decides between racing workers; matching the claim time read just
    # now makes sure the row is still the one `claim_action` judged.
    reclaimed = session.execute(
        update(Nudge)
        .where(
            _key(team_id, member_id, kind, period),
            Nudge.claimed_at.is_(None) if claimed_at is None else Nudge.claimed_at == claimed_at,
            Nudge.attempts < max_attempts,
            or_(
                and_(Nudge.status == "claimed", Nudge.claimed_at <= now - lease),
                and_(
                    Nudge.status == "failed",
                    Nudge.retry_at.is_not(None),
                    Nudge.retry_at <= now,
                ),
            ),
        )
        .values(
            status="claimed",
            attempts=Nudge.attempts + 1,
            claimed_at=now,
            claimed_by=worker,
            retry_at=None,
        )
        .returning(Nudge.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if reclaimed is None:
        return None
    look = once.claim_action(status, last_error) == "look_first" and claimed_at is not None
    return Claim(int(reclaimed), once.look_from(claimed_at) if look else None)


@dataclass(frozen=True)
class Due:
    """One nudge key to claim in `claim_many`."""

    team_id: str
    member_id: int
    period: str
    due_at: datetime


def claim_many(
    session: Session,
    dues: list[Due],
    *,
    kind: str,
    now: datetime,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict[int, Claim]:
    """`claim` for many keys: member id -> claim, for those this worker must send now.
    One multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING` takes every new key (the
    unique constraint still decides between racing processes, row by row); keys that
    already had a row go through `claim`'s conditional `UPDATE`, one by one (rare: a
    stale claim or a retry)."""
    if not dues:
        return {}
    table = Nudge.__table__
    # Executed with a list of rows: SQLAlchemy sends them as multi-row INSERTs
    # ("insertmanyvalues") from one cached statement.
    inserted = session.execute(
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["team_id", "member_id", "kind", "period"])
        .returning(table.c.member_id, table.c.id),
        [
            {
                "team_id": due.team_id,
                "member_id": due.member_id,
                "kind": kind,
                "period": due.period,
                "due_at": due.due_at,
                "status": "claimed",
                "attempts": 1,
                "claimed_at": now,
                "claimed_by": worker,
            }
            for due in dues
        ],
    )
    claimed = {int(member_id): Claim(int(nudge_id)) for member_id, nudge_id in inserted}
    for due in dues:
        if due.member_id in claimed:
            continue
        taken = claim(
            session,
            team_id=due.team_id,
            member_id=due.member_id,
            kind=kind,
            period=due.period,
            due_at=due.due_at,
            now=now,
            worker=worker,
            lease=lease,
            max_attempts=max_attempts,
        )
        if taken is not None:
            claimed[due.member_id] = taken
    return claimed


def mark_sent_many(session: Session, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """`mark_sent` for many (nudge id, ref) pairs in one executemany."""
    if not sent:
        return
    session.execute(
        update(Nudge),
        [
            {
                "id": nudge_id,
                "status": "sent",
                "sent_at": now,
                "ref": ref,
                "last_error": None,
                "retry_at": None,
            }
            for nudge_id, ref in sent
        ],
    )


def mark_sent(session: Session, nudge_id: int, now: datetime, *, ref: str | None = None) -> None:
    session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id)
        .values(status="sent", sent_at=now, ref=ref, last_error=None, retry_at=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    session: Session,
    nudge_id: int,
    now: datetime,
    error: str,
    *,
    final: bool,
    retry_in: timedelta = timedelta(minutes=1),
    look_since: datetime | None = None,
) -> None:
    """Record a failed attempt. Not final: a later pass may claim it again from
    `now + retry_in` while attempts are left. Final: never sent. An unsure failure
    (`once.unsure`) whose look could not finish keeps the instant it looked back to
    (`look_since`, stored as the claim time), so the next look starts there again."""
    values: dict[str, Any] = {
        "status": "failed",
        "last_error": error[:2000],
        "retry_at": None if final else now + retry_in,
    }
    if look_since is not None:
        values["claimed_at"] = look_since + once.MARGIN
    session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record(
    session: Session,
    status: str,
    *,
    team_id: str,
    member_id: int,
    kind: str,
    period: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    row = session.execute(
        dialect_insert(session, Nudge)
        .values(
            team_id=team_id,
            member_id=member_id,
            kind=kind,
            period=period,
            due_at=due_at,
            status=status,
            attempts=0,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "member_id", "kind", "period"])
        .returning(Nudge.id)
    ).scalar_one_or_none()
    return row is not None


def mark_missed(
    session: Session,
    *,
    team_id: str,
    member_id: int,
    kind: str,
    period: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Record that a nudge's time passed beyond its grace window unsent (the scheduler
    was down). False if the key already had a row (sent, claimed...): nothing changes."""
    return _record(
        session,
        "missed",
        team_id=team_id,
        member_id=member_id,
        kind=kind,
        period=period,
        due_at=due_at,
        now=now,
    )


def cancel(
    session: Session,
    *,
    team_id: str,
    member_id: int,
    kind: str,
    period: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Make sure a future nudge is never sent (e.g. "skip next week")."""
    return _record(
        session,
        "cancelled",
        team_id=team_id,
        member_id=member_id,
        kind=kind,
        period=period,
        due_at=due_at,
        now=now,
    )


def find(session: Session, *, team_id: str, member_id: int, kind: str, period: str) -> Nudge | None:
    return session.scalars(select(Nudge).where(_key(team_id, member_id, kind, period))).first()


def is_settled(nudge: Nudge | None, *, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Nothing more will happen to this nudge: sent, missed, cancelled or failed for good."""
    if nudge is None:
        return False
    if nudge.status in SETTLED:
        return True
    return nudge.status == "failed" and (nudge.retry_at is None or nudge.attempts >= max_attempts)


def settled_periods(session: Session, *, member_id: int, kind: str, since: str) -> set[str]:
    """The member's settled periods of `kind` from `since` on (periods sort as text)."""
    rows = session.scalars(
        select(Nudge).where(Nudge.member_id == member_id, Nudge.kind == kind, Nudge.period >= since)
    )
    return {n.period for n in rows if is_settled(n)}
