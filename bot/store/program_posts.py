"""Exactly once for program-level posts that belong to no member: the announcement's
channel post, the weekly digest. One row per (team, kind, period); the unique constraint
decides between racing processes, like the nudge ledger (bot/store/ledger.py) does for
members' nudges.

    with db.begin() as session:
        post_id = program_posts.claim(session, ...)
    if post_id is not None:
        ...post...
        with db.begin() as session:
            program_posts.mark_sent(session, post_id, now, ref=...)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import ProgramPost

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def claim(session: Session, *, team_id: str, kind: str, period: str, now: datetime) -> int | None:
    """The post id if this caller must post now; None if it was posted, is being
    posted by someone else, or failed too often."""
    try:
        with session.begin_nested():
            post = ProgramPost(
                team_id=team_id, kind=kind, period=period, status="claimed", claimed_at=now
            )
            session.add(post)
        return post.id
    except IntegrityError:
        pass
    reclaimed = session.execute(
        update(ProgramPost)
        .where(
            ProgramPost.team_id == team_id,
            ProgramPost.kind == kind,
            ProgramPost.period == period,
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
    return None if reclaimed is None else int(reclaimed)


def mark_sent(session: Session, post_id: int, now: datetime, *, ref: str) -> None:
    session.execute(
        update(ProgramPost)
        .where(ProgramPost.id == post_id)
        .values(status="sent", sent_at=now, ref=ref[:128], last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, post_id: int, error: str) -> None:
    """A later pass may try again (up to MAX_ATTEMPTS in all)."""
    session.execute(
        update(ProgramPost)
        .where(ProgramPost.id == post_id)
        .values(status="failed", last_error=error[:2000])
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
