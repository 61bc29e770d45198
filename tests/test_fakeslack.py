"""The fake Slack Web API really holds the app to Slack's own method list."""

from __future__ import annotations

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
