"""The HTTP boundary refuses what Slack never sends: incomplete or wrongly-shaped
payloads (400, nothing saved), oversized bodies (413, unread), other content types (415),
and strips NUL and other control characters from people's text, on SQLite and
PostgreSQL."""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from bot.server import MAX_BODY
from bot.store.models import Draft, Goal, Member, Win
from tests.conftest import Running, run_app
from tests.fakeslack import FakeSlack
from tests.scenario import open_modal, stored_goals, stored_wins
from tests.slackclient import TEAM

FORM = "application/x-www-form-urlencoded"


def row_counts(bench: Running) -> dict[str, int]:
    with bench.db.begin() as session:
        return {
            m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Member, Win, Goal, Draft)
        }


def command_form(**fields: str) -> bytes:
    form = {
        "command": "/win",
        "text": "validated the new coag analyzer",
        "user_id": "U100",
        "team_id": TEAM,
        "response_url": "http://127.0.0.1:9/response/1",
        "trigger_id": "1.1.abc",
    }
    form.update(fields)
    return urlencode({k: v for k, v in form.items() if v != "<absent>"}).encode()


@pytest.mark.parametrize(
    "fields",
    [
        {"user_id": "<absent>"},
        {"user_id": ""},
        {"user_id": "None"},
        {"team_id": "<absent>"},
        {"team_id": ""},
        {"command": "<absent>"},
    ],
    ids=["no user", "empty user", "user None", "no team", "empty team", "no command"],
)
def test_an_incomplete_slash_command_is_refused_and_saves_nothing(
    bench: Running, fields: dict[str, str]
) -> None:
    reply = bench.client.post(command_form(**fields), FORM)

    assert reply.status == 400
    assert b"Traceback" not in reply.body
    assert row_counts(bench) == {"members": 0, "wins": 0, "goals": 0, "drafts": 0}


def base(kind: str) -> dict[str, Any]:
    return {"type": kind, "user": {"id": "U100", "team_id": TEAM}, "team": {"id": TEAM}}


MALFORMED_INTERACTIONS: dict[str, dict[str, Any]] = {
    "actions is a string": {**base("block_actions"), "actions": "home_export"},
    "actions is empty": {**base("block_actions"), "actions": []},
    "an action is a string": {**base("block_actions"), "actions": ["home_export"]},
    "view is a string": {**base("view_submission"), "view": "win_modal"},
    "state is a string": {
        **base("view_submission"),
        "view": {"callback_id": "win_modal", "state": "x", "blocks": []},
    },
    "state values hold a string": {
        **base("view_submission"),
        "view": {"callback_id": "win_modal", "state": {"values": {"text": "x"}}, "blocks": []},
    },
    "no user": {"type": "block_actions", "team": {"id": TEAM}, "actions": [{"action_id": "a"}]},
    "user is a string": {**base("block_actions"), "user": "U100"},
    "no team": {"type": "shortcut", "user": {"id": "U100"}, "callback_id": "x"},
    "unknown type": {**base("dialog_submission")},
}


@pytest.mark.parametrize("payload", MALFORMED_INTERACTIONS.values(), ids=MALFORMED_INTERACTIONS)
def test_a_malformed_interaction_is_refused_not_a_500(
    bench: Running, payload: dict[str, Any]
) -> None:
    reply = bench.client.interactive(payload)
    assert reply.status == 400
    assert row_counts(bench)["members"] == 0


def test_an_event_that_is_a_string_is_refused(bench: Running) -> None:
    body = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": "message"}
    reply = bench.client.post(json.dumps(body).encode(), "application/json")
    assert reply.status == 400
    # ... and an event whose user is not an id
    body["event"] = {"type": "message", "channel_type": "im", "user": ["U100"], "text": "x"}
    assert bench.client.post(json.dumps(body).encode(), "application/json").status == 400
    assert row_counts(bench) == {"members": 0, "wins": 0, "goals": 0, "drafts": 0}


def test_slacks_own_checks_still_pass(bench: Running) -> None:
    challenge = {"type": "url_verification", "token": "t", "challenge": "abc123"}
    reply = bench.client.post(json.dumps(challenge).encode(), "application/json")
    assert reply.status == 200 and b"abc123" in reply.body
    assert bench.client.post(b"ssl_check=1&token=t", FORM).status == 200


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data", "application/xml"])
def test_other_content_types_are_refused(bench: Running, content_type: str) -> None:
    assert bench.client.post(command_form(), content_type).status == 415
    assert row_counts(bench)["wins"] == 0


def test_a_field_given_twice_is_refused(bench: Running) -> None:
    body = command_form() + b"&user_id=U200"
    assert bench.client.post(body, FORM).status == 400
    assert row_counts(bench)["wins"] == 0


def raw_request(url: str, head: bytes, body: bytes = b"") -> tuple[bytes, float]:
    """Send `head` + `body` on a bare socket; the first line of the answer and how long
    it took. Lets a request announce more than it sends."""
    parts = urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(head + body)
        answer = sock.recv(4096)
    return answer.split(b"\r\n", 1)[0], time.monotonic() - started


def test_an_oversized_body_is_refused_before_it_is_read(bench: Running) -> None:
    # Announces 300 MB and sends a few bytes: an answer at once proves nothing waited
    # for (or buffered) the rest.
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"Content-Length: 314572800\r\n\r\n"
    )
    status, took = raw_request(bench.url, head, b"command=%2Fwin")
    assert status.startswith(b"HTTP/1.1 413") and took < 2


def test_a_chunked_body_over_the_limit_is_refused(bench: Running) -> None:
    parts = urlsplit(bench.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    chunk = b"x" * 65536

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY // len(chunk) + 2):
            yield chunk

    try:
        connection.request(
            "POST",
            "/slack/events",
            body=chunks(),
            headers={"Content-Type": FORM},
            encode_chunked=True,
        )
        status = connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        status = 413  # waitress answered and closed while we were still sending
    finally:
        connection.close()
    assert status == 413


def test_a_body_just_over_the_limit_is_refused_and_one_under_is_read(bench: Running) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"Content-Length: " + str(MAX_BODY + 1).encode() + b"\r\n\r\n"
    )
    status, _ = raw_request(bench.url, head, b"command=%2Fwin")
    assert status.split()[1] == b"413"
    # Under the limit it is read (and this win is too long: a kind answer, not saved).
    fits = command_form(text="y" * (MAX_BODY - 1000))
    reply = bench.client.post(fits, FORM)
    assert reply.status == 200 and "response_type" in reply.json()
    assert row_counts(bench)["wins"] == 0


def test_a_bad_content_length_is_refused(bench: Running) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"Content-Length: -5\r\n\r\n"
    )
    status, _ = raw_request(bench.url, head)
    assert status.split()[1] == b"400"


# --- NUL and other control characters -------------------------------------------------

HOSTILE_TEXT = "caught a mislabeled\x00 tube\x01 before\x1b[31m analysis\ud800"
CLEAN_TEXT = "caught a mislabeled tube before[31m analysis"


@pytest.fixture
def pg_bench(slack: FakeSlack, postgres_url: str) -> Iterator[Running]:
    yield from run_app(slack, postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_bench(request: pytest.FixtureRequest) -> Running:
    return request.getfixturevalue("bench" if request.param == "sqlite" else "pg_bench")


def test_a_nul_in_a_slash_win_is_stripped_and_the_win_stored(any_bench: Running) -> None:
    # Percent-encoded as Slack (and urlencode) would send it; the surrogate cannot be
    # form-encoded, so it goes in the form and JSON tests below.
    text = HOSTILE_TEXT.replace("\ud800", "")
    reply = any_bench.client.command("/win", text)
    assert reply.status == 200 and reply.json()["text"] == "Logged"
    any_bench.client.command("/win", "list")  # the write-behind queue has written it
    assert [w.text for w in stored_wins(any_bench)] == [CLEAN_TEXT]


def test_nul_in_the_win_and_goal_forms_is_stripped(any_bench: Running) -> None:
    any_bench.client.command("/win")
    reply = any_bench.client.submit(open_modal(any_bench), {"text": HOSTILE_TEXT})
    assert reply.status == 200 and reply.json()["response_action"] == "update"
    assert [w.text for w in stored_wins(any_bench)] == [CLEAN_TEXT]

    any_bench.client.command("/goal")
    reply = any_bench.client.submit(
        open_modal(any_bench, 2), {"title": "Earn\x00 my SBB", "measure": "pass\x00 the exam"}
    )
    assert reply.status == 200
    [goal] = stored_goals(any_bench)
    assert (goal.title, goal.measure) == ("Earn my SBB", "pass the exam")


def test_nul_in_a_dm_reply_event_is_stripped(any_bench: Running) -> None:
    from tests.test_dm_replies import dm, prompted

    prompted(any_bench)
    reply = any_bench.client.event(dm(text="trained\x00 two new techs\ud83d"))
    assert reply.status == 200
    any_bench.slack.wait_for("reactions.add")
    assert [w.text for w in stored_wins(any_bench)] == ["trained two new techs"]


# --- numbers in buttons: out of any column's range, or digits int() cannot read ----------

ODD_NUMBERS = ["99999999999999999999", "²", "٣", "-1", "1e9", " 7"]
BUTTONS = [
    ("win_edit", "{n}"),
    ("win_undo", "{n},{n}"),
    ("draft_edit", "{n}"),
    ("draft_save_private", "{n}"),
    ("draft_discard", "{n}"),
    ("dm_log_as_win", "{n}"),
    ("goal_review_ok", "{n}"),
    ("goal_review_achieved", "{n}"),
    ("goal_review_drop", "{n}"),
    ("goal_review_retarget", "{n}"),
    ("meeting_log", "{n}"),
    ("meeting_yes", "{n}"),
    ("meeting_snooze", "{n}"),
    ("meeting_reschedule", "{n}"),
    ("survey_open", "{n}:pulse-30"),
    ("ce_credit_edit", "{n}"),
    ("ce_credit_from_win", "{n}"),
]


def quiet(bench: Running, seconds: float = 0.5) -> None:
    """Wait until the work after the answers (lazy listeners) has stopped calling Slack."""
    seen = -1
    while seen != len(bench.slack.calls) + len(bench.slack.responses):
        seen = len(bench.slack.calls) + len(bench.slack.responses)
        time.sleep(seconds)


def test_odd_numbers_in_buttons_are_answered_not_crashed(
    any_bench: Running, caplog: pytest.LogCaptureFixture
) -> None:
    crashes: list[str] = []
    for number in ODD_NUMBERS:
        for action, value in BUTTONS:
            reply = any_bench.client.click(action, value.format(n=number))
            if reply.status >= 500:
                crashes.append(f"{action} {number!r}: {reply.status}")
        reply = any_bench.client.click("goal_menu", where="home", selected=f"achieved:{number}")
        if reply.status >= 500:
            crashes.append(f"goal_menu {number!r}: {reply.status}")
    quiet(any_bench)
    assert crashes == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_wsgi_app_itself_refuses_a_big_body_unread(bench: Running) -> None:
    """For a WSGI server without waitress's own limit: the app checks Content-Length
    before it touches the body."""
    from bot.app import build_app
    from bot.server import make_wsgi_app
    from tests.conftest import SECRET

    class Untouchable:
        def read(self, *_: object) -> bytes:
            raise AssertionError("the body was read")

    wsgi = make_wsgi_app(build_app(bench.deps), bench.db, SECRET)
    answered: list[str] = []
    environ = {
        "PATH_INFO": "/slack/events",
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": FORM,
        "CONTENT_LENGTH": str(300 * 1024 * 1024),
        "wsgi.input": Untouchable(),
    }
    body = b"".join(wsgi(environ, lambda status, headers: answered.append(status)))
    assert answered == ["413 Content Too Large"] and body == b"request too large\n"


def test_the_wsgi_app_refuses_a_length_that_is_not_ascii_digits(bench: Running) -> None:
    from bot.app import build_app
    from bot.server import make_wsgi_app
    from tests.conftest import SECRET

    wsgi = make_wsgi_app(build_app(bench.deps), bench.db, SECRET)
    answered: list[str] = []
    for length in ("²", "-1", "1e3", "abc"):
        answered.clear()
        environ = {
            "PATH_INFO": "/slack/events",
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": FORM,
            "CONTENT_LENGTH": length,
            "wsgi.input": io.BytesIO(b"command=%2Fwin"),
        }
        b"".join(wsgi(environ, lambda status, headers: answered.append(status)))
        assert answered == ["400 Bad Request"], length
