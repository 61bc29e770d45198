"""The weekly program digest end to end: the win form's "share in the digest" box
(default private), the Monday post once to the program channel with shared wins by
category, certifications and goals achieved; never a private or flagged win; Slack's
message limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.digest import digest_message
from bot.cli import main
from bot.rules import once
from bot.rules.digest import DigestWeek, SharedWin, build, due_digest, is_certification
from bot.slack.gateway import SlackGateway, make_client
from bot.store import program_posts
from bot.store.models import Goal, Member, ProgramPost, Win
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import cli_env, ephemeral_text, import_roster
from tests.scenario import block, block_ids

# The clock starts Fri Nov 20 2026 15:00 UTC (ISO week 2026-W47): its digest is due
# Monday Nov 23, 14:00 UTC.
MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
WEEK = DigestWeek(
    "2026-W47", datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)
)


def tick(bench: Running, at: datetime) -> list[tuple[str, str, str]]:
    bench.clock.current = at
    lines = run_pass(bench.deps, scheduler_gateway(bench.deps), at)
    return [(line.status, line.user, line.period) for line in lines if line.kind == "weekly_digest"]


def log_win(bench: Running, user: str, values: dict[str, Any]) -> dict[str, Any]:
    """Through `/win` and its form; returns the answer (a saved or a warning view)."""
    opened = len(bench.slack.sent("views.open"))
    bench.client.command("/win", user=user)
    view = bench.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    return dict(bench.client.submit(view, values, user=user).json())


def posts_to(bench: Running, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in bench.slack.sent("chat.postMessage") if c.args["channel"] == channel]


def shared(text: str, category: str | None = None, **kw: Any) -> SharedWin:
    fields = {"in_digest": True, "is_private": False, "phi_flagged": False, **kw}
    return SharedWin("U1", text, category, date(2026, 11, 18), **fields)


# --- the pure rules -------------------------------------------------------------------


def test_the_digest_is_due_monday_afternoon_utc_for_three_days() -> None:
    assert due_digest(MONDAY - timedelta(minutes=1)) is None
    assert due_digest(MONDAY) == WEEK
    assert due_digest(MONDAY + timedelta(days=2, hours=23)) == WEEK
    assert due_digest(MONDAY + timedelta(days=3)) is None


def test_what_counts_as_a_certification_and_what_may_be_shared() -> None:
    assert is_certification(shared("Passed my SBB(ASCP) exam!", "development"))
    assert is_certification(shared("Now MB certified", "development"))
    assert not is_certification(shared("Studying for certification", "development"))
    assert not is_certification(shared("Passed my SBB(ASCP) exam!", "technical"))
    digest = build(
        WEEK,
        [
            shared("Cut troponin TAT", "quality"),
            shared("Taught a PCR class", "technical"),
            shared("No category"),
            shared("Passed my SBB(ASCP) exam!", "development"),
            shared("Private one", "quality", is_private=True),
            shared("Not ticked", "quality", in_digest=False),
            shared("Flagged", "quality", phi_flagged=True),
            shared("Saw pt John Smith today", "quality"),  # the guard, again, at post time
        ],
        categories=["technical", "quality", "development"],
        goals_achieved=2,
        certification_goals=1,
    )
    assert [(c, [w.text for w in ws]) for c, ws in digest.by_category.items()] == [
        ("technical", ["Taught a PCR class"]),
        ("quality", ["Cut troponin TAT"]),
        (None, ["No category"]),
    ]
    assert [w.text for w in digest.certifications] == ["Passed my SBB(ASCP) exam!"]


def test_a_huge_week_stays_within_slacks_limits() -> None:
    wins = [
        shared(f"Win {n} " + "long & detailed <story> " * 40, ["technical", "quality"][n % 2])
        for n in range(400)
    ]
    digest = build(
        WEEK, wins, categories=["technical", "quality"], goals_achieved=3, certification_goals=0
    )
    text, blocks = digest_message(digest)
    assert len(blocks) <= 50
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
    shown = sum(b["text"]["text"].count("• <@U1>") for b in blocks if b["type"] == "section")
    more = [b for b in blocks if b["type"] == "context" and "more shared win" in str(b)]
    assert f"…and {400 - shown} more shared win(s)" in more[0]["elements"][0]["text"]
    assert "Goals achieved this week:* 3" in str(blocks)
    assert text.startswith("Wins of the week Nov 16 to Nov 22: 400 shared win(s)")


# --- end to end ----------------------------------------------------------------------


def test_win_form_offers_the_digest_unticked_and_never_for_patient_data(bench: Running) -> None:
    bench.client.command("/win")
    view = bench.slack.wait_for("views.open")[0].args["view"]
    ids = block_ids(view)  # the sharing choices side by side (the CE part follows them)
    assert ids[ids.index("share") + 1] == "digest"
    assert "initial_options" not in block(view, "digest")["element"]  # private by default

    answer = bench.client.submit(
        view, {"text": "Helped MRN 00123456 get results", "digest": True}
    ).json()
    warned = answer["view"]
    assert "digest" not in block_ids(warned)  # flagged text is never offered for posting
    bench.client.submit(warned, {"phi_ack": True})
    with bench.db.begin() as session:
        [win] = session.scalars(select(Win)).all()
        assert (win.phi_flagged, win.is_private, win.in_digest) == (True, True, False)


def test_weekly_digest_posts_shared_wins_once_to_the_program_channel(program: Running) -> None:
    import_roster(program)
    reply = program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user="U301")
    assert "only for the mentorship program's coordinators" in ephemeral_text(reply)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)

    log_win(
        program,
        "U301",
        {"text": "Cut troponin TAT by 12 min", "category": "quality", "digest": True},
    )
    log_win(
        program,
        "U401",
        {"text": "Passed my SBB(ASCP) exam", "category": "development", "digest": True},
    )
    log_win(
        program, "U402", {"text": "Fixed the analyzer queue", "category": "technical"}
    )  # private
    warned = log_win(program, "U302", {"text": "Found pt John Smith's mislabel", "digest": True})
    program.client.submit(warned["view"], {"phi_ack": True}, user="U302")
    with program.db.begin() as session:
        assert session.scalars(select(Win.in_digest).order_by(Win.id)).all() == [
            True,
            True,
            False,
            False,
        ]
        eve = session.scalars(select(Member).where(Member.slack_user_id == "U401")).one()
        session.add(
            Goal(
                team_id="T0001",
                member_id=eve.id,
                title="Earn my SBB certification",
                template_key="cert_specialty",
                status="achieved",
                created_at=program.clock.now() - timedelta(days=90),
                status_changed_at=program.clock.now(),
            )
        )

    assert tick(program, MONDAY - timedelta(minutes=1)) == []
    assert tick(program, MONDAY) == [("sent", "C0PROGRAM", "2026-W47")]
    assert tick(program, MONDAY + timedelta(minutes=1)) == []  # exactly once
    [post] = posts_to(program, "C0PROGRAM")
    text = str(post["blocks"])
    assert "Certifications earned" in text and "<@U401>: Passed my SBB(ASCP) exam" in text
    assert "Quality and compliance" in text and "<@U301>: Cut troponin TAT" in text
    assert "analyzer queue" not in text and "John Smith" not in text
    assert "Goals achieved this week:* 1, 1 of them a certification" in text
    assert len(post["blocks"]) <= 50

    # Next week nobody shared anything: nothing is posted, and that is settled too.
    assert tick(program, MONDAY + timedelta(weeks=1)) == [("empty", "C0PROGRAM", "2026-W48")]
    assert tick(program, MONDAY + timedelta(weeks=1, minutes=1)) == []
    assert len(posts_to(program, "C0PROGRAM")) == 1


def test_a_failed_digest_post_is_tried_again_on_the_next_pass(
    program: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import_roster(program)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    log_win(program, "U301", {"text": "Cut troponin TAT", "category": "quality", "digest": True})
    assert tick(program, MONDAY - timedelta(days=1)) == []  # no channel post on Sunday
    program.slack.fail("chat.postMessage", "not_in_channel")
    assert tick(program, MONDAY) == [("failed", "C0PROGRAM", "2026-W47")]

    cli_env(program, monkeypatch)
    assert main(["tick", "--now", "2026-11-23T14:01:00Z", "--dry-run"]) == 0
    assert "would send  weekly_digest  C0PROGRAM" in capsys.readouterr().out
    assert main(["tick", "--now", "2026-11-23T14:01:00Z"]) == 0
    assert "sent        weekly_digest  C0PROGRAM    2026-W47" in capsys.readouterr().out
    assert len(posts_to(program, "C0PROGRAM")) == 2  # the refused call, then the post
    with program.db.begin() as session:
        post = session.scalars(select(ProgramPost)).one()
        assert (post.kind, post.status, post.attempts) == ("weekly_digest", "sent", 2)


def test_a_digest_posted_by_a_process_that_died_is_recorded_not_posted_again(
    program: Running,
) -> None:
    """A process claimed the week's digest, posted it and died before recording it: the
    pass that takes the claim over finds the post in the channel by its ledger key."""
    import_roster(program)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    log_win(program, "U301", {"text": "Cut troponin TAT", "category": "quality", "digest": True})
    key = {"team_id": "T0001", "kind": "weekly_digest", "period": "2026-W47"}
    with program.db.begin() as session:
        program_posts.claim(session, **key, now=MONDAY)
    gateway = SlackGateway(make_client("xoxb-test", program.slack.api_url))
    ts = gateway.post("C0PROGRAM", "digest", metadata=once.metadata(once.post_key(**key)))

    assert tick(program, MONDAY + timedelta(minutes=5)) == []  # still leased
    assert tick(program, MONDAY + timedelta(minutes=11)) == [("sent", "C0PROGRAM", "2026-W47")]
    assert tick(program, MONDAY + timedelta(minutes=12)) == []

    assert len(posts_to(program, "C0PROGRAM")) == 1  # the dead process's, only
    with program.db.begin() as session:
        post = session.scalars(select(ProgramPost)).one()
        assert (post.status, post.ref, post.attempts) == ("sent", f"C0PROGRAM/{ts}", 2)


def test_the_digest_carries_its_ledger_key(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    log_win(program, "U301", {"text": "Cut troponin TAT", "category": "quality", "digest": True})
    assert tick(program, MONDAY) == [("sent", "C0PROGRAM", "2026-W47")]
    [post] = posts_to(program, "C0PROGRAM")
    assert post["metadata"] == once.metadata("post/T0001/weekly_digest/2026-W47")
