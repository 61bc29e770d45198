"""The fake Slack Web API really holds the app to Slack's own method list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import SPEC, FakeSlack


def test_calls_are_checked_against_slacks_spec() -> None:
    if not SPEC.is_file():
        pytest.skip(f"Slack's Web API description is not at {SPEC} (../shared is absent)")
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-1", base_url=fake.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        with pytest.raises(SlackApiError):
            client.api_call("chat.postMesage", json={"channel": "C1"})  # a typo'd method
        client.api_call("chat.postMessage", json={"channel": "C1", "txt": "typo'd argument"})
        assert fake.violations == [
            "chat.postMesage: not a Slack Web API method",
            "chat.postMessage: unknown arguments ['txt']",
        ]


def test_history_serves_stored_messages_as_slack_does() -> None:
    """Newest first, `oldest`/`latest` exclusive, `limit` and a cursor, and metadata
    only when asked for with `include_all_metadata`."""
    with FakeSlack() as fake:
        fake.set_now(datetime(2026, 11, 20, 20, tzinfo=UTC))
        client = WebClient(token="xoxb-1", base_url=fake.api_url)
        meta = {"event_type": "benchmate_ledger", "event_payload": {"key": "k1"}}
        first = client.chat_postMessage(channel="U1", text="one", metadata=meta)
        assert first["channel"] == "D1"
        second = client.chat_postMessage(channel="U1", text="two")
        third = client.chat_postMessage(channel="U1", text="three")
        client.chat_postMessage(channel="U2", text="elsewhere")
        assert float(first["ts"]) >= datetime(2026, 11, 20, 20, tzinfo=UTC).timestamp()

        page = client.conversations_history(channel="D1", limit=2)
        assert [m["text"] for m in page["messages"]] == ["three", "two"]
        assert page["has_more"] is True
        rest = client.conversations_history(
            channel="D1", limit=2, cursor=page["response_metadata"]["next_cursor"]
        )
        assert [m["text"] for m in rest["messages"]] == ["one"]
        assert rest["has_more"] is False and "metadata" not in rest["messages"][0]

        with_meta = client.conversations_history(channel="D1", include_all_metadata=True)
        assert with_meta["messages"][-1]["metadata"] == meta
        after = client.conversations_history(channel="D1", oldest=first["ts"])
        assert [m["text"] for m in after["messages"]] == ["three", "two"]
        before = client.conversations_history(channel="D1", latest=third["ts"], inclusive=True)
        assert [m["ts"] for m in before["messages"]] == [third["ts"], second["ts"], first["ts"]]
        assert fake.violations == []


def test_a_late_answer_still_posts() -> None:
    """`answer_late`: posted at once, answered after the client gave up."""
    with FakeSlack() as fake:
        fake.answer_late(1.0)
        client = WebClient(token="xoxb-1", base_url=fake.api_url, timeout=0.3)
        with pytest.raises(TimeoutError):
            client.chat_postMessage(channel="U1", text="slow")
        assert [m["text"] for m in fake.posted("D1")] == ["slow"]
