"""Exporting one member's wins and goals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules import export
from bot.store.models import Goal, Member, Win


class UnknownMember(LookupError):
    pass


def records(
    session: Session, member: Member
) -> tuple[list[export.WinRecord], list[export.GoalRecord]]:
    goals = list(
        session.scalars(select(Goal).where(Goal.member_id == member.id).order_by(Goal.created_at))
    )
    titles = {g.id: g.title for g in goals}
    wins = session.scalars(
        select(Win).where(Win.member_id == member.id).order_by(Win.occurred_on, Win.id)
    )
    return (
        [
            export.WinRecord(
                text=w.text,
                source=w.source,
                logged_at=w.logged_at,
                occurred_on=w.occurred_on,
                category=w.category,
                goal=titles.get(w.goal_id) if w.goal_id else None,
                private=w.is_private,
            )
            for w in wins
        ],
        [
            export.GoalRecord(
                title=g.title,
                category=g.category,
                status=g.status,
                target_date=g.target_date,
                measure=g.measure,
                created_at=g.created_at,
            )
            for g in goals
        ],
    )


def find_by_user(session: Session, user_id: str, team_id: str | None = None) -> Member:
    query = select(Member).where(Member.slack_user_id == user_id)
    if team_id:
        query = query.where(Member.team_id == team_id)
    found = list(session.scalars(query))
    if len(found) != 1:
        where = f" in team {team_id}" if team_id else ""
        reason = "no member" if not found else "several members (give --team)"
        raise UnknownMember(f"{reason} with Slack user id {user_id}{where}")
    return found[0]


def render(session: Session, member: Member, fmt: str) -> str:
    wins, goals = records(session, member)
    if fmt == "json":
        return export.to_json(member.name, wins, goals)
    if fmt == "csv":
        return export.to_csv(wins)
    if fmt == "md":
        return export.to_markdown(member.name, wins, goals)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(export.FORMATS)}")
