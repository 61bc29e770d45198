"""Text from people is inert wherever Benchmate posts it.

One scenario types Slack markup (`<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`,
`<#C…>`, `<http…|…>`) into every input: a win by `/win` and by the form, a DM reply to
the weekly prompt, a goal, meeting notes and action items, an announcement, a survey
comment, and a display name. Then it walks every message, view and answer Benchmate
sent (to the fake Slack, to response_urls, and as HTTP answers) and checks that none of
that markup is live in any mrkdwn text or `text` fallback, while each input's words did
arrive somewhere, escaped (so the walk is not vacuous). Meeting notes are typed too but
never shown back to anyone, so they are only checked for not being live.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.store.models import Pair, SurveyResponse
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import import_roster
from tests.slackclient import Reply
from tests.test_dm_replies import dm

LIVE = ("<!channel", "<!here", "<!everyone", "<!subteam", "<@U666", "<#C666", "<http://evil")


def hostile(tag: str) -> str:
    """Markup a person might type, labelled with where it was typed."""
    return (
        f"{tag} <!channel> <!here> <!everyone> <!subteam^S1|@leads> <@U666> <#C666|secret> "
        f"<http://evil.example/{tag.replace(' ', '-')}|{tag} click me> & done"
    )


def texts(value: Any) -> Iterator[str]:
    """Every text Slack renders as mrkdwn in a message, view or answer: `text` fields
    (fallbacks, section, context and field texts) and upload comments. plain_text
    objects and input values show markup as typed, so they are left out."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key in ("text", "initial_comment") and isinstance(item, str):
                yield item
            elif key not in ("initial_value", "value", "private_metadata", "initial_option"):
                yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def everything_sent(bench: Running, answers: list[Reply]) -> list[str]:
    found: list[str] = []
    for call in bench.slack.calls:
        found += texts(call.args)
    for posted in bench.slack.responses:
        found += texts(posted)
    for answer in answers:
        if answer.body and answer.body.lstrip().startswith(b"{"):
            found += texts(answer.json())
    return found


def test_markup_typed_into_every_input_arrives_inert_everywhere(program: Running) -> None:
    bench = program
    answers: list[Reply] = []

    def say(reply: Reply) -> Reply:
        answers.append(reply)
        assert reply.status in (200, 404), reply
        return reply

    def opened(count_before: int) -> dict[str, Any]:
        return bench.slack.wait_for("views.open", count_before + 1)[-1].args["view"]

    # A display name with markup in it (Slack allows most characters in names).
    bench.slack.add_user("U402", hostile("name") + " Ned", "America/Denver", email="ned@lab.org")
    import_roster(bench)
    say(bench.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR))
    say(bench.client.command("/program", "pair <@U301|sam> <@U401|eve>", user=COORDINATOR))
    bench.slack.wait_for_response()
    with bench.db.begin() as session:
        pair_id = session.scalars(select(Pair.id)).one()

    # Wins: /win, a rejected /win (echoed back), a held /win, the form (shared).
    say(bench.client.command("/win", hostile("slash win"), user="U401"))
    say(bench.client.command("/win", hostile("too long") + " x" * 2000, user="U401"))
    say(bench.client.command("/win", hostile("held") + " for pt John Smith", user="U401"))
    before = len(bench.slack.sent("views.open"))
    say(bench.client.command("/win", user="U401"))
    form = opened(before)
    say(
        bench.client.submit(
            form, {"text": hostile("form win"), "share": True, "digest": True}, user="U401"
        )
    )
    say(bench.client.command("/win", "list", user="U401"))

    # Goals: the form, the list, the Home tab, dropping one from a message.
    for tag in ("goal kept", "goal dropped"):
        before = len(bench.slack.sent("views.open"))
        say(bench.client.command("/goal", user="U401"))
        say(
            bench.client.submit(
                opened(before),
                {"title": hostile(tag)[:250], "measure": hostile(tag + " measure"), "share": True},
                user="U401",
            )
        )
    say(bench.client.command("/goal", "list", user="U401"))
    with bench.db.begin() as session:
        from bot.store.models import Goal

        dropped = session.scalars(select(Goal.id).order_by(Goal.id)).all()[-1]
    say(bench.client.click("goal_menu", user="U401", selected=f"dropped:{dropped}"))
    say(bench.client.event({"type": "app_home_opened", "user": "U401", "tab": "home"}))

    # Meetings: notes and action items, then /mentor for both.
    before = len(bench.slack.sent("views.open"))
    say(bench.client.click("meeting_log", str(pair_id), user="U301", where="home"))
    say(
        bench.client.submit(
            opened(before),
            {
                "held_on": "2026-11-19",
                "notes": hostile("meeting notes"),
                "items": hostile("action item"),
                "phi_ack": True,
            },
            user="U301",
        )
    )
    say(bench.client.command("/mentor", user="U301"))
    say(bench.client.command("/mentor", user="U401"))

    # An announcement to everyone, in the channel and by DM.
    before = len(bench.slack.sent("views.open"))
    say(bench.client.command("/program", "announce", user=COORDINATOR))
    say(
        bench.client.submit(
            opened(before),
            {
                "message": hostile("announcement"),
                "audience": "everyone",
                "delivery": "both",
                "when": "now",
            },
            user=COORDINATOR,
        )
    )

    # A DM reply to the weekly prompt, and one held for patient data.
    start = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    run_pass(bench.deps, scheduler_gateway(bench.deps), start)
    bench.clock.current = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # Friday, after 14:00
    run_pass(bench.deps, scheduler_gateway(bench.deps), bench.clock.current)
    say(bench.client.event(dm("U401", hostile("dm reply"))))
    say(bench.client.event(dm("U401", hostile("dm held") + " MRN 00123456")))
    bench.slack.wait_for("reactions.add")

    # The weekly digest (Monday), reminders and surveys (December).
    for at in (
        datetime(2026, 11, 23, 14, 5, tzinfo=UTC),
        datetime(2026, 12, 4, 20, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 20, 0, tzinfo=UTC),
        datetime(2026, 12, 20, 20, 0, tzinfo=UTC),
        datetime(2026, 12, 20, 21, 0, tzinfo=UTC),
    ):
        bench.clock.current = at
        run_pass(bench.deps, scheduler_gateway(bench.deps), at)

    # A survey comment the coordinators may read, with enough answers to show it.
    before = len(bench.slack.sent("views.open"))
    say(bench.client.click("survey_open", f"{pair_id}:pulse-30", user="U401"))
    say(
        bench.client.submit(
            opened(before),
            {"satisfaction": "4", "comment": hostile("survey comment"), "share": True},
            user="U401",
        )
    )
    with bench.db.begin() as session:
        from bot.store.models import Member

        for n in range(5):
            person = Member(team_id="T0001", slack_user_id=f"U70{n}", created_at=start)
            session.add(person)
            session.flush()
            session.add(
                SurveyResponse(
                    team_id="T0001",
                    pair_id=pair_id,
                    member_id=person.id,
                    period="pulse-30",
                    satisfaction=4,
                    comment="",
                    anonymous=False,
                    answered_at=start,
                )
            )
    say(bench.client.command("/program", "surveys", user=COORDINATOR))

    # Matching shows names; removing someone tells people their name.
    say(bench.client.command("/program", "match", user=COORDINATOR))
    bench.slack.wait_for("views.update", timeout=10)
    say(bench.client.command("/program", "remove <@U402|ned>", user=COORDINATOR))
    bench.slack.wait_for_response(3, timeout=10)
    published = len(bench.slack.sent("views.publish"))
    say(bench.client.event({"type": "app_home_opened", "user": "U401", "tab": "home"}))
    bench.slack.wait_for("views.publish", published + 1)

    sent = everything_sent(bench, answers)
    live = [t for t in sent if any(mark in t for mark in LIVE)]
    assert live == [], "\n\n".join(live)
    arrived = {
        tag
        for tag in (
            "slash win",
            "too long",
            "held",
            "form win",
            "goal kept",
            "goal dropped",
            "action item",
            "announcement",
            "dm reply",
            "dm held",
            "survey comment",
            "name",
        )
        if any(f"{tag} &lt;!channel&gt;" in t for t in sent)
    }
    assert arrived == {
        "slash win",
        "too long",
        "held",
        "form win",
        "goal kept",
        "goal dropped",
        "action item",
        "announcement",
        "dm reply",
        "dm held",
        "survey comment",
        "name",
    }
    # The announcement's fallback (what notifications show) is escaped too.
    fallbacks = [
        c.args["text"]
        for c in bench.slack.sent("chat.postMessage")
        if "From the mentorship program" in str(c.args.get("blocks"))
    ]
    assert fallbacks and all("announcement &lt;!channel&gt;" in f for f in fallbacks)
    assert timedelta(0) <= bench.clock.now() - start


def test_what_was_typed_is_echoed_inert_when_a_command_fails(bench: Running) -> None:
    from sqlalchemy import text

    with bench.db.begin() as session:  # the database breaks under us
        session.execute(text("ALTER TABLE members RENAME TO members_gone"))

    reply = bench.client.command("/win", hostile("echo"))

    body = reply.json()
    assert body["text"].startswith("Sorry, something went wrong on my side")
    assert "echo &lt;!channel&gt;" in body["text"]
    assert not any(mark in body["text"] for mark in LIVE)
