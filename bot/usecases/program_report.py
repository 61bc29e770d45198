"""Gathering the impact report's figures and drawing its chart."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select, true, union
from sqlalchemy.orm import Session

from bot.rules.report import (
    MIN_PEOPLE,
    SIX_MONTHS,
    TWELVE_MONTHS,
    Figure,
    Month,
    Ratio,
    Week,
    credential_figures,
    meetings_due,
    monthly,
    retention_figure,
    shown_count,
    shown_points,
    weekly,
)
from bot.store.db import Database
from bot.store.models import (
    MAIN_PROGRAM,
    CECredit,
    CredentialCycle,
    Goal,
    Meeting,
    Member,
    Pair,
    ProgramProfile,
    SurveyResponse,
    Win,
)
from bot.usecases.programs import main_program, program_named

CHART_WEEKS = 12
CHART_MONTHS = 12


@dataclass(frozen=True)
class Report:
    figures: list[Figure]
    weeks: list[Week]  # wins per week
    meeting_weeks: list[Week]
    generated: datetime
    credit_months: list[Month] = field(default_factory=list)  # CE points per month


def _count(session: Session, statement: object) -> int:
    return int(session.scalar(statement) or 0)  # type: ignore[call-overload]


def gather(session: Session, team_id: str, now: datetime, program_id: int | None = None) -> Report:
    """The report of one program (None: "main"). The "main" program reports on the
    whole workspace, as before several programs; another one on the people who have
    been on its roster (docs/programs.md)."""
    if program_id is None:
        program_id = main_program(session, team_id)
    roster = None
    if program_named(session, program_id) != MAIN_PROGRAM:
        roster = select(ProgramProfile.member_id).where(ProgramProfile.program_id == program_id)

    def member_in(column: Any) -> Any:
        return true() if roster is None else column.in_(roster)

    pair_ids = select(Pair.id).where(Pair.program_id == program_id)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    members = _count(
        session,
        select(func.count(Member.id)).where(
            Member.team_id == team_id, member_in(Member.id), Member.is_active.is_(True)
        ),
    )
    active_month = _count(
        session,
        select(func.count(distinct(Win.member_id))).where(
            Win.team_id == team_id, member_in(Win.member_id), Win.logged_at >= month_start
        ),
    )
    on_roster = _count(
        session,
        select(func.count(ProgramProfile.id)).where(
            ProgramProfile.program_id == program_id, ProgramProfile.left_at.is_(None)
        ),
    )
    active_pairs = select(Pair).where(Pair.program_id == program_id, Pair.ended_at.is_(None))
    pairs_now = _count(session, select(func.count()).select_from(active_pairs.subquery()))
    people_paired = _count(
        session,
        select(func.count()).select_from(
            union(
                select(Pair.mentor_id).where(
                    Pair.program_id == program_id, Pair.ended_at.is_(None)
                ),
                select(Pair.mentee_id).where(
                    Pair.program_id == program_id, Pair.ended_at.is_(None)
                ),
            ).subquery()
        ),
    )
    participants = set(
        session.scalars(
            union(
                select(Pair.mentor_id).where(Pair.program_id == program_id),
                select(Pair.mentee_id).where(Pair.program_id == program_id),
            )
        )
    )
    pairs_ever = _count(session, select(func.count(Pair.id)).where(Pair.program_id == program_id))
    wins = _count(
        session, select(func.count(Win.id)).where(Win.team_id == team_id, member_in(Win.member_id))
    )
    goals = _count(
        session,
        select(func.count(Goal.id)).where(Goal.team_id == team_id, member_in(Goal.member_id)),
    )
    achieved_rows = session.execute(
        select(func.count(Goal.id), func.count(distinct(Goal.member_id))).where(
            Goal.team_id == team_id, member_in(Goal.member_id), Goal.status == "achieved"
        )
    ).one()
    meetings = meetings_figure(session, team_id, now, program_id)
    satisfaction = session.execute(
        select(
            func.avg(SurveyResponse.satisfaction), func.count(distinct(SurveyResponse.member_id))
        ).where(SurveyResponse.team_id == team_id, SurveyResponse.pair_id.in_(pair_ids))
    ).one()
    joined = session.execute(
        select(Member.id, Member.created_at, Member.deactivated_at, Member.is_active).where(
            Member.team_id == team_id, member_in(Member.id)
        )
    ).all()

    def cohort(paired: bool) -> list[tuple[datetime, datetime | None]]:
        # A member marked inactive without a date counts as gone from the day they joined.
        return [
            (created, deactivated or (None if active else created))
            for member_id, created, deactivated, active in joined
            if (member_id in participants) == paired
        ]

    figures = [
        Figure("members", "Members", members, members),
        Figure(
            "active_this_month",
            "Active members this month (logged a win)",
            active_month,
            active_month,
        ),
        Figure("on_roster", "On the mentorship roster", on_roster, on_roster),
        Figure("active_pairs", "Active pairs", pairs_now, people_paired),
        Figure("pairs_ever", "Pairs since the start", pairs_ever, len(participants)),
        meetings,
        Figure(
            "wins_per_member",
            "Wins per member",
            round(wins / members, 1) if members else 0.0,
            members,
        ),
        Figure(
            "goals_per_member",
            "Goals per member",
            round(goals / members, 1) if members else 0.0,
            members,
        ),
        Figure("goals_achieved", "Goals achieved", int(achieved_rows[0]), int(achieved_rows[1])),
        Figure(
            "satisfaction",
            "Survey satisfaction (1-5)",
            None if satisfaction[0] is None else round(float(satisfaction[0]), 1),
            int(satisfaction[1]),
        ),
        retention_figure(
            "retention_6m_participants",
            "Still active 6 months after joining: participants (%)",
            cohort(True),
            now,
            SIX_MONTHS,
        ),
        retention_figure(
            "retention_6m_others",
            "Still active 6 months after joining: non-participants (%)",
            cohort(False),
            now,
            SIX_MONTHS,
        ),
        retention_figure(
            "retention_12m_participants",
            "Still active 12 months after joining: participants (%)",
            cohort(True),
            now,
            TWELVE_MONTHS,
        ),
        retention_figure(
            "retention_12m_others",
            "Still active 12 months after joining: non-participants (%)",
            cohort(False),
            now,
            TWELVE_MONTHS,
        ),
    ]
    since = now.date() - timedelta(weeks=CHART_WEEKS)
    entries = session.execute(
        select(Win.occurred_on, Win.member_id).where(
            Win.team_id == team_id, member_in(Win.member_id), Win.occurred_on >= since
        )
    ).all()
    weeks = weekly(
        ((day, (member,)) for day, member in entries), weeks=CHART_WEEKS, today=now.date()
    )
    held = session.execute(
        select(Meeting.held_on, Pair.mentor_id, Pair.mentee_id)
        .join(Pair, Pair.id == Meeting.pair_id)
        .where(Meeting.team_id == team_id, Pair.program_id == program_id, Meeting.held_on >= since)
    ).all()
    meeting_weeks = weekly(
        ((day, (mentor, mentee)) for day, mentor, mentee in held),
        weeks=CHART_WEEKS,
        today=now.date(),
    )
    cycles = session.execute(
        select(CredentialCycle.member_id, CredentialCycle.outcome).where(
            CredentialCycle.team_id == team_id, member_in(CredentialCycle.member_id)
        )
    ).all()
    first_month = (now.date().replace(day=1) - timedelta(days=366)).replace(day=1)
    earned = session.execute(
        select(CECredit.earned_on, CECredit.points, CECredit.member_id).where(
            CECredit.team_id == team_id,
            member_in(CECredit.member_id),
            CECredit.earned_on >= first_month,
        )
    ).all()
    credit_months = monthly(
        ((day, points, member) for day, points, member in earned),
        months=CHART_MONTHS,
        today=now.date(),
    )
    figures += credential_figures(((member, outcome) for member, outcome in cycles), credit_months)
    return Report(figures, weeks, meeting_weeks, now, credit_months)


def meetings_figure(session: Session, team_id: str, now: datetime, program_id: int) -> Figure:
    """Meetings held against meetings due: every pair ever, each due one meeting per
    full cadence from its start until it ended (or now); held is what pairs logged."""
    pairs = session.execute(
        select(
            Pair.started_at, Pair.ended_at, Pair.cadence_days, Pair.mentor_id, Pair.mentee_id
        ).where(Pair.program_id == program_id)
    ).all()
    due = sum(
        meetings_due(started.date(), (ended or now).date(), cadence)
        for started, ended, cadence, _, _ in pairs
    )
    held = _count(
        session,
        select(func.count(Meeting.id)).where(
            Meeting.team_id == team_id,
            Meeting.pair_id.in_(select(Pair.id).where(Pair.program_id == program_id)),
        ),
    )
    people = {p for *_, mentor, mentee in pairs for p in (mentor, mentee)}
    return Figure("meetings", "Meetings held / due", Ratio(held, due), len(people))


def build_report(
    db: Database, team_id: str, now: datetime, program_id: int | None = None
) -> Report:
    with db.begin() as session:
        return gather(session, team_id, now, program_id)


def chart_png(
    weeks: list[Week], meeting_weeks: list[Week], credit_months: list[Month] | None = None
) -> bytes:
    """Wins and meetings per week, side by side (PNG), and below them CE points earned
    per month when `credit_months` is given. A week (or month) whose figures are about
    fewer than five people shows 0, like every other small figure."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot as plt

    labels = [f"{w.start:%b %d}" for w in weeks]
    if credit_months:
        figure, (axes, credits_axes) = plt.subplots(2, 1, figsize=(8, 7), dpi=100)
    else:
        figure, axes = plt.subplots(figsize=(8, 4), dpi=100)
    try:
        if credit_months:
            credits_axes.bar(
                list(range(len(credit_months))),
                [shown_points(m) for m in credit_months],
                color="#3f8f5a",
                label="CE points",
            )
            credits_axes.set_xticks(
                list(range(len(credit_months))), [f"{m.start:%b %Y}" for m in credit_months]
            )
            credits_axes.set_title("Continuing-education points earned per month")
            credits_axes.tick_params(axis="x", labelrotation=45)
        positions = list(range(len(weeks)))
        width = 0.4
        axes.bar(
            [p - width / 2 for p in positions],
            [shown_count(w) for w in weeks],
            width,
            color="#1d4f6e",
            label="wins",
        )
        axes.bar(
            [p + width / 2 for p in positions],
            [shown_count(w) for w in meeting_weeks],
            width,
            color="#e07a3f",
            label="meetings",
        )
        axes.set_xticks(positions, labels)
        axes.set_title("Wins and meetings per week")
        axes.tick_params(axis="x", labelrotation=45)
        axes.legend(loc="upper left")
        figure.text(
            0.01,
            0.01,
            f"Weeks (months) whose wins, meetings (or CE points) involve fewer than "
            f"{MIN_PEOPLE} people show 0.",
            fontsize=7,
        )
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
