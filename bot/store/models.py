"""Typed SQLAlchemy models. Every row carries the Slack team id so that one
deployment can serve several workspaces later."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic revisions can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WIN_SOURCES = ("slash", "modal", "dm_reply", "shortcut")
GOAL_STATUSES = ("active", "achieved", "dropped")
NUDGE_STATUSES = ("claimed", "sent", "failed", "missed", "cancelled")
DEFAULT_PROMPT_WEEKDAY = 4  # Friday (Monday is 0)
DEFAULT_PROMPT_TIME = time(14, 0)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python; naive UTC in the database (SQLite has no zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Member(Base):
    """A person in a workspace, created on first contact."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    career_level: Mapped[str | None] = mapped_column(String(16))
    lab_section: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    profile_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When Slack deactivated them (for retention figures); cleared if they come back.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Weekly prompt preferences (issue 3), in the member's own wall-clock time.
    prompt_weekday: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROMPT_WEEKDAY)
    prompt_time: Mapped[time] = mapped_column(Time, default=DEFAULT_PROMPT_TIME)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    paused_until: Mapped[date | None] = mapped_column(Date)
    prompts_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the next weekly prompt is due (UTC) and its week: the scheduler selects by
    # this index only, so a pass costs what is due, not how many members there are.
    next_prompt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    next_prompt_period: Mapped[str | None] = mapped_column(String(16))
    # Why Slack says they cannot be reached (deleted, user_disabled, channel_not_found...).
    deactivated_reason: Mapped[str | None] = mapped_column(String(64))

    # The database deletes a member's rows (ON DELETE CASCADE); the ORM lets it.
    wins: Mapped[list[Win]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    target_date: Mapped[date | None] = mapped_column(Date)
    measure: Mapped[str | None] = mapped_column(Text)
    template_key: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    phi_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_with_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Semiannual review (issue 3): the member's local date it is next due (None: not
    # scheduled yet; the scheduler fills it in) and when the last review went out.
    review_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(back_populates="goals")
    wins: Mapped[list[Win]] = relationship(back_populates="goal", passive_deletes=True)


# Its own generator: anything calling `random.seed()` (a library, a test framework such
# as hypothesis) reseeds the shared one, which then repeats keys, and a repeated key is a
# win that fails to save. Seeded from the OS, and again in a forked child.
_keys = random.Random()
os.register_at_fork(after_in_child=_keys.seed)


def new_key() -> str:
    """32 random hex digits. Keys name wins, they guard nothing (every use checks the
    member), so a fast `random` generator does; os.urandom costs tens of microseconds a
    call on some virtual machines."""
    return f"{_keys.getrandbits(128):032x}"


class Win(Base):
    __tablename__ = "wins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Buttons and forms name a win by this key (answers already sent carry it, so it
    # stays even though wins are now stored before the answer).
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    shared_with_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    # Private wins are never posted anywhere but to their author.
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    phi_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    permalink: Mapped[str | None] = mapped_column(Text)
    # The member chose "share in the weekly digest" (default private; never if flagged).
    in_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    member: Mapped[Member] = relationship(back_populates="wins")
    goal: Mapped[Goal | None] = relationship(back_populates="wins")


@dataclass(frozen=True, slots=True)
class NewWin:
    """A win as just inserted (its column values, without its id): what an answer shows.
    Building an ORM `Win` for it cost more CPU than the INSERT on the `/win` path
    (docs/performance-win.md)."""

    key: str
    team_id: str
    member_id: int
    text: str
    source: str
    category: str | None
    occurred_on: date
    logged_at: datetime
    goal_id: int | None
    shared_with_mentor: bool
    is_private: bool
    phi_flagged: bool
    permalink: str | None
    in_digest: bool


class Draft(Base):
    """Text held back because it may carry patient data, until its author decides.

    Nothing in a draft is ever shown to anyone but its author.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Mentorship program (issue 4) ---------------------------------------------------

PAIR_END_REASONS = ("unpaired", "left")
MAIN_PROGRAM = "main"  # the program every deployment has (see docs/programs.md)


class Program(Base):
    """One mentorship program of a workspace (a hospital site, a department...)."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def main_program_of_row(context: Any) -> int:
    """A row written without a program belongs to its team's "main" program (created
    on first use), so code that predates several programs keeps working unchanged."""
    team_id = context.get_current_parameters()["team_id"]
    connection = context.connection
    programs = Program.__table__
    query = select(programs.c.id).where(
        programs.c.team_id == team_id, programs.c.name == MAIN_PROGRAM
    )
    found = connection.scalar(query)
    if found is None:
        # ON CONFLICT DO NOTHING: a second process creating it at once is no error.
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(programs)
            .values(
                team_id=team_id,
                name=MAIN_PROGRAM,
                created_by="benchmate",
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )
        found = connection.scalar(query)
    return int(found)


def program_fk(*, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(
        ForeignKey("programs.id"), index=True, nullable=nullable, default=main_program_of_row
    )


class Coordinator(Base):
    """A coordinator added in Slack (those in BENCHMATE_COORDINATORS are not stored)."""

    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("program_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    slack_user_id: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One coordinator action: who did what, when, with what details (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    program_id: Mapped[int | None] = program_fk(nullable=True)  # None: deployment-wide
    actor: Mapped[str] = mapped_column(String(32))  # Slack user id, or "cli"
    action: Mapped[str] = mapped_column(String(48))
    details: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgramProfile(Base):
    """A member's place in the mentorship program (the roster row)."""

    __tablename__ = "program_profiles"
    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))  # catalog.ROLES
    # Comma-separated catalog keys.
    certifications: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    target_certification: Mapped[str | None] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    shift: Mapped[str | None] = mapped_column(String(16))
    supervisor_user_id: Mapped[str | None] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when they leave the program (removed, or deactivated in Slack).
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()


class Pair(Base):
    """A mentor and a mentee, from `started_at` until `ended_at`."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))  # PAIR_END_REASONS
    created_by: Mapped[str] = mapped_column(String(32))
    # The group DM (mentor, mentee, app) the intro went to; meetings can post there.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # Meetings (issue 4): the mentor's local date the next meeting is due (None: the
    # scheduler sets it to start + cadence), and the day "Did you meet?" follow-ups
    # start from (None: the day after it is due; "Not yet" moves it on).
    next_meeting_on: Mapped[date | None] = mapped_column(Date)
    followups_from: Mapped[date | None] = mapped_column(Date)

    mentor: Mapped[Member] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Member] = relationship(foreign_keys=[mentee_id])


class MatchProposal(Base):
    """A pair `/program match` proposed, waiting for the coordinator's approval."""

    __tablename__ = "match_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    batch: Mapped[str] = mapped_column(String(32), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of sentences
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Nudges (issue 3) ---------------------------------------------------------------


class Nudge(Base):
    """The ledger: one row per nudge key (member, kind, period), so that a nudge is sent
    at most once however many passes or processes run. See bot/store/ledger.py."""

    __tablename__ = "nudges"
    __table_args__ = (UniqueConstraint("team_id", "member_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A failed nudge may be claimed again from this instant; None: the failure is final.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(128))  # "channel/ts" of what was sent


class SlackEvent(Base):
    """Event ids already handled: Slack re-delivers events, even to a second process."""

    __tablename__ = "slack_events"
    __table_args__ = (UniqueConstraint("team_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- Meetings, announcements, surveys, digest (issue 4) -------------------------------

ANNOUNCEMENT_AUDIENCES = ("everyone", "mentors", "mentees")  # or "section:<lab section>"
ANNOUNCEMENT_DELIVERIES = ("channel", "dm", "both")


class Meeting(Base):
    """A meeting a pair said they held."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    logged_by: Mapped[str] = mapped_column(String(32))  # Slack user id
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ActionItem(Base):
    """Something a pair agreed to do, noted when logging a meeting; open until ticked."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProgramSettings(Base):
    """Program-wide settings a coordinator sets in Slack (`/program channel #name`,
    `/program settings`). NULL means "not set": the default applies (see
    bot/rules/program_settings.py)."""

    __tablename__ = "program_settings"
    __table_args__ = (UniqueConstraint("program_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    channel_id: Mapped[str | None] = mapped_column(String(32))
    review_dates: Mapped[str | None] = mapped_column(String(64))  # "06-01,12-01"
    digest_weekday: Mapped[int | None] = mapped_column(Integer)  # Monday is 0
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    tz: Mapped[str | None] = mapped_column(String(64))  # the program's time zone
    cadence_days: Mapped[int | None] = mapped_column(Integer)  # default meeting cadence
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Announcement(Base):
    """A coordinator's announcement: DMs go through the nudge ledger (kind
    "announcement", period = id); the channel post through `program_posts`."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = program_fk()
    created_by: Mapped[str] = mapped_column(String(32))  # Slack user id
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(48))
    delivery: Mapped[str] = mapped_column(String(8))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when every delivery is settled and the coordinator got the report.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProgramPost(Base):
    """Exactly-once ledger for program-level posts that belong to no member (the
    announcement's channel post, the weekly digest): one row per (kind, period)."""

    __tablename__ = "program_posts"
    __table_args__ = (UniqueConstraint("team_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # claimed, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ref: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)


class SurveyResponse(Base):
    """One member's answer to one survey about one pair (pulse or closing)."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("pair_id", "member_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))  # "pulse-30", "pulse-90", "closing"
    satisfaction: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectoryPerson(Base):
    """Someone in the workspace per `users.list`, so the patient-data guard knows the
    colleagues who never used Benchmate (bot/usecases/directory.py)."""

    __tablename__ = "directory_people"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    # Real name and display name, one a line: the guard looks colleagues up by either.
    names: Mapped[str] = mapped_column(String(400), default="")
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectorySync(Base):
    """Where the workspace's `users.list` sweep stands: a page per scheduler pass."""

    __tablename__ = "directory_sync"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)  # the next page; None between sweeps
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- Credentials and continuing education (issue 11) ---------------------------------

CYCLE_OUTCOMES = ("maintained", "lapsed")


class MemberCredential(Base):
    """A credential a member keeps (a catalog code) and the end of its current cycle."""

    __tablename__ = "member_credentials"
    __table_args__ = (UniqueConstraint("member_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))  # bot/rules/credentials catalog code
    number: Mapped[str | None] = mapped_column(String(64))  # certificate or licence number
    # The member's own calendar date the current cycle ends (the scheduler selects by it).
    cycle_end: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CredentialCycle(Base):
    """A cycle that ended: maintained (everything earned in time) or lapsed."""

    __tablename__ = "credential_cycles"
    __table_args__ = (UniqueConstraint("credential_id", "cycle_end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("member_credentials.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))
    cycle_end: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))  # CYCLE_OUTCOMES
    earned: Mapped[float] = mapped_column(Float)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CECredit(Base):
    """One continuing-education credit. At most one per win (`win_id` is unique), so a
    win never counts twice; undoing the win removes its credit."""

    __tablename__ = "ce_credits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    win_id: Mapped[int | None] = mapped_column(
        ForeignKey("wins.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(Text, default="")
    earned_on: Mapped[date] = mapped_column(Date)
    points: Mapped[float] = mapped_column(Float)
    allocation: Mapped[str] = mapped_column(Text, default="{}")  # JSON: area key -> points
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
