"""The pure checks behind the HTTP boundary (bot/rules/payloads.py)."""

from __future__ import annotations

from bot.rules.payloads import (
    MAX_ID,
    clean,
    clean_text,
    command_problem,
    event_problem,
    interactive_problem,
    whole_number,
)


def test_whole_numbers_are_ascii_digits_within_an_ids_range() -> None:
    assert [whole_number(v) for v in ("0", "12", 12, str(MAX_ID))] == [0, 12, 12, MAX_ID]
    for odd in ("", "-1", "1.5", " 7", "²", "٣", "1e9", str(MAX_ID + 1), "9" * 40, None, True):
        assert whole_number(odd) is None, odd
    assert whole_number("6", most=6) == 6 and whole_number("7", most=6) is None


def test_cleaning_keeps_text_and_drops_what_no_database_or_reader_wants() -> None:
    assert clean_text("a\x00b\x01c\td\ne\rf\x1bg\ud800h") == "abc\td\ne\rfgh"
    assert clean_text("naïve ☕ 日本 👍🏽") == "naïve ☕ 日本 👍🏽"
    body = {"te\x00xt": ["x\x00", {"k": "v\x07"}], "n": 5, "none": None}
    assert clean(body) == {"text": ["x", {"k": "v"}], "n": 5, "none": None}


def test_a_slash_command_needs_a_command_a_user_and_a_workspace() -> None:
    good = {"command": "/win", "user_id": "U100", "team_id": "T0001"}
    assert command_problem(good) is None
    assert command_problem({**good, "team_id": "", "enterprise_id": "E0001"}) is None
    assert command_problem({**good, "user_id": "None"}) == "no user_id"
    assert command_problem({**good, "team_id": ""}) == "no team_id"
    assert command_problem({**good, "command": "win"}) == "no command"


def test_interactions_and_events_have_slacks_shapes() -> None:
    base = {"type": "block_actions", "user": {"id": "U100"}, "team": {"id": "T0001"}}
    assert interactive_problem({**base, "actions": [{"action_id": "a", "value": "1"}]}) is None
    assert interactive_problem({**base, "actions": [{"action_id": "a", "value": 1}]})
    assert interactive_problem({**base, "actions": []}) == "no actions"
    event = {"type": "event_callback", "team_id": "T0001", "event_id": "Ev1"}
    assert event_problem({**event, "event": {"type": "message", "user": "U100"}}) is None
    assert event_problem({**event, "event": {"type": "message", "user": {"id": "U1"}}})
    assert event_problem({**event, "event": {"type": "user_change", "user": {"id": "U1"}}}) is None
    assert event_problem({"type": "url_verification", "challenge": "c"}) is None
