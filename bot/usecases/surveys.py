"""Surveys: what is due for whom, answering, and the coordinators' aggregate results."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.blocks import state
from bot.blocks import surveys as blocks
from bot.rules import surveys as rules
from bot.rules.localtime import local_date
from bot.rules.payloads import whole_number
from bot.rules.phi import Guard
from bot.store import ledger
from bot.store.db import Database
from bot.store.models import Member, Nudge, Pair, ProgramProfile, SurveyResponse
from bot.usecases.prompts import prefs_of
from bot.usecases.win_submission import FieldErrors, Warn  # the same form outcomes


@dataclass(frozen=True)
class Due:
    pair_id: int
    member: Member
    partner: str  # Slack user id
    survey: rules.SurveyDue

    @property
    def period(self) -> str:
        return period_of(self.pair_id, self.survey.label)


def period_of(pair_id: int, label: str) -> str:
    """The ledger period of one member's survey about one pair: "p12:pulse-30"."""
    return f"p{pair_id}:{label}"


def due(session: Session, now: datetime) -> list[Due]:
    """Every survey due at `now`: active pairs' pulses, recently ended pairs' closing
    surveys. Nobody deactivated, and nobody who left the roster, is surveyed."""
    recent = now - timedelta(days=rules.CLOSING_WINDOW_DAYS)
    pairs = list(
        session.scalars(
            select(Pair)
            .where(or_(Pair.ended_at.is_(None), Pair.ended_at >= recent))
            .order_by(Pair.id)
        )
    )
    if not pairs:
        return []
    left = set(
        session.scalars(select(ProgramProfile.member_id).where(ProgramProfile.left_at.is_not(None)))
    )
    settled: dict[int, set[str]] = defaultdict(set)  # member id -> settled periods
    people = {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs}
    for nudge in session.scalars(
        select(Nudge).where(Nudge.kind == rules.KIND, Nudge.member_id.in_(people))
    ):
        if ledger.is_settled(nudge):
            settled[nudge.member_id].add(nudge.period)
    found = []
    for pair in pairs:
        for member, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
            if not member.is_active or member.id in left:
                continue
            prefix = period_of(pair.id, "")
            labels = {p.removeprefix(prefix) for p in settled[member.id] if p.startswith(prefix)}
            for survey in rules.due_surveys(
                started_on=local_date(pair.started_at, member.tz),
                ended_at=pair.ended_at,
                prefs=prefs_of(member),
                now=now,
                settled=labels,
            ):
                found.append(Due(pair.id, member, partner.slack_user_id, survey))
    return found


def _partner_in(pair: Pair, member: Member) -> str | None:
    if member.id == pair.mentor_id:
        return pair.mentee.slack_user_id
    if member.id == pair.mentee_id:
        return pair.mentor.slack_user_id
    return None


def parse_value(value: str) -> tuple[int, str] | None:
    """The button's value "12:pulse-30" as (pair id, label)."""
    pair_id, _, label = value.partition(":")
    number = whole_number(pair_id)
    if number is None or not rules.is_label(label):
        return None
    return number, label


def _asked(session: Session, member: Member, pair_id: int, label: str) -> str | None:
    """The partner's Slack id if this member was sent this survey about this pair."""
    pair = session.get(Pair, pair_id)
    partner = _partner_in(pair, member) if pair else None
    nudge = ledger.find(
        session,
        team_id=member.team_id,
        member_id=member.id,
        kind=rules.KIND,
        period=period_of(pair_id, label),
    )
    return partner if nudge is not None and nudge.status == "sent" else None


def _answer(session: Session, member: Member, pair_id: int, label: str) -> SurveyResponse | None:
    return session.scalars(
        select(SurveyResponse).where(
            SurveyResponse.pair_id == pair_id,
            SurveyResponse.member_id == member.id,
            SurveyResponse.period == label,
        )
    ).first()


def survey_form(db: Database, member: Member, value: str) -> dict[str, Any] | None:
    """The survey modal, or None if the button is not about a survey this member was sent."""
    parsed = parse_value(value)
    if parsed is None:
        return None
    with db.begin() as session:
        partner = _asked(session, member, *parsed)
        if partner is None:
            return None
        answered = _answer(session, member, *parsed)
        return blocks.survey_modal(
            pair_id=parsed[0],
            label=parsed[1],
            partner=partner,
            satisfaction=answered.satisfaction if answered else None,
            comment=answered.comment if answered else "",
            shareable=answered.anonymous if answered else False,
        )


@dataclass(frozen=True)
class Saved:
    replaced: bool


def submit(
    db: Database, member: Member, view: dict[str, Any], now: datetime, guard: Guard
) -> Saved | FieldErrors | Warn:
    """Save (or replace) the member's answer: one per member, pair and survey."""
    score = state.selected(view, "satisfaction")
    if score not in {str(s) for s in rules.SCORES}:
        return FieldErrors({"satisfaction": "Pick how satisfied you are, from 1 to 5."})
    meta = state.metadata(view)
    parsed = parse_value(f"{meta.get('pair_id')}:{meta.get('label')}")
    comment = state.text(view, "comment").strip()[: rules.MAX_COMMENT_CHARS]
    shareable = state.checked(view, "share")
    findings = guard.find(comment)
    with db.begin() as session:
        partner = _asked(session, member, *parsed) if parsed else None
        if parsed is None or partner is None:
            return FieldErrors({"satisfaction": "That survey isn't about one of your pairs."})
        if findings and not state.checked(view, "phi_ack"):
            return Warn(
                blocks.survey_modal(
                    pair_id=parsed[0],
                    label=parsed[1],
                    partner=partner,
                    satisfaction=int(score),
                    comment=comment,
                    shareable=shareable,
                    findings=findings,
                )
            )
        answer = _answer(session, member, *parsed)
        replaced = answer is not None
        if answer is None:
            answer = SurveyResponse(
                team_id=member.team_id, pair_id=parsed[0], member_id=member.id, period=parsed[1]
            )
            session.add(answer)
        answer.satisfaction = int(score)
        answer.comment = comment
        # The column `anonymous` means "coordinators may read this comment, unnamed".
        # A comment that may carry patient data is kept, but never shown to anyone.
        answer.anonymous = shareable and not findings
        answer.answered_at = now
    return Saved(replaced)


def results(session: Session, team_id: str, guard: Guard) -> rules.Results:
    rows = session.scalars(
        select(SurveyResponse).where(SurveyResponse.team_id == team_id).order_by(SurveyResponse.id)
    )
    return rules.summarize(
        [rules.Answer(r.member_id, r.period, r.satisfaction, r.comment, r.anonymous) for r in rows],
        guard,
    )
