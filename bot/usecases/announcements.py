"""Announcements: the program channel setting, the form, and sending exactly once.

DMs go through `deliver_dm` (the nudge ledger, kind "announcement", period = the
announcement id), so each person gets one however many passes run, with Slack's rate
limits waited out. The channel post goes through `program_posts` (kind
"announcement", period = id). When every delivery is settled the coordinator gets a
report DM (ledger kind "announcement_report"), once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.blocks import announcements as blocks
from bot.blocks import state
from bot.deps import Deps
from bot.rules import announcements as rules
from bot.rules import once
from bot.rules.mrkdwn import escape
from bot.rules.phi import describe
from bot.slack.gateway import SlackGateway, make_client
from bot.store import ledger, program_posts
from bot.store.models import Announcement, Member, ProgramProfile, ProgramSettings
from bot.usecases.coordinators import record
from bot.usecases.delivery import deliver_dm, post_once, worker_name
from bot.usecases.members import find_member

KIND = "announcement"
REPORT = "announcement_report"


# --- the program channel ------------------------------------------------------------


def program_channel(session: Any, team_id: str) -> str | None:
    found = session.scalars(
        select(ProgramSettings.channel_id).where(ProgramSettings.team_id == team_id)
    ).first()
    return found or None


def set_program_channel(
    session: Any, *, team_id: str, channel_id: str, by: str, now: datetime
) -> None:
    settings = session.scalars(
        select(ProgramSettings).where(ProgramSettings.team_id == team_id)
    ).first()
    if settings is None:
        settings = ProgramSettings(team_id=team_id, updated_by=by, updated_at=now)
        session.add(settings)
    settings.channel_id, settings.updated_by, settings.updated_at = channel_id, by, now
    record(session, team_id, by, "program_channel", {"channel": channel_id}, now)


# --- the form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    announcement_id: int
    send_at: datetime
    now: bool


def submit_form(
    deps: Deps, member: Member, view: dict[str, Any], now: datetime
) -> Created | dict[str, str] | dict[str, Any]:
    """Save a new announcement; or the form's errors (block id -> why); or, when the
    text may carry patient data and the coordinator has not confirmed, the form again
    with the warning (a view: it has a "type")."""
    text = state.text(view, "message").strip()
    audience = state.selected(view, "audience") or ""
    delivery = state.selected(view, "delivery") or ""
    when = state.selected(view, "when") or "now"
    errors: dict[str, str] = {}
    if not text:
        errors["message"] = "Write the message."
    if audience not in rules.audience_choices():
        errors["audience"] = "Pick who it is for."
    if delivery not in rules.DELIVERIES:
        errors["delivery"] = "Pick where it goes."
    day = state.picked_date(view, "day")
    at = state.picked_time(view, "time")
    if isinstance(at, str):
        errors["time"] = "That isn't a time I can read."
        at = None
    send_at = rules.send_at(
        now=now,
        later=when == "later",
        day=day if not isinstance(day, str) else None,
        at=at,
        tz=member.tz,
    )
    if isinstance(send_at, str):
        errors["day"] = send_at
    with deps.db.begin() as session:
        channel = program_channel(session, member.team_id)
    if rules.wants_channel(delivery) and channel is None:
        errors["delivery"] = (
            "There's no program channel yet: set one with `/program channel #name`, or choose DMs."
        )
    if errors:
        return errors
    findings = deps.phi.for_team(deps.db, member.team_id).find(text)
    if findings and rules.wants_channel(delivery):
        # Never to a shared channel, whatever the box says: only DMs may be sent anyway.
        return {
            "message": f"This looks like patient information ({describe(findings)}), which "
            "is never posted to a channel. Edit it out, or send by DM only."
        }
    if findings and not state.checked(view, "phi_ack"):
        return blocks.announce_modal(
            text=text,
            audience=audience,
            delivery=delivery,
            when=when,
            findings=findings,
            channel=channel,
        )
    assert isinstance(send_at, datetime)
    with deps.db.begin() as session:
        announcement = Announcement(
            team_id=member.team_id,
            created_by=member.slack_user_id,
            text=text,
            audience=audience,
            delivery=delivery,
            send_at=send_at,
            created_at=now,
        )
        session.add(announcement)
        session.flush()
        record(
            session,
            member.team_id,
            member.slack_user_id,
            "announce",
            {"announcement": announcement.id, "audience": audience, "delivery": delivery},
            now,
        )
        return Created(announcement.id, send_at, when != "later")


# --- sending --------------------------------------------------------------------------


def recipients(session: Any, announcement: Announcement) -> list[Member]:
    """Active people on the roster in the audience (nobody who left)."""
    rows = session.execute(
        select(Member, ProgramProfile)
        .join(ProgramProfile, ProgramProfile.member_id == Member.id)
        .where(
            Member.team_id == announcement.team_id,
            Member.is_active.is_(True),
            ProgramProfile.left_at.is_(None),
        )
        .order_by(Member.id)
    ).all()
    return [
        member
        for member, profile in rows
        if rules.in_audience(
            announcement.audience, role=profile.role, lab_section=member.lab_section
        )
    ]


@dataclass(frozen=True)
class Outcome:
    user: str  # a Slack user id, or the channel id for the channel post
    status: str  # sent, failed, deactivated, busy, skipped
    error: str = ""


def due_ids(session: Any, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(Announcement.id)
            .where(Announcement.done_at.is_(None), Announcement.send_at <= now)
            .order_by(Announcement.id)
        )
    )


def send(deps: Deps, gateway: SlackGateway, announcement_id: int, now: datetime) -> list[Outcome]:
    """Deliver what is still undelivered of one announcement; report when all is settled."""
    with deps.db.begin() as session:
        announcement = session.get(Announcement, announcement_id)
        if announcement is None or announcement.done_at is not None:
            return []
        people = recipients(session, announcement) if rules.wants_dms(announcement.delivery) else []
        channel = program_channel(session, announcement.team_id)
    outcomes = []
    if rules.wants_channel(announcement.delivery) and channel:
        outcomes += post_to_channel(deps, announcement, channel, now)
    text = f"From the mentorship program: {escape(announcement.text[:150])}"
    message = blocks.announcement_blocks(announcement.text)
    for person in people:
        result = deliver_dm(
            deps.db,
            gateway,
            member=person,
            kind=KIND,
            period=str(announcement.id),
            due_at=announcement.send_at,
            now=now,
            worker=worker_name(),
            text=text,
            blocks=message,
        )
        outcomes.append(Outcome(person.slack_user_id, result.status, result.error or ""))
    report(deps, gateway, announcement, people, channel, now)
    return outcomes


def post_to_channel(
    deps: Deps, announcement: Announcement, channel: str, now: datetime
) -> list[Outcome]:
    """Post once in the program channel, with the ledger key in the metadata (a claim
    taken over looks for it first); a failure is left for the next pass. Its own client
    without blind retries: a retried post that had gone through would post twice."""
    key = {"team_id": announcement.team_id, "kind": KIND, "period": str(announcement.id)}
    with deps.db.begin() as session:
        claim = program_posts.claim(session, **key, now=now)
    if claim is None:
        return []
    poster = SlackGateway(
        make_client(deps.settings.bot_token, deps.settings.slack_api_url, retries=0)
    )
    result = post_once(
        poster,
        channel,
        escape(announcement.text[:150]),
        blocks.announcement_blocks(announcement.text),
        now,
        key=once.post_key(**key),
        look_since=claim.look_since,
    )
    with deps.db.begin() as session:
        if result.status == "sent":
            program_posts.mark_sent(session, claim.id, now, ref=result.ref or "")
        else:
            error = result.error or "unknown_error"
            program_posts.mark_failed(session, claim.id, error, look_since=result.look_since)
    return [Outcome(channel, result.status, "" if result.status == "sent" else result.error or "")]


def report(
    deps: Deps,
    gateway: SlackGateway,
    announcement: Announcement,
    people: list[Member],
    channel: str | None,
    now: datetime,
) -> bool:
    """Once every delivery is settled, DM the coordinator what happened (once)."""
    period = str(announcement.id)
    sent: list[str] = []
    failed: list[tuple[str, str]] = []
    with deps.db.begin() as session:
        for person in people:
            nudge = ledger.find(
                session, team_id=person.team_id, member_id=person.id, kind=KIND, period=period
            )
            if not ledger.is_settled(nudge):
                return False
            assert nudge is not None
            if nudge.status == "sent":
                sent.append(person.slack_user_id)
            else:
                failed.append((person.slack_user_id, blocks.why(nudge.last_error or nudge.status)))
        post = None
        if rules.wants_channel(announcement.delivery) and channel:
            post = program_posts.find(
                session, team_id=announcement.team_id, kind=KIND, period=period
            )
            if not program_posts.is_settled(post):
                return False
        creator = find_member(session, announcement.team_id, announcement.created_by)
    channel_error = None
    if rules.wants_channel(announcement.delivery):
        channel_error = (
            "no program channel is set"
            if channel is None
            else None
            if post is not None and post.status == "sent"
            else blocks.why(post.last_error if post and post.last_error else "failed")
        )
    text = blocks.report_text(
        announcement_id=announcement.id,
        sent=sent,
        failed=failed,
        channel=channel or ("none" if rules.wants_channel(announcement.delivery) else None),
        channel_error=channel_error,
    )
    if creator is not None:
        deliver_dm(
            deps.db,
            gateway,
            member=creator,
            kind=REPORT,
            period=period,
            due_at=now,
            now=now,
            worker=worker_name(),
            text=text,
            blocks=None,
        )
    with deps.db.begin() as session:
        fresh = session.get(Announcement, announcement.id)
        if fresh is not None:
            fresh.done_at = now
    return True


def send_mine(
    deps: Deps, gateway: SlackGateway, team_id: str, user_id: str, now: datetime
) -> list[Outcome]:
    """Right after the form: send this coordinator's announcements that are due."""
    with deps.db.begin() as session:
        ids = [
            a.id
            for a in session.scalars(
                select(Announcement).where(
                    Announcement.team_id == team_id,
                    Announcement.created_by == user_id,
                    Announcement.done_at.is_(None),
                    Announcement.send_at <= now,
                )
            )
        ]
    return [outcome for i in ids for outcome in send(deps, gateway, i, now)]
