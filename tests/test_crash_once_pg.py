"""Exactly once across a crash mid-send, with real processes on one PostgreSQL database.

Two scheduler processes (`benchmate tick`) or two web processes (`benchmate serve`)
send 300 messages; one of them is killed with SIGKILL mid-pass (after the Slack-like
server has seen N messages), some of its messages posted but not yet recorded. It is
restarted, and passes run until everything is settled (the clock moved past the claim
lease with `--now`). Then, per member: exactly one message of each kind, counted in
what Slack stored (each message carries its ledger key in its metadata).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.store.db import Database
from bot.store.ledger import LEASE
from bot.store.models import Announcement, Member, Nudge, Pair, ProgramProfile
from tests.conftest import COORDINATOR, SECRET
from tests.fakeslack import FakeSlack
from tests.served import Served
from tests.slackclient import SlackClient

NOW = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)  # Friday, 14:05 in Chicago
LATER = NOW + LEASE + timedelta(minutes=1)  # every claim of the killed process is stale
MEMBERS = 300
KILL_AFTER = 60  # chat.postMessage calls from the victim before its SIGKILL


VICTIM = "xoxb-victim"  # the token of the process to kill: Slack sees who sent what


def env(url: str, slack: FakeSlack, token: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "BENCHMATE_COORDINATORS": COORDINATOR,
    }


def start(
    url: str, slack: FakeSlack, cwd: Path, *args: str, token: str = "xoxb-test-token"
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env(url, slack, token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def tick(
    url: str, slack: FakeSlack, cwd: Path, at: datetime, token: str = "xoxb-test-token"
) -> subprocess.Popen[str]:
    return start(url, slack, cwd, "tick", "--now", at.isoformat(), token=token)


def finish(*processes: subprocess.Popen[str]) -> None:
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, (out, err[-3000:])


def posts_by(slack: FakeSlack, token: str) -> int:
    return len([c for c in slack.sent("chat.postMessage") if c.token == token])


def wait_for_posts(victim: subprocess.Popen[str], slack: FakeSlack, count: int) -> None:
    """Until Slack has seen `count` messages from the victim (its token)."""
    deadline = time.monotonic() + 120
    while posts_by(slack, VICTIM) < count:
        assert victim.poll() is None, victim.communicate()
        assert time.monotonic() < deadline, "the pass never got going"
        time.sleep(0.001)


def kill_mid_pass(victim: subprocess.Popen[str], slack: FakeSlack, after: int) -> None:
    """SIGKILL the victim just after Slack received its `after`-th message: that one is
    still being posted (the fake takes `post_delay` to answer), and gets posted, but
    the victim never hears back, so never records it."""
    wait_for_posts(victim, slack, after)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)  # killed: it writes nothing more, so no pipe can block it
    assert victim.returncode == -signal.SIGKILL  # it was still sending: killed mid-pass


def per_member(slack: FakeSlack, kind: str) -> Counter[str]:
    """Messages Slack stored per DM channel whose metadata carries a `kind` ledger key."""
    with slack._lock:
        stored = {channel: list(messages) for channel, messages in slack.messages.items()}
    counts: Counter[str] = Counter()
    for channel, messages in stored.items():
        for message in messages:
            key = str(((message.get("metadata") or {}).get("event_payload") or {}).get("key"))
            if key.split("/")[3:4] == [kind]:
                counts[channel] += 1
    return counts


def posted_unrecorded(url: str, slack: FakeSlack, kind: str) -> int:
    """Messages Slack has whose ledger row still says `claimed`: the crash's victims."""
    db = Database(url)
    with db.begin() as session:
        claimed = {
            f"D{user[1:]}"
            for user in session.scalars(
                select(Member.slack_user_id)
                .join(Nudge, Nudge.member_id == Member.id)
                .where(Nudge.kind == kind, Nudge.status == "claimed")
            )
        }
    db.dispose()
    return len(claimed & set(per_member(slack, kind)))


def statuses(url: str, kind: str) -> Counter[str]:
    db = Database(url)
    with db.begin() as session:
        found = Counter(session.scalars(select(Nudge.status).where(Nudge.kind == kind)))
    db.dispose()
    return found


def seed_members(url: str, slack: FakeSlack, *, prompt_due: bool, on_roster: bool) -> list[int]:
    db = Database(url)
    ids = []
    with db.begin() as session:
        for n in range(MEMBERS):
            user = f"U{n:06d}"
            slack.add_user(user, f"Member {n}", "America/Chicago")
            member = Member(
                team_id="T0001",
                slack_user_id=user,
                name=f"Member {n}",
                tz="America/Chicago",
                created_at=NOW - timedelta(days=30),
                profile_refreshed_at=NOW - timedelta(hours=1),
                next_prompt_at=NOW - timedelta(minutes=n % 30) if prompt_due else None,
                next_prompt_period="2026-W47" if prompt_due else None,
                prompts_stopped=not prompt_due,
            )
            session.add(member)
            session.flush()
            ids.append(member.id)
            if on_roster:
                session.add(
                    ProgramProfile(
                        team_id="T0001",
                        member_id=member.id,
                        role="mentee",
                        joined_at=NOW - timedelta(days=30),
                        updated_at=NOW - timedelta(days=30),
                    )
                )
    db.dispose()
    return ids


def test_weekly_prompts_exactly_once_when_a_scheduler_is_killed_mid_pass(
    postgres_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    seed_members(postgres_url, slack, prompt_due=True, on_roster=False)
    slack.set_now(NOW)  # Slack's clock runs with the passes' `--now`
    slack.post_delay = 0.03  # a pass takes a second or two: long enough to be killed in
    victim = tick(postgres_url, slack, tmp_path, NOW, token=VICTIM)
    wait_for_posts(victim, slack, 1)  # the victim holds claims; the second joins in
    survivor = tick(postgres_url, slack, tmp_path, NOW)
    kill_mid_pass(victim, slack, KILL_AFTER)
    finish(survivor)
    assert posted_unrecorded(postgres_url, slack, "weekly_prompt") > 0  # the case at hand
    finish(tick(postgres_url, slack, tmp_path, NOW))  # restarted: its claims still leased

    slack.set_now(LATER)
    finish(tick(postgres_url, slack, tmp_path, LATER), tick(postgres_url, slack, tmp_path, LATER))
    finish(tick(postgres_url, slack, tmp_path, LATER + timedelta(minutes=1)))

    prompts = per_member(slack, "weekly_prompt")
    assert len(prompts) == MEMBERS  # nobody never prompted
    assert [c for c, n in prompts.items() if n > 1] == []  # nobody prompted twice
    assert len(slack.sent("chat.postMessage")) == MEMBERS
    assert statuses(postgres_url, "weekly_prompt") == {"sent": MEMBERS}
    assert slack.sent("conversations.history")  # the takeovers looked first


def test_meeting_reminders_exactly_once_when_a_scheduler_is_killed_mid_pass(
    postgres_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    ids = seed_members(postgres_url, slack, prompt_due=False, on_roster=False)
    db = Database(postgres_url)
    with db.begin() as session:
        for mentor, mentee in zip(ids[0::2], ids[1::2], strict=True):
            session.add(
                Pair(
                    team_id="T0001",
                    mentor_id=mentor,
                    mentee_id=mentee,
                    started_at=NOW - timedelta(days=14),
                    created_by=COORDINATOR,
                    next_meeting_on=date(2026, 11, 20),  # today: reminders at 14:00 local
                )
            )
    db.dispose()
    slack.set_now(NOW)
    slack.post_delay = 0.03  # the window the SIGKILL lands in (see kill_mid_pass)
    victim = tick(postgres_url, slack, tmp_path, NOW, token=VICTIM)
    wait_for_posts(victim, slack, 1)  # the victim holds claims; the second joins in
    survivor = tick(postgres_url, slack, tmp_path, NOW)
    kill_mid_pass(victim, slack, KILL_AFTER)
    finish(survivor)
    assert posted_unrecorded(postgres_url, slack, "meeting_reminder") > 0
    finish(tick(postgres_url, slack, tmp_path, NOW))

    slack.set_now(LATER)
    finish(tick(postgres_url, slack, tmp_path, LATER), tick(postgres_url, slack, tmp_path, LATER))
    finish(tick(postgres_url, slack, tmp_path, LATER + timedelta(minutes=1)))

    reminders = per_member(slack, "meeting_reminder")
    assert len(reminders) == MEMBERS
    assert [c for c, n in reminders.items() if n > 1] == []
    assert statuses(postgres_url, "meeting_reminder") == {"sent": MEMBERS}


def serve(
    url: str, slack: FakeSlack, cwd: Path, token: str = "xoxb-test-token"
) -> tuple[Served, SlackClient]:
    server = Served.start([sys.executable, "-m", "bot.cli", "serve"], env(url, slack, token), cwd)
    server.wait_listening()
    return server, SlackClient(server.base + "/slack/events", SECRET, slack.url)


def announce(client: SlackClient, slack: FakeSlack, message: str) -> None:
    """`/program announce`, then the form: to everyone, by DM, now."""
    before = len(slack.sent("views.open"))
    client.command("/program", "announce", user=COORDINATOR)
    form = slack.wait_for("views.open", before + 1, timeout=30)[-1].args["view"]
    reply = client.submit(
        form,
        {"message": message, "audience": "everyone", "delivery": "dm", "when": "now"},
        user=COORDINATOR,
    )
    assert reply.status == 200 and "Sending now" in reply.body.decode(), reply.body


def test_announcements_exactly_once_when_a_web_process_is_killed_mid_send(
    postgres_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    """Two coordinators' "announce now" go to two web processes, which send from the
    request's worker; one is killed mid-send and restarted, the scheduler settles."""
    seed_members(postgres_url, slack, prompt_due=False, on_roster=True)
    slack.add_user(COORDINATOR, "Cora Coordinator", "America/Chicago")
    slack.post_delay = 0.03  # the window the SIGKILL lands in (see kill_mid_pass)
    (victim, first), (survivor, second) = (
        serve(postgres_url, slack, tmp_path, token=VICTIM),
        serve(postgres_url, slack, tmp_path),
    )
    try:
        announce(first, slack, "Lab week starts Monday: bring a win to share!")
        announce(second, slack, "Journal club moves to Thursday.")
        kill_mid_pass(victim.process, slack, KILL_AFTER)
        restarted, _ = serve(postgres_url, slack, tmp_path)  # back, as a supervisor would
        restarted.stop()
        # The survivor finishes its announcement (and sends the coordinator its report).
        deadline = time.monotonic() + 120
        while statuses(postgres_url, "announcement_report").total() < 1:
            assert time.monotonic() < deadline, "the second announcement never finished"
            time.sleep(0.2)
    finally:
        survivor.stop()
        victim.kill()
    assert posted_unrecorded(postgres_url, slack, "announcement") > 0

    # The scheduler's announcements job finishes what the killed process left, once the
    # lease of its claims ran out (the web processes used the real clock).
    later = datetime.now(UTC) + LEASE + timedelta(minutes=1)
    finish(tick(postgres_url, slack, tmp_path, later), tick(postgres_url, slack, tmp_path, later))
    finish(tick(postgres_url, slack, tmp_path, later + timedelta(minutes=1)))

    db = Database(postgres_url)
    with db.begin() as session:
        announcements = list(session.scalars(select(Announcement).order_by(Announcement.id)))
        rows = Counter(
            session.execute(
                select(Nudge.period, Nudge.status).where(Nudge.kind == "announcement")
            ).all()
        )
        reports = session.scalar(
            select(func.count(Nudge.id)).where(Nudge.kind == "announcement_report")
        )
    db.dispose()
    assert [a.done_at is not None for a in announcements] == [True, True]
    assert rows == {(str(a.id), "sent"): MEMBERS for a in announcements}
    assert reports == 2
    dms = per_member(slack, "announcement")
    assert len(dms) == MEMBERS
    assert set(dms.values()) == {2}  # each member: each announcement once
    assert len([c for c in slack.sent("chat.postMessage") if c.args["channel"] != COORDINATOR]) == (
        2 * MEMBERS
    )
