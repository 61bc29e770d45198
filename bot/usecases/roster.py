"""Importing the roster (all rows or none) and members' own program profiles."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.rules.roster import RosterRow, RowError, is_email, parse_roster
from bot.slack.gateway import SlackGateway, SlackUser, error_code
from bot.store.db import Database
from bot.store.models import Member, ProgramProfile
from bot.usecases.coordinators import record
from bot.usecases.members import apply_profile, find_member
from bot.usecases.pairs import profile_of
from bot.usecases.programs import main_program

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    problems: list[str] = field(default_factory=list)  # "line N: why", every one of them
    added: int = 0
    updated: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Resolved:
    row: RosterRow
    user: SlackUser
    supervisor: str | None  # Slack user id


def _lookup(gateway: SlackGateway, ref: str) -> SlackUser | None:
    return gateway.user_by_email(ref) if is_email(ref) else gateway.user(ref)


def resolve(gateway: SlackGateway, rows: list[RosterRow]) -> tuple[list[Resolved], list[RowError]]:
    """Each row's Slack user (e-mails through users.lookupByEmail), or why not."""
    resolved: list[Resolved] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in rows:
        try:
            user = _lookup(gateway, row.who)
            supervisor = row.supervisor
            if supervisor and is_email(supervisor):
                boss = gateway.user_by_email(supervisor)
                if boss is None:
                    errors.append(
                        RowError(
                            row.line, f"nobody in Slack has the supervisor e-mail {supervisor}"
                        )
                    )
                    continue
                supervisor = boss.id
        except SlackApiError as exc:
            errors.append(
                RowError(row.line, f"could not check {row.who}: Slack said {error_code(exc)}")
            )
            continue
        if user is None:
            where = "e-mail" if is_email(row.who) else "user id"
            errors.append(
                RowError(row.line, f"nobody in this Slack workspace has the {where} {row.who}")
            )
        elif user.deleted:
            errors.append(RowError(row.line, f"{row.who} is deactivated in Slack"))
        elif user.is_bot:
            errors.append(RowError(row.line, f"{row.who} is a bot, not a person"))
        elif user.id in seen:
            errors.append(
                RowError(row.line, f"{row.who} is the same person as on line {seen[user.id]}")
            )
        elif supervisor == user.id:
            errors.append(RowError(row.line, "a person cannot be their own supervisor"))
        else:
            seen[user.id] = row.line
            resolved.append(Resolved(row, user, supervisor))
    return resolved, errors


def save_profile(
    session: Session,
    member: Member,
    row: RosterRow,
    now: datetime,
    *,
    supervisor: str | None = None,
    program_id: int | None = None,
) -> bool:
    """Write a roster row onto the member in a program (None: "main"); True when they
    were not on that program's roster yet."""
    if program_id is None:
        program_id = main_program(session, member.team_id)
    member.career_level = row.career_level
    member.lab_section = row.lab_section
    profile = profile_of(session, member.id, program_id)
    added = profile is None or profile.left_at is not None
    if profile is None:
        profile = ProgramProfile(
            team_id=member.team_id,
            program_id=program_id,
            member_id=member.id,
            joined_at=now,
        )
        session.add(profile)
    elif profile.left_at is not None:  # back on the roster
        profile.left_at = None
        profile.joined_at = now
    profile.role = row.role
    profile.certifications = ",".join(row.certifications)
    profile.interests = ",".join(row.interests)
    profile.target_certification = row.target_certification
    profile.capacity = row.capacity
    profile.shift = row.shift
    profile.supervisor_user_id = supervisor
    profile.updated_at = now
    return added


def import_roster(
    db: Database,
    gateway: SlackGateway,
    *,
    team_id: str,
    text: str,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    program_id: int | None = None,
) -> ImportReport:
    """Check every row, resolve every person in Slack, then import all rows in one
    transaction, or none when anything is wrong."""
    rows, errors = parse_roster(text)
    report = ImportReport(dry_run=dry_run)
    resolved: list[Resolved] = []
    if rows:
        resolved, more = resolve(gateway, rows)
        errors = sorted([*errors, *more], key=lambda e: e.line)
    if errors:
        report.problems = [str(e) for e in errors]
        return report
    if dry_run:
        with db.begin() as session:
            for item in resolved:
                member = find_member(session, team_id, item.user.id)
                program = program_id or main_program(session, team_id)
                profile = profile_of(session, member.id, program) if member else None
                if profile is None or profile.left_at is not None:
                    report.added += 1
                else:
                    report.updated += 1
        return report
    with db.begin() as session:
        for item in resolved:
            member = find_member(session, team_id, item.user.id)
            if member is None:
                member = Member(team_id=team_id, slack_user_id=item.user.id, created_at=now)
                apply_profile(member, item.user, now)
                session.add(member)
                session.flush()
            if save_profile(
                session,
                member,
                item.row,
                now,
                supervisor=item.supervisor,
                program_id=program_id or main_program(session, team_id),
            ):
                report.added += 1
            else:
                report.updated += 1
        record(
            session,
            team_id,
            actor,
            "roster_import",
            {"rows": len(resolved), "added": report.added, "updated": report.updated},
            now,
            program_id,
        )
    return report
