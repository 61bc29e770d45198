"""The survey job: match-quality pulses (30 days in, then every 60) and the closing
survey when a pair ends, once each through the ledger, never to someone who left."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.surveys import survey_dm
from bot.deps import Deps
from bot.rules.surveys import KIND
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.usecases.delivery import deliver_dm, worker_name
from bot.usecases.surveys import due
from scheduler.base import Sent


def surveys(deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool) -> list[Sent]:
    with deps.db.begin() as session:
        found = due(session, now)
    if dry_run:
        verb = {"send": "would send", "missed": "would miss"}
        return [
            Sent(KIND, d.member.slack_user_id, d.period, verb[d.survey.decision]) for d in found
        ]
    lines = []
    for d in found:
        if d.survey.decision == "missed":
            with deps.db.begin() as session:
                recorded = ledger.mark_missed(
                    session,
                    team_id=d.member.team_id,
                    member_id=d.member.id,
                    kind=KIND,
                    period=d.period,
                    due_at=d.survey.due_at,
                    now=now,
                )
            if recorded:
                lines.append(Sent(KIND, d.member.slack_user_id, d.period, "missed"))
            continue
        text, message = survey_dm(pair_id=d.pair_id, label=d.survey.label, partner=d.partner)
        result = deliver_dm(
            deps.db,
            gateway,
            member=d.member,
            kind=KIND,
            period=d.period,
            due_at=d.survey.due_at,
            now=now,
            worker=worker_name(),
            text=text,
            blocks=message,
        )
        if result.status != "skipped":
            lines.append(
                Sent(KIND, d.member.slack_user_id, d.period, result.status, result.error or "")
            )
    return lines
