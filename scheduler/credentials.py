"""Credential nudges (issue 11): lapse-prevention reminders at 12, 6, 3 and 1 months
before a cycle ends while points are owed, one "all met" DM per cycle with the
transcript of credits, and the cycle's close when its end date has passed.

Every DM goes through the ledger (`deliver_dm`), keyed by credential, cycle end and
reminder, so each is sent at most once however many passes or processes run; it goes
out at the member's prompt time, outside their quiet hours (the goal review's rule).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.blocks.credentials import met_message, reminder_message
from bot.deps import Deps
from bot.rules import once
from bot.rules.catalog import TEMPLATES_BY_KEY, templates_for_level
from bot.rules.credentials import (
    CredentialKind,
    Status,
    clean_allocation,
    from_json,
    met_due_at,
    next_cycle_end,
    points_text,
    reminder_due,
    status,
)
from bot.rules.export import CreditRecord, credits_csv, credits_markdown, md_text
from bot.rules.localtime import local_date
from bot.slack.gateway import SlackGateway
from bot.store import ledger
from bot.store.models import CECredit, CredentialCycle, Member, MemberCredential
from bot.usecases.credentials import credits_of
from bot.usecases.delivery import deliver_dm, worker_name
from bot.usecases.prompts import prefs_of
from scheduler.base import Sent

log = logging.getLogger(__name__)

REMINDER = "credential_reminder"
MET = "credential_met"
TRANSCRIPT = "credential_transcript"
# Only credentials whose cycle ends within this horizon need anything from a pass.
HORIZON = timedelta(days=380)


def cycle_period(credential_id: int, end: date) -> str:
    """The ledger period of a credential's cycle: "c<credential id>:<cycle end>"."""
    return f"c{credential_id}:{end.isoformat()}"


def credential_nudges(
    deps: Deps, gateway: SlackGateway, now: datetime, *, dry_run: bool
) -> list[Sent]:
    catalog = deps.settings.credential_catalog
    lines: list[Sent] = []
    with deps.db.begin() as session:
        rows = session.execute(
            select(MemberCredential, Member)
            .join(Member, Member.id == MemberCredential.member_id)
            .where(
                Member.is_active.is_(True),
                MemberCredential.cycle_end <= now.date() + HORIZON,
            )
            .order_by(MemberCredential.cycle_end, MemberCredential.id)
        ).all()
        work = []
        for credential, member in rows:
            kind = catalog.get(credential.code)
            if kind is None:
                continue  # a deployer removed the entry: nothing to count against
            today = local_date(now, member.tz)
            st = status(kind, credential.cycle_end, credits_of(session, member.id), today)
            work.append((credential.id, credential.cycle_end, member, kind, st, today))
        session.expunge_all()
    for credential_id, end, member, kind, st, today in work:
        if today > end:
            closed = dry_run or close_cycle(deps, credential_id, member, kind, st, now)
            if closed:
                outcome = "maintained" if st.met else "lapsed"
                lines.append(
                    Sent(
                        "credential_cycle",
                        member.slack_user_id,
                        cycle_period(credential_id, end),
                        f"would close ({outcome})" if dry_run else outcome,
                    )
                )
        elif st.met:
            lines += send_met(deps, gateway, credential_id, member, st, now, dry_run=dry_run)
        else:
            lines += send_reminder(deps, gateway, credential_id, member, st, now, dry_run=dry_run)
    return lines


def close_cycle(
    deps: Deps,
    credential_id: int,
    member: Member,
    kind: CredentialKind,
    st: Status,
    now: datetime,
) -> bool:
    """Record the ended cycle (maintained or lapsed) and start the next one; False if
    another process did it first. Both happen in one transaction, guarded by the
    cycle's unique key, so two clock processes close a cycle once."""
    try:
        with deps.db.begin() as session:
            credential = session.get(MemberCredential, credential_id)
            if credential is None or credential.cycle_end != st.end:
                return False  # changed meanwhile (closed, or the member entered a new date)
            session.add(
                CredentialCycle(
                    team_id=member.team_id,
                    credential_id=credential_id,
                    member_id=member.id,
                    code=kind.code,
                    cycle_end=st.end,
                    outcome="maintained" if st.met else "lapsed",
                    earned=st.earned,
                    closed_at=now,
                )
            )
            # A lapsed credential goes on too: reinstating it takes the same points,
            # and the member keeps being told what is owed.
            credential.cycle_end = next_cycle_end(st.end, kind.cycle_years)
            credential.updated_at = now
        return True
    except IntegrityError:
        log.info("cycle %s of credential %s closed by another process", st.end, credential_id)
        return False


def suggestions(member: Member, st: Status, names: dict[str, str]) -> list[str]:
    """Ideas for the missing points: the goal templates about continuing education and
    certification first, then what the member's level suggests."""
    ideas = []
    owed = [names.get(k, k) for k, v in st.owed_by_area.items() if v > 0]
    if owed:
        ideas.append("A P.A.C.E.- or CMLE-approved course or webinar in " + ", ".join(owed))
    ideas.append("Teach a student or present at a lab in-service: log it with `/win`")
    first = [TEMPLATES_BY_KEY[k] for k in ("continuing_ed",) if k in TEMPLATES_BY_KEY]
    for template in [*first, *templates_for_level(member.career_level)]:
        line = f"Set a goal: {template.title} (`/goal`)"
        if line not in ideas and len(ideas) < 4:
            ideas.append(line)
    return ideas


def send_reminder(
    deps: Deps,
    gateway: SlackGateway,
    credential_id: int,
    member: Member,
    st: Status,
    now: datetime,
    *,
    dry_run: bool,
) -> list[Sent]:
    due = reminder_due(st.end, now, prefs_of(member))
    if due is None:
        return []
    period = f"{cycle_period(credential_id, st.end)}:{due.period_suffix}"
    if dry_run:
        return [Sent(REMINDER, member.slack_user_id, period, "would send")]
    names = deps.settings.credential_catalog.area_names()
    text, blocks = reminder_message(
        member.name, st, due.months, names, suggestions(member, st, names)
    )
    result = deliver_dm(
        deps.db,
        gateway,
        member=member,
        kind=REMINDER,
        period=period,
        due_at=due.due_at,
        now=now,
        worker=worker_name(),
        text=text,
        blocks=blocks,
    )
    if result.status == "skipped":
        return []
    return [Sent(REMINDER, member.slack_user_id, period, result.status, result.error or "")]


def send_met(
    deps: Deps,
    gateway: SlackGateway,
    credential_id: int,
    member: Member,
    st: Status,
    now: datetime,
    *,
    dry_run: bool,
) -> list[Sent]:
    """One "all met" DM per cycle, then the transcript (CSV and Markdown, the brag
    document's export path), each once through the ledger."""
    due_at = met_due_at(now, prefs_of(member))
    if now < due_at:
        return []
    period = cycle_period(credential_id, st.end)
    if dry_run:
        return [Sent(MET, member.slack_user_id, period, "would send")]
    names = deps.settings.credential_catalog.area_names()
    text, blocks = met_message(st, names)
    result = deliver_dm(
        deps.db,
        gateway,
        member=member,
        kind=MET,
        period=period,
        due_at=due_at,
        now=now,
        worker=worker_name(),
        text=text,
        blocks=blocks,
    )
    lines = []
    if result.status != "skipped":
        lines.append(Sent(MET, member.slack_user_id, period, result.status, result.error or ""))
    if result.status in ("sent", "skipped"):
        sent = send_transcript(deps, gateway, credential_id, member, st, due_at, now, names)
        if sent is not None:
            lines.append(sent)
    return lines


def transcript(deps: Deps, member: Member, st: Status, names: dict[str, str]) -> tuple[str, str]:
    with deps.db.begin() as session:
        rows = list(
            session.scalars(
                select(CECredit)
                .where(
                    CECredit.member_id == member.id,
                    CECredit.earned_on >= st.start,
                    CECredit.earned_on <= st.end,
                )
                .order_by(CECredit.earned_on, CECredit.id)
            )
        )
        records = [
            CreditRecord(
                earned_on=c.earned_on,
                title=c.title,
                provider=c.provider,
                points=c.points,
                areas=", ".join(
                    names.get(k, k) for k in clean_allocation(c.points, from_json(c.allocation))
                ),
            )
            for c in rows
        ]
    unit = st.kind.unit
    summary = [
        f"Credential: {md_text(st.kind.name)}",
        f"Cycle: {st.start:%Y-%m-%d} to {st.end:%Y-%m-%d}",
        f"Earned: {points_text(st.earned)} {unit} ({points_text(st.kind.total)} required)",
        *[
            f"{md_text(a.name)}: {points_text(st.earned_by_area.get(a.key, 0.0))} "
            f"({points_text(a.min)} required)"
            for a in st.kind.areas
        ],
    ]
    heading = "Continuing education transcript" + (
        f": {md_text(member.name)}" if member.name.strip() else ""
    )
    return credits_markdown(heading, summary, records), credits_csv(records)


def send_transcript(
    deps: Deps,
    gateway: SlackGateway,
    credential_id: int,
    member: Member,
    st: Status,
    due_at: datetime,
    now: datetime,
    names_of_areas: dict[str, str],
) -> Sent | None:
    period = cycle_period(credential_id, st.end)
    key = {"team_id": member.team_id, "member_id": member.id, "kind": TRANSCRIPT, "period": period}
    with deps.db.begin() as session:
        claim = ledger.claim(session, **key, due_at=due_at, now=now, worker=worker_name())
    if claim is None:
        return None
    nudge_id = claim.id
    stamp = f"{st.end:%Y-%m-%d}"
    # A file carries no metadata: its name is unique to this ledger row (credential,
    # cycle), so a takeover after a crash mid-upload looks for it instead (files.list).
    names = [
        f"ce-transcript-{st.kind.code}-{stamp}-c{credential_id}.{ext}" for ext in ("md", "csv")
    ]
    try:
        seen: once.Verdict = "absent"
        if claim.look_since is not None:
            seen = gateway.look_for_files(member.slack_user_id, set(names), claim.look_since)
        if seen == "unknown":
            raise OSError("files.list could not finish the look")
        if seen == "absent":
            markdown, table = transcript(deps, member, st, names_of_areas)
            gateway.upload_to_dm(
                member.slack_user_id,
                [(names[0], "CE transcript", markdown), (names[1], "CE credits (CSV)", table)],
                "Your continuing-education transcript for this cycle, for your declaration.",
            )
    except (SlackApiError, OSError) as exc:  # a later pass tries again (and looks first)
        with deps.db.begin() as session:
            ledger.mark_failed(
                session,
                nudge_id,
                now,
                once.unsure(repr(exc)[:180]),
                final=False,
                # A look that failed looks again from the same instant, not from now.
                look_since=claim.look_since,
            )
        return Sent(TRANSCRIPT, member.slack_user_id, period, "failed", type(exc).__name__)
    with deps.db.begin() as session:
        ledger.mark_sent(session, nudge_id, now)
    return Sent(TRANSCRIPT, member.slack_user_id, period, "sent")
