"""A narrow interface over Slack's Web API, so use cases say what they want done
("DM this person", "publish their Home tab") rather than how."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.rules import once
from bot.rules.pacing import Pacer
from bot.slack.keepalive import KeepAliveWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    tz: str
    deleted: bool
    is_bot: bool
    email: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone in the workspace's directory (`users.list`)."""

    id: str
    names: tuple[str, ...]
    deleted: bool


@dataclass(frozen=True)
class Posted:
    """Where a message went: the DM's channel id and the message ts."""

    channel: str
    ts: str

    @property
    def ref(self) -> str:
        return f"{self.channel}/{self.ts}"


class RateGate:
    """Shared by everything sending through one gateway: the senders' side of a `Pacer`
    (bot/rules/pacing.py), with the clock and the sleeping.

    After Slack answers 429, every sender waits out `Retry-After` before its next call,
    instead of each finding out by itself; from then on calls keep to the limit learned
    from the 429s, so a large fan-out runs at Slack's limit instead of in bursts that
    each end in a Retry-After pause. Call `wait()` before each call and exactly one of
    `passed()`, `pause(seconds)` (a 429) or `released()` (any other failure) after it.
    """

    POLL = 0.005  # seconds between looks when the calls in flight fill the limit

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.pacer = pacer or Pacer()
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Sleep until this sender's turn; returns the seconds slept."""
        slept = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                start = self.pacer.start(now)
            delay = (start - now) if start is not None else self.POLL
            if delay > 0:
                time.sleep(delay)
                slept += delay
            if start is not None:
                return slept

    def passed(self) -> None:
        with self._lock:
            self.pacer.answered(time.monotonic())

    def released(self) -> None:
        with self._lock:
            self.pacer.failed(time.monotonic())

    def pause(self, seconds: float) -> None:
        """Slack said 429: everyone waits `seconds`, then goes at the learned pace."""
        with self._lock:
            self.pacer.limited(time.monotonic(), seconds)

    @property
    def per_second(self) -> float | None:
        """The pace learned so far (None: no 429 yet)."""
        return self.pacer.per_second


def make_client(
    token: str | None,
    base_url: str,
    *,
    retries: int = 2,
    timeout: int = 10,
    rate_limit_retries: int | None = None,
) -> WebClient:
    """A WebClient that waits out 429s (Retry-After) and retries 5xx and dropped
    connections a bounded number of times, over kept-alive connections. Ledgered
    sends use `retries=0`: a blind retry of a post that timed out or drew a 5xx may
    post it twice, so they look in the conversation first (bot/rules/once.py). Long
    runs of look-ups (a large roster) pass a higher `rate_limit_retries`: each 429
    waits out Retry-After and tries again instead of failing the row."""
    return KeepAliveWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(
                max_retry_count=retries if rate_limit_retries is None else rate_limit_retries
            ),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )


def retry_after(exc: SlackApiError, default: float = 1.0) -> float:
    """Seconds Slack asked us to wait (`Retry-After`) on a 429."""
    headers = getattr(exc.response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return default
    return default


def http_status(exc: SlackApiError) -> int:
    return int(getattr(exc.response, "status_code", 200) or 200)


def error_code(exc: SlackApiError) -> str:
    """Slack's short error string (e.g. 'expired_trigger_id'), for logs and answers."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    return "unknown_error"


# What common Slack errors mean, in words a lab tech can act on.
IN_WORDS = {
    "expired_trigger_id": "the form took too long to open",
    "trigger_exchanged": "that button was already used",
    "ratelimited": "Slack asked us to slow down",
    "not_in_channel": "Benchmate isn't in that channel: invite it first",
    "channel_not_found": "Slack can't find that conversation",
    "is_archived": "that channel is archived",
    "user_not_found": "Slack doesn't know that person",
    "user_disabled": "that Slack account is deactivated",
    "account_inactive": "that Slack account is inactive",
    "not_authed": "Benchmate's Slack token is missing",
    "invalid_auth": "Benchmate's Slack token was refused",
    "missing_scope": "Benchmate lacks a Slack permission: reinstall it from manifest.yml",
    "fatal_error": "Slack had a problem on its side",
    "internal_error": "Slack had a problem on its side",
}


def in_words(exc: SlackApiError) -> str:
    """A Slack error as a short phrase for people (its code, for the admin, if unknown)."""
    code = error_code(exc)
    return IN_WORDS.get(code, f"Slack answered “{code}”")


class SlackGateway:
    def __init__(self, client: WebClient, *, gate: RateGate | None = None) -> None:
        self.client = client
        self.gate = gate or RateGate()

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

    def file_info(self, file_id: str) -> dict[str, Any]:
        """A shared file's object (`files.info`), for an event that carried only its id."""
        data = self.client.files_info(file=file_id).data
        assert isinstance(data, dict)
        return dict(data.get("file") or {})

    def people_page(self, cursor: str | None, limit: int) -> tuple[list[Person], str | None]:
        """One page of `users.list` (everyone in the workspace, bots left out) and the
        cursor of the next page, None after the last."""
        args: dict[str, Any] = {"limit": limit}
        if cursor:
            args["cursor"] = cursor
        data = self.client.users_list(**args).data
        assert isinstance(data, dict)
        people = [
            Person(
                id=str(u.get("id", "")),
                names=_names_of(u),
                deleted=bool(u.get("deleted")),
            )
            for u in data.get("members") or []
            if not u.get("is_bot") and u.get("id") != "USLACKBOT"
        ]
        following = (data.get("response_metadata") or {}).get("next_cursor") or None
        return people, following

    def open_group_dm(self, user_ids: list[str]) -> str:
        """The multi-person DM of these people and the app; returns its channel id."""
        data = self.client.conversations_open(users=",".join(user_ids)).data
        assert isinstance(data, dict)
        return str(data["channel"]["id"])

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Post into a channel or conversation; returns the message ts."""
        kwargs: dict[str, Any] = {"channel": channel, "text": text}
        if blocks is not None:
            kwargs["blocks"] = blocks
        if metadata is not None:
            kwargs["metadata"] = metadata
        data = self.client.chat_postMessage(**kwargs).data
        assert isinstance(data, dict)
        return str(data.get("ts", ""))

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=user_id, view=view)

    def dm(self, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """Post into the app's DM with the person; returns the message ts."""
        return self.post(user_id, text, blocks)

    def send_dm(
        self,
        user_id: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Posted:
        """Post into the app's DM with the person (or a thread in it)."""
        kwargs: dict[str, Any] = {"channel": user_id, "text": text}
        if blocks is not None:
            kwargs["blocks"] = blocks
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        if metadata is not None:
            kwargs["metadata"] = metadata
        data = self.client.chat_postMessage(**kwargs).data
        assert isinstance(data, dict)
        return Posted(channel=str(data.get("channel", user_id)), ts=str(data.get("ts", "")))

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with the person (conversations.history needs it)."""
        data = self.client.conversations_open(users=user_id).data
        assert isinstance(data, dict)
        return str(data["channel"]["id"])

    def look(self, channel: str, key: str, oldest: datetime) -> tuple[once.Verdict, str | None]:
        """Whether a message carrying ledger `key` in its metadata was posted in
        `channel` since `oldest`: at most `once.PAGES` pages of conversations.history
        (newest first). Slack errors and timeouts raise, like any call."""
        cursor: str | None = None
        for _ in range(once.PAGES):
            # Not paced by the gate: looks are rare, and conversations.history has
            # its own rate limit, apart from chat.postMessage's.
            data = self.client.conversations_history(
                channel=channel,
                oldest=f"{oldest.timestamp():.6f}",
                limit=once.PAGE,
                include_all_metadata=True,
                cursor=cursor,
            ).data
            assert isinstance(data, dict)
            found = once.find_key(data.get("messages") or [], key)
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            more = bool(data.get("has_more")) and cursor is not None
            if found or not more:
                return once.verdict(found, more=False), found
        return once.verdict(None, more=True), None

    def look_for_files(self, user_id: str, names: set[str], oldest: datetime) -> once.Verdict:
        """Whether a file named one of `names` was shared in the app's DM with the person
        since `oldest`: a file carries no metadata, so an upload that must go out once
        has a name unique to its ledger key. At most `once.PAGES` pages of files.list."""
        channel = self.dm_channel(user_id)
        for page in range(1, once.PAGES + 1):
            data = self.client.files_list(
                channel=channel, ts_from=str(int(oldest.timestamp())), count=once.PAGE, page=page
            ).data
            assert isinstance(data, dict)
            if any(f.get("name") in names for f in data.get("files") or []):
                return "found"
            if page >= int((data.get("paging") or {}).get("pages") or 1):
                return "absent"
        return "unknown"

    def react(self, channel: str, ts: str, name: str) -> None:
        """Add a reaction to a message; a failure only loses the emoji."""
        try:
            self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            log.warning("reactions.add failed: %s", error_code(exc))

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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _names_of(user: dict[str, Any]) -> tuple[str, ...]:
    """Every name a person goes by in Slack, the real name first, without repeats."""
    profile = user.get("profile") or {}
    names = [
        profile.get("real_name"),
        user.get("real_name"),
        profile.get("display_name"),
    ]
    return tuple(dict.fromkeys(str(n).strip() for n in names if n and str(n).strip()))


def parse_user(user: dict[str, Any]) -> SlackUser:
    """A Slack user object (from `users.info` or a `user_change` event) as we keep it.
    Whatever its shape: fields that are not text are ignored, and a name or zone longer
    than Slack ever gives is cut to fit its column (names 200, zones 64 characters)."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = (
        _text(profile.get("display_name"))
        or _text(profile.get("real_name"))
        or _text(user.get("real_name"))
        or _text(user.get("name"))
    )
    tz = _text(user.get("tz"))
    return SlackUser(
        id=_text(user.get("id")),
        name=name[:200],
        tz=tz if tz and len(tz) <= 64 else "UTC",
        deleted=user.get("deleted") is True,
        is_bot=user.get("is_bot") is True,
        email=_text(profile.get("email")) or None,
    )
