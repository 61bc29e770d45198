"""A narrow interface over Slack's Web API, so use cases say what they want done
("DM this person", "publish their Home tab") rather than how."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    tz: str
    deleted: bool
    is_bot: bool
    email: str | None = None


def make_client(token: str | None, base_url: str, *, retries: int = 2) -> WebClient:
    """A WebClient that waits out 429s (Retry-After) and retries 5xx and dropped
    connections a bounded number of times."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )


def error_code(exc: SlackApiError) -> str:
    """Slack's short error string (e.g. 'expired_trigger_id'), for logs and answers."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    return "unknown_error"


class SlackGateway:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def user(self, user_id: str) -> SlackUser | None:
        """The person's profile, or None when Slack does not know them."""
        try:
            data = self.client.users_info(user=user_id).data
        except SlackApiError as exc:
            if error_code(exc) in ("user_not_found", "user_not_visible"):
                return None
            raise
        assert isinstance(data, dict)
        return parse_user(data.get("user") or {})

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal; returns its view id (for a later `update_view`)."""
        data = self.client.views_open(trigger_id=trigger_id, view=view).data
        assert isinstance(data, dict)
        return str((data.get("view") or {}).get("id", ""))

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        self.client.views_update(view_id=view_id, view=view)

    def user_by_email(self, email: str) -> SlackUser | None:
        """The person with this e-mail (`users.lookupByEmail`), or None when nobody has it."""
        try:
            data = self.client.users_lookupByEmail(email=email).data
        except SlackApiError as exc:
            if error_code(exc) in ("users_not_found", "user_not_found"):
                return None
            raise
        assert isinstance(data, dict)
        return parse_user(data.get("user") or {})

    def open_group_dm(self, user_ids: list[str]) -> str:
        """The multi-person DM of these people and the app; returns its channel id."""
        data = self.client.conversations_open(users=",".join(user_ids)).data
        assert isinstance(data, dict)
        return str(data["channel"]["id"])

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post into a channel or conversation; returns the message ts."""
        kwargs: dict[str, Any] = {"channel": channel, "text": text}
        if blocks is not None:
            kwargs["blocks"] = blocks
        data = self.client.chat_postMessage(**kwargs).data
        assert isinstance(data, dict)
        return str(data.get("ts", ""))

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=user_id, view=view)

    def dm(self, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post into the app's DM with the person; returns the message ts."""
        return self.post(user_id, text, blocks)

    def permalink(self, channel: str, message_ts: str) -> str | None:
        try:
            data = self.client.chat_getPermalink(channel=channel, message_ts=message_ts).data
        except SlackApiError as exc:
            log.warning("chat.getPermalink failed: %s", error_code(exc))
            return None
        assert isinstance(data, dict)
        return data.get("permalink")

    def upload_to_dm(
        self, user_id: str, files: list[tuple[str, str, str | bytes]], comment: str
    ) -> None:
        """Upload (filename, title, content) files into the DM with the person; content is
        text (a CSV, Markdown) or bytes (a PNG chart)."""
        opened = self.client.conversations_open(users=user_id).data
        assert isinstance(opened, dict)
        channel = opened["channel"]["id"]
        self.client.files_upload_v2(
            channel=channel,
            initial_comment=comment,
            file_uploads=[
                {
                    "filename": name,
                    "title": title,
                    ("file" if isinstance(content, bytes) else "content"): content,
                }
                for name, title, content in files
            ],
        )


def parse_user(user: dict[str, Any]) -> SlackUser:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )
    return SlackUser(
        id=str(user.get("id", "")),
        name=str(name),
        tz=str(user.get("tz") or "UTC"),
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")),
        email=profile.get("email"),
    )
