"""Fuzzing the real HTTP endpoint (hypothesis): malformed slash commands, events,
block_actions and view_submission payloads built around Benchmate's real command,
action and form ids, odd bodies and content types, mostly signed as Slack signs them and
some not, against the real app behind waitress on a real database.

Whatever arrives: never a 5xx, never a traceback or a secret in an answer, no listener
crashing behind a kind answer (no error logged), and the database holds nothing partial
(every row whole, every text free of NUL). Example counts are bounded (510 on SQLite,
170 on PostgreSQL) and the examples are the same on every run (derandomized): about half
a minute on a small CI machine.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.store.models import Draft, Goal, Member, Win
from tests.conftest import SECRET, Running, run_app
from tests.fakeslack import FakeSlack
from tests.slackclient import TEAM

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI stays deterministic
    database=None,
)

COMMANDS = ["/win", "/goal", "/mentor", "/program", "/unknown"]
ACTIONS = [
    "win_edit", "win_undo", "draft_edit", "draft_save_private", "draft_discard",
    "dm_log_as_win", "goal_menu", "goal_review_ok", "goal_review_achieved",
    "goal_review_drop", "goal_review_retarget", "home_export", "home_new_goal",
    "home_log_win", "open_settings", "prompt_nothing", "prompt_skip_next", "meeting_log",
    "meeting_yes", "meeting_snooze", "meeting_reschedule", "survey_open", "renamed_long_ago",
    "roster_upload_program_1",
]  # fmt: skip
FORMS = [
    "win_modal", "goal_modal", "goal_retarget_modal", "meeting_log_modal",
    "meeting_reschedule_modal", "prefs_modal", "mentor_profile_modal",
    "program_announce_modal", "program_import_modal", "program_match_modal",
    "survey_modal", "mystery_form",
]  # fmt: skip
FIELDS = [
    "text", "category", "occurred_on", "goal", "share", "digest", "phi_ack", "title",
    "template", "target_date", "measure", "held_on", "notes", "items", "done", "new_date",
    "satisfaction", "comment", "message", "audience", "delivery", "when", "day", "time",
    "csv", "weekday", "hour", "quiet_start", "quiet_end", "level", "section", "role",
]  # fmt: skip

# Text people might type, including markup, control characters and odd numbers.
words = st.sampled_from(
    [
        "", " ", "list", "help", "settings", "profile", "match", "report", "surveys",
        "announce", "import", "channel <#C0PROGRAM|prog>", "pair <@U200|g> <@U100|a>",
        "unpair <@U200> <@U100>", "remove <@U100>", "coordinators add <@U200>",
        "<!channel>", "<@U666>", "<http://evil.example|x>", "=1+1", "\x00", "\u202e",
        "MRN 00123456", "caught a mislabeled tube", "- one\n- two", "0", "-1", "²",
        "99999999999999999999", "1;DROP TABLE wins", "achieved:1", "dropped:x", "1:pulse-30",
        "2026-11-18", "9999-99-99", "25:61", "true", "null",
    ]
)  # fmt: skip
text = st.one_of(words, st.text(max_size=40), st.text(min_size=3000, max_size=3100))
good_ids = st.sampled_from(["U100", "U200", "W123ABC"])
bad_ids = st.one_of(
    st.sampled_from(["", "None", "u100", "T0001", "U" + "9" * 40]), st.text(max_size=12)
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` most of the time, else `bad`: most requests get past the boundary checks,
    so the listeners behind them are fuzzed too."""
    # Not the ends of the range: hypothesis draws those far more often than the middle.
    return st.integers(0, 9).flatmap(lambda n: bad if n in (4, 5) else good)


ids = mostly(good_ids, bad_ids)
# What buttons carry: row ids (some out of any range), lists of keys, "status:id".
button_values = mostly(
    st.sampled_from(
        [
            *("1", "2", "0", "99999999999999999999", "²", "-1", "1,2", "achieved:1"),
            *("1:pulse-30", "dropped:99999999999999999999", "99999999999999999999:pulse-30"),
            "2147483648",
        ]
    ),
    text,
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the value, sometimes something of another shape."""
    return mostly(value, json_values)


def some_of(keys: list[str]) -> st.SearchStrategy[set[str]]:
    """Keys to leave out: usually none, sometimes one."""
    return st.one_of(
        st.just(set()), st.just(set()), st.just(set()), st.sets(st.sampled_from(keys), max_size=1)
    )


@st.composite
def slash_commands(draw: st.DrawFn) -> bytes:
    form = {
        "command": draw(maybe(st.sampled_from(COMMANDS)).map(str)),
        "text": draw(text),
        "user_id": draw(ids),  # a string: forms carry nothing else
        "team_id": draw(st.sampled_from([TEAM, TEAM, TEAM, "", "E0001", "x"])),
        "response_url": draw(st.sampled_from(["", "not a url", "{fake}/response/fuzz"])),
        "trigger_id": draw(st.sampled_from(["1.1.abc", "", "x"])),
        "channel_id": "C0GENERAL",
    }
    dropped = draw(some_of(sorted(form)))
    return urlencode({k: v for k, v in form.items() if k not in dropped}).encode()


@st.composite
def state_entries(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "plain_text_input",
                "static_select",
                "datepicker",
                "timepicker",
                "checkboxes",
                "multi_static_select",
                "users_select",
                "number_input",
            ]
        )
    )
    option = st.fixed_dictionaries({"value": maybe(text)})
    values = {
        "plain_text_input": {"value": maybe(text)},
        "static_select": {"selected_option": maybe(st.one_of(st.none(), option))},
        "datepicker": {"selected_date": maybe(text)},
        "timepicker": {"selected_time": maybe(text)},
        "checkboxes": {"selected_options": maybe(st.lists(option, max_size=3))},
        "multi_static_select": {"selected_options": maybe(st.lists(option, max_size=3))},
        "users_select": {"selected_user": maybe(ids)},
        "number_input": {"value": maybe(text)},
    }[kind]
    return {"type": kind, **{k: draw(v) for k, v in values.items()}}


@st.composite
def interactions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["block_actions", "view_submission", "message_action", "view_closed"])
    )
    payload: dict[str, Any] = {
        "type": st.just(kind),
        "user": mostly(
            st.fixed_dictionaries({"id": good_ids, "team_id": st.just(TEAM)}),
            maybe(st.fixed_dictionaries({"id": bad_ids})),
        ),
        "team": st.just({"id": TEAM}),
        "trigger_id": st.just("1.1.abc"),
        "api_app_id": st.just("A0001"),
    }
    if kind == "block_actions":
        action = st.fixed_dictionaries(
            {
                "action_id": maybe(st.sampled_from(ACTIONS)),
                "block_id": st.just("b1"),
                "value": maybe(button_values),
            },
            optional={
                "selected_option": maybe(st.fixed_dictionaries({"value": maybe(button_values)})),
                "selected_date": text,
            },
        )
        payload["actions"] = maybe(st.lists(action, min_size=1, max_size=2))
        where = draw(st.sampled_from(["home", "message"]))
        if where == "home":
            payload["container"] = st.just({"type": "view", "view_id": "V0HOME"})
            payload["view"] = maybe(
                st.fixed_dictionaries(
                    {"id": st.just("V0HOME"), "type": st.just("home"), "blocks": st.just([])}
                )
            )
        else:
            payload["container"] = st.just({"type": "message", "message_ts": "1.2"})
            payload["channel"] = st.just({"id": "C0GENERAL"})
            payload["response_url"] = mostly(
                st.just("{fake}/response/fuzz"), st.sampled_from(["", "nope"])
            )
    elif kind in ("view_submission", "view_closed"):
        state = st.dictionaries(
            st.sampled_from(FIELDS),
            st.one_of(st.fixed_dictionaries({"value": state_entries()}), json_values),
            max_size=6,
        )
        payload["view"] = maybe(
            st.fixed_dictionaries(
                {
                    "id": st.just("V0MODAL"),
                    "type": st.just("modal"),
                    "callback_id": maybe(st.sampled_from(FORMS)),
                    "private_metadata": maybe(st.one_of(text, json_values.map(json.dumps))),
                    "blocks": st.just([]),
                    "state": maybe(st.fixed_dictionaries({"values": maybe(state)})),
                }
            )
        )
        payload["response_urls"] = st.just([])
    else:
        payload["callback_id"] = maybe(st.sampled_from(["log_message_as_win", "mystery"]))
        payload["message"] = maybe(
            st.fixed_dictionaries({"ts": st.just("1.2"), "text": maybe(text)})
        )
        payload["channel"] = st.just({"id": "C0GENERAL"})
        payload["response_url"] = st.just("{fake}/response/fuzz")
    drawn = {key: draw(value) for key, value in payload.items()}
    dropped = draw(some_of(sorted(drawn)))
    return {k: v for k, v in drawn.items() if k not in dropped}


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "app_home_opened", "user_change", "reaction_added"]))
    event: dict[str, Any] = {"type": maybe(st.just(kind))}
    if kind == "message":
        event.update(
            channel_type=maybe(st.sampled_from(["im", "channel"])),
            channel=st.just("D100"),
            user=maybe(ids),
            text=maybe(text),
            ts=maybe(st.sampled_from(["1800000001.000100", "", "x"])),
        )
        event.update({"subtype": st.sampled_from(["bot_message", "message_changed"])})
    elif kind == "app_home_opened":
        event.update(user=maybe(ids), tab=maybe(st.sampled_from(["home", "messages"])))
    elif kind == "user_change":
        event["user"] = maybe(
            st.fixed_dictionaries(
                {"id": ids},
                optional={
                    "deleted": maybe(st.booleans()),
                    "tz": maybe(text),
                    "profile": json_values,
                },
            )
        )
    drawn = {key: draw(value) for key, value in event.items()}
    dropped = draw(some_of(sorted(drawn)))
    body = {
        "type": "event_callback",
        "team_id": draw(st.sampled_from([TEAM, TEAM, TEAM, "", "x"])),
        "api_app_id": "A0001",
        "event_id": "Ev" + draw(st.text("ABCDEF0123456789", min_size=8, max_size=8)),
        "event": {k: v for k, v in drawn.items() if k not in dropped},
    }
    return body


# --- what must hold after every request ---------------------------------------------


class Errors(logging.Handler):
    """Errors logged while fuzzing: a listener that crashed behind a kind answer."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Any:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def check(bench: Running, status: int, body: bytes, errors: Errors) -> None:
    import os

    if os.environ.get("FUZZ_STATS"):
        with open("/tmp/fuzz_stats", "a") as f:
            f.write(f"{status} {body[:60]!r}\n")
    assert status < 500, (status, body[:300])
    assert b"Traceback" not in body and SECRET.encode() not in body
    assert b"xoxb-" not in body and b"xapp-" not in body
    logged = [f"{r.name}: {r.getMessage()}" for r in errors.records]
    assert logged == [], logged


def whole_rows(bench: Running) -> None:
    """Nothing partial: every row has its owner and its text, with no NUL in it."""
    user_id = re.compile(r"[UWB][A-Z0-9]+")
    with bench.db.begin() as session:
        members = list(session.scalars(select(Member)))
        assert all(m.team_id and user_id.fullmatch(m.slack_user_id) for m in members), [
            (m.team_id, m.slack_user_id) for m in members
        ]
        known = {m.id for m in members}
        for model, field in ((Win, "text"), (Goal, "title"), (Draft, "text")):
            for row in session.scalars(select(model)):
                value = getattr(row, field)
                assert row.member_id in known and value.strip() and "\x00" not in value, value


def send(bench: Running, body: bytes, content_type: str, **kw: Any) -> tuple[int, bytes]:
    body = body.replace(b"%7Bfake%7D", bench.slack.url.encode().replace(b":", b"%3A"))
    body = body.replace(b"{fake}", bench.slack.url.encode())
    reply = bench.client.post(body, content_type, **kw)
    return reply.status, reply.body


def settle(bench: Running) -> None:
    """Let the work after each answer finish before the database is read."""
    bench.deps.background.submit(lambda: None).result(timeout=10)


def fuzz_slash(bench: Running, errors: Errors, body: bytes) -> None:
    check(bench, *send(bench, body, "application/x-www-form-urlencoded"), errors)
    settle(bench)
    whole_rows(bench)


def fuzz_interaction(bench: Running, errors: Errors, payload: dict[str, Any]) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    check(bench, *send(bench, body, "application/x-www-form-urlencoded"), errors)
    settle(bench)
    whole_rows(bench)


def fuzz_event(bench: Running, errors: Errors, body: dict[str, Any]) -> None:
    check(bench, *send(bench, json.dumps(body).encode(), "application/json"), errors)
    settle(bench)
    whole_rows(bench)


@settings(FUZZ, max_examples=120)
@given(body=slash_commands())
def test_fuzzed_slash_commands(bench: Running, errors: Errors, body: bytes) -> None:
    fuzz_slash(bench, errors, body)


@settings(FUZZ, max_examples=150)
@given(payload=interactions())
def test_fuzzed_interactions(bench: Running, errors: Errors, payload: dict[str, Any]) -> None:
    fuzz_interaction(bench, errors, payload)


@settings(FUZZ, max_examples=100)
@given(
    action=st.sampled_from(ACTIONS),
    value=button_values,
    where=st.sampled_from(["home", "message"]),
    overflow=st.booleans(),
)
def test_fuzzed_button_values(
    bench: Running, errors: Errors, action: str, value: str, where: str, overflow: bool
) -> None:
    """Well-formed clicks on every button Benchmate has, carrying any value: a button's
    value is the one thing a forged click fully controls."""
    kw = {"selected": value} if overflow else {"value": value}
    reply = bench.client.click(action, user="U100", where=where, **kw)
    check(bench, reply.status, reply.body, errors)
    settle(bench)
    whole_rows(bench)


@settings(FUZZ, max_examples=80)
@given(body=events())
def test_fuzzed_events(bench: Running, errors: Errors, body: dict[str, Any]) -> None:
    fuzz_event(bench, errors, body)


@settings(FUZZ, max_examples=60)
@given(
    body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "text/plain", "", "x/y"]
    ),
    signed=st.booleans(),
)
def test_fuzzed_bodies_signed_or_not(
    bench: Running, errors: Errors, body: bytes, content_type: str, signed: bool
) -> None:
    status, answer = send(bench, body, content_type, sign=signed)
    check(bench, status, answer, errors)
    if not signed:
        assert status == 401
    settle(bench)
    whole_rows(bench)


# PostgreSQL is stricter than SQLite (column lengths, integer ranges, NUL): fewer
# examples of the same requests there.


@pytest.fixture
def pg_bench(slack: FakeSlack, postgres_url: str) -> Iterator[Running]:
    yield from run_app(slack, postgres_url)


@settings(FUZZ, max_examples=40)
@given(body=slash_commands())
def test_fuzzed_slash_commands_on_postgresql(
    pg_bench: Running, errors: Errors, body: bytes
) -> None:
    fuzz_slash(pg_bench, errors, body)


@settings(FUZZ, max_examples=60)
@given(payload=interactions())
def test_fuzzed_interactions_on_postgresql(
    pg_bench: Running, errors: Errors, payload: dict[str, Any]
) -> None:
    fuzz_interaction(pg_bench, errors, payload)


@settings(FUZZ, max_examples=30)
@given(body=events())
def test_fuzzed_events_on_postgresql(
    pg_bench: Running, errors: Errors, body: dict[str, Any]
) -> None:
    fuzz_event(pg_bench, errors, body)


@settings(FUZZ, max_examples=40)
@given(
    action=st.sampled_from(ACTIONS),
    value=button_values,
    where=st.sampled_from(["home", "message"]),
    overflow=st.booleans(),
)
def test_fuzzed_button_values_on_postgresql(
    pg_bench: Running, errors: Errors, action: str, value: str, where: str, overflow: bool
) -> None:
    kw = {"selected": value} if overflow else {"value": value}
    reply = pg_bench.client.click(action, user="U100", where=where, **kw)
    check(pg_bench, reply.status, reply.body, errors)
    settle(pg_bench)
    whole_rows(pg_bench)
