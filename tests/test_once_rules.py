"""The exactly-once decisions (bot/rules/once.py): what a new claim holder does first,
whether a page of history holds our key, and what a bounded look concludes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.rules import once

KEY = once.nudge_key("T1", 42, "weekly_prompt", "2026-W47")


def ours(key: str, ts: str = "1.000001") -> dict[str, object]:
    return {"type": "message", "ts": ts, "metadata": once.metadata(key)}


def test_keys_name_the_ledger_row() -> None:
    assert KEY == "nudge/T1/42/weekly_prompt/2026-W47"
    assert once.post_key("T1", "weekly_digest", "2026-W47") == "post/T1/weekly_digest/2026-W47"
    assert once.metadata(KEY) == {
        "event_type": "benchmate_ledger",
        "event_payload": {"key": KEY},
    }


@pytest.mark.parametrize(
    ("status", "error", "action"),
    [
        (None, None, "send"),  # a fresh claim: nobody tried
        ("claimed", None, "look_first"),  # taken over: the holder died mid-send
        ("failed", "unsure:TimeoutError", "look_first"),  # timed out: may be out
        ("failed", "unsure:http_500", "look_first"),
        ("failed", "ratelimited", "send"),  # Slack said no
        ("failed", "http_500", "send"),  # answered, and a look said it was not there
        ("failed", None, "send"),
    ],
)
def test_what_a_new_claim_holder_does_first(
    status: str | None, error: str | None, action: str
) -> None:
    assert once.claim_action(status, error) == action


def test_unsure_marks_an_error_once() -> None:
    assert once.unsure("TimeoutError") == "unsure:TimeoutError"
    assert once.unsure(once.unsure("TimeoutError")) == "unsure:TimeoutError"


def test_looking_starts_a_margin_before_the_claim() -> None:
    claimed = datetime(2026, 11, 20, 20, tzinfo=UTC)
    assert once.look_from(claimed) == claimed - once.MARGIN
    assert timedelta(minutes=1) <= once.MARGIN


def test_find_key_only_matches_our_metadata_and_key() -> None:
    page = [
        {"type": "message", "ts": "5.0", "text": KEY},  # a person typing our key: inert
        {"type": "message", "ts": "4.0", "metadata": {"event_type": "other_app"}},
        {"ts": "3.0", "metadata": {"event_type": "other_app", "event_payload": {"key": KEY}}},
        ours(once.nudge_key("T1", 42, "weekly_prompt", "2026-W46"), "2.0"),
        ours(once.nudge_key("T1", 43, "weekly_prompt", "2026-W47"), "1.5"),
    ]
    assert once.find_key(page, KEY) is None
    assert once.find_key([*page, ours(KEY, "1.0")], KEY) == "1.0"
    assert once.find_key([], KEY) is None


def test_a_bounded_look_concludes_only_what_it_saw() -> None:
    assert once.verdict("1.0", more=True) == "found"
    assert once.verdict(None, more=False) == "absent"
    assert once.verdict(None, more=True) == "unknown"  # pages left unread: neither
