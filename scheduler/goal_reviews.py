"""The semiannual goal review job: one DM per member whose goals are due for review."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.reviews import review_message
from bot.deps import Deps
from bot.rules.localtime import local_date
from bot.rules.schedule import REVIEW_GRACE, catch_up
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.usecases import reviews
from bot.usecases.delivery import deliver_dm, worker_name
from bot.usecases.program_settings import review_dates_by_team
from scheduler.base import Sent

KIND = reviews.KIND


def goal_reviews(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    lines: list[Sent] = []
    with deps.db.begin() as session:
        # Review dates a coordinator set in Slack, else BENCHMATE_REVIEW_DATES.
        by_team = review_dates_by_team(session)

        def program_dates(team: str) -> tuple[tuple[int, int], ...]:
            return by_team.get(team, deps.settings.review_dates)

        if not dry_run:
            reviews.schedule_unscheduled(session, program_dates)
        due = reviews.due_reviews(session, now)
        content = {
            r.member.id: review_message(r.goals, reviews.linked_wins(session, r.goals)) for r in due
        }
    for review in due:
        member, goal_ids = review.member, [g.id for g in review.goals]
        decision = catch_up(review.due_at, now, REVIEW_GRACE)
        if dry_run:
            status = "would send" if decision == "send" else "would miss"
            lines.append(Sent(KIND, member.slack_user_id, review.period, status))
            continue
        today = local_date(now, member.tz)
        if decision == "missed":
            with deps.db.begin() as session:
                ledger.mark_missed(
                    session,
                    team_id=member.team_id,
                    member_id=member.id,
                    kind=KIND,
                    period=review.period,
                    due_at=review.due_at,
                    now=now,
                )
                reviews.advance(
                    session, goal_ids, today, now, program_dates(member.team_id), reviewed=False
                )
            lines.append(Sent(KIND, member.slack_user_id, review.period, "missed"))
            continue
        text, blocks = content[member.id]
        result = deliver_dm(
            deps.db,
            gateway,
            member=member,
            kind=KIND,
            period=review.period,
            due_at=review.due_at,
            now=now,
            worker=worker_name(),
            text=text,
            blocks=blocks,
        )
        if result.status in ("sent", "skipped"):
            with deps.db.begin() as session:
                reviews.advance(
                    session,
                    goal_ids,
                    today,
                    now,
                    program_dates(member.team_id),
                    reviewed=result.status == "sent",
                )
        if result.status != "skipped":
            lines.append(
                Sent(KIND, member.slack_user_id, review.period, result.status, result.error or "")
            )
    return lines
