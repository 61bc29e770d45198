"""Program settings (`/program settings`): reading what is in force, and saving the
form, audited. See bot/rules/program_settings.py for the defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import state
from bot.rules import program_settings as rules
from bot.rules.localtime import local_date
from bot.rules.schedule import next_review_date
from bot.store.models import MAIN_PROGRAM, Goal, Member, Program, ProgramSettings
from bot.usecases.coordinators import record

# The form's block ids (each input's action id is "value").
FIELDS = ("review_dates", "digest_weekday", "digest_hour", "tz", "cadence")


def row_of(session: Session, program_id: int) -> ProgramSettings | None:
    return session.scalars(
        select(ProgramSettings).where(ProgramSettings.program_id == program_id)
    ).first()


def config_of(
    row: ProgramSettings | None, env_review_dates: rules.ReviewDates
) -> rules.ProgramConfig:
    return rules.effective(
        review_dates=row.review_dates if row else None,
        digest_weekday=row.digest_weekday if row else None,
        digest_hour=row.digest_hour if row else None,
        tz=row.tz if row else None,
        cadence_days=row.cadence_days if row else None,
        env_review_dates=env_review_dates,
    )


def current(
    session: Session, program_id: int, env_review_dates: rules.ReviewDates
) -> rules.ProgramConfig:
    """The settings in force for a program."""
    return config_of(row_of(session, program_id), env_review_dates)


def review_dates_by_team(session: Session) -> dict[str, rules.ReviewDates]:
    """Teams whose coordinators set review dates in Slack (others use the default).
    Goals are a member's own, not a program's: the "main" program's dates apply."""
    found = {}
    for team, text in session.execute(
        select(ProgramSettings.team_id, ProgramSettings.review_dates)
        .join(Program, Program.id == ProgramSettings.program_id)
        .where(ProgramSettings.review_dates.is_not(None), Program.name == MAIN_PROGRAM)
    ):
        parsed = rules.parse_review_dates(text)
        if isinstance(parsed, tuple):
            found[team] = parsed
    return found


@dataclass(frozen=True)
class Form:
    """What a valid form says. `review_dates` None: use the deployment's default."""

    review_dates: rules.ReviewDates | None
    has_review_dates: bool  # the form shows them (the "main" program's form only)
    digest_weekday: int
    digest_hour: int
    tz: str
    cadence_days: int


def read_form(view: dict[str, Any]) -> Form | dict[str, str]:
    """The submitted form, or errors keyed by block id (shown under each field)."""
    errors: dict[str, str] = {}
    dates_text = state.text(view, "review_dates").strip()
    dates = rules.parse_review_dates(dates_text) if dates_text else None
    if isinstance(dates, str):
        errors["review_dates"] = dates
    weekday = rules.parse_weekday(state.selected(view, "digest_weekday"))
    if weekday is None:
        errors["digest_weekday"] = "Pick the day the digest goes out."
    hour = rules.parse_hour(state.selected(view, "digest_hour"))
    if hour is None:
        errors["digest_hour"] = "Pick the hour the digest goes out."
    tz_text = state.text(view, "tz")
    tz = rules.parse_tz(tz_text)
    if tz is None:
        errors["tz"] = (
            "Write a time zone name such as America/Chicago, Europe/London or UTC."
            if tz_text.strip()
            else "Write the program's time zone, e.g. America/Chicago."
        )
    cadence = rules.parse_cadence(state.text(view, "cadence"))
    if isinstance(cadence, str):
        errors["cadence"] = cadence
    if errors:
        return errors
    assert weekday is not None and hour is not None and tz is not None
    assert not isinstance(dates, str) and isinstance(cadence, int)
    has_dates = "review_dates" in ((view.get("state") or {}).get("values") or {})
    return Form(dates, has_dates, weekday, hour, tz, cadence)


def save(
    session: Session,
    *,
    team_id: str,
    program_id: int,
    form: Form,
    by: str,
    now: datetime,
    env_review_dates: rules.ReviewDates,
) -> dict[str, list[Any]]:
    """Store the form; audit what changed ({field: [before, after]}). New review dates
    reschedule the team's active goals (see `reschedule_reviews`)."""
    row = row_of(session, program_id)
    if row is None:
        row = ProgramSettings(team_id=team_id, program_id=program_id, updated_by=by, updated_at=now)
        session.add(row)
    before = asdict(config_of(row, env_review_dates))
    if form.has_review_dates:
        row.review_dates = (
            rules.review_dates_text(form.review_dates) if form.review_dates is not None else None
        )
    row.digest_weekday, row.digest_hour = form.digest_weekday, form.digest_hour
    row.tz, row.cadence_days = form.tz, form.cadence_days
    row.updated_by, row.updated_at = by, now
    after = asdict(config_of(row, env_review_dates))
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if "review_dates" in changed:
        reschedule_reviews(session, team_id, tuple(after["review_dates"]), now)
    record(session, team_id, by, "program_settings", {"changed": changed}, now, program_id)
    return changed


def next_review_after_change(base: date, today: date, dates: rules.ReviewDates) -> date:
    """A goal's next review when the program's dates change: on the new schedule from
    when it was set or last reviewed (`base`), or, if that day has passed, the next
    program date after today (with no dates: tomorrow, as it is overdue). Pure."""
    due = next_review_date(base, dates)
    if due > today:
        return due
    return next_review_date(today, dates) if dates else date.fromordinal(today.toordinal() + 1)


def reschedule_reviews(
    session: Session, team_id: str, dates: rules.ReviewDates, now: datetime
) -> int:
    rows = session.execute(
        select(Goal, Member)
        .join(Member, Goal.member_id == Member.id)
        .where(Goal.team_id == team_id, Goal.status == "active")
    ).all()
    for goal, member in rows:
        base = local_date(goal.reviewed_at or goal.created_at, member.tz)
        goal.review_due_on = next_review_after_change(base, local_date(now, member.tz), dates)
    return len(rows)
