"""Exactly once for program-level posts that belong to no member: the announcement's
channel post, the weekly digest. One row per (team, kind, period); the unique constraint
decides between racing processes, like the nudge ledger (bot/store/ledger.py) does for
members' nudges.

    with db.begin() as session:
        claim = program_posts.claim(session, ...)
    if claim is not None:
        ...post (delivery.post_once, looking first if claim.look_since)...
        with db.begin() as session:
            program_posts.mark_sent(session, claim.id, now, ref=...)

A claim taken over from a holder that died (or a retry after an unsure failure, such as
a timeout) comes with `look_since`: the poster first looks for the ledger key in the
channel (bot/rules/once.py) and records the post it finds instead of posting again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rules import once
from bot.store.ledger import Claim
from bot.store.models import ProgramPost

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def claim(session: Session, *, team_id: str, kind: str, period: str, now: datetime) -> Claim | None:
    """The claim if this caller must post now (looking first when its `look_since` is
    set); None if it was posted, is being posted by someone else, or failed too often."""
    try:
        with session.begin_nested():
            post = ProgramPost(
                team_id=team_id, kind=kind, period=period, status="claimed", claimed_at=now
            )
            session.add(post)
        return Claim(post.id)
    except IntegrityError:
        pass
    before = find(session, team_id=team_id, kind=kind, period=period)
    if before is None:
        return None
    status, claimed_at, last_error = before.status, before.claimed_at, before.last_error
    reclaimed = session.execute(
        update(ProgramPost)
        .where(
            ProgramPost.team_id == team_id,
            ProgramPost.kind == kind,
            ProgramPost.period == period,
            ProgramPost.claimed_at == claimed_at,  # still the row judged below
            ProgramPost.attempts < MAX_ATTEMPTS,
            or_(
                and_(ProgramPost.status == "claimed", ProgramPost.claimed_at <= now - LEASE),
                ProgramPost.status == "failed",
            ),
        )
        .values(status="claimed", claimed_at=now, attempts=ProgramPost.attempts + 1)
        .returning(ProgramPost.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if reclaimed is None:
        return None
    look = once.claim_action(status, last_error) == "look_first"
    return Claim(int(reclaimed), once.look_from(claimed_at) if look else None)


def mark_sent(session: Session, post_id: int, now: datetime, *, ref: str) -> None:
    session.execute(
        update(ProgramPost)
        .where(ProgramPost.id == post_id)
        .values(status="sent", sent_at=now, ref=ref[:128], last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    session: Session, post_id: int, error: str, *, look_since: datetime | None = None
) -> None:
    """A later pass may try again (up to MAX_ATTEMPTS in all). `look_since`: an unsure
    failure whose look could not finish; the next look starts there again."""
    values: dict[str, object] = {"status": "failed", "last_error": error[:2000]}
    if look_since is not None:
        values["claimed_at"] = look_since + once.MARGIN
    session.execute(
        update(ProgramPost)
        .where(ProgramPost.id == post_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def find(session: Session, *, team_id: str, kind: str, period: str) -> ProgramPost | None:
    return session.scalars(
        select(ProgramPost).where(
            ProgramPost.team_id == team_id, ProgramPost.kind == kind, ProgramPost.period == period
        )
    ).first()


def is_settled(post: ProgramPost | None) -> bool:
    if post is None:
        return False
    return post.status == "sent" or (post.status == "failed" and post.attempts >= MAX_ATTEMPTS)
