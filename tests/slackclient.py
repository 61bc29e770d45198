"""Sends requests to the app exactly as Slack does: form-encoded slash commands,
`payload=` JSON for interactivity, JSON event callbacks, all signed (v0 HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandbox.forms import fill_state

__all__ = ["TEAM", "Reply", "SlackClient", "fill_state", "signature"]
TEAM = "T0001"
_seq = itertools.count(1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackClient:
    """Talks to the app at `url` as Slack would; response_urls point at `fake_url`."""

    def __init__(self, url: str, secret: str, fake_url: str) -> None:
        self.url = url
        self.secret = secret
        self.fake_url = fake_url

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: str | None = None,
        sign: bool = True,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        ts = timestamp or str(int(time.time()))
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if sign:
            all_headers["X-Slack-Request-Timestamp"] = ts
            all_headers["X-Slack-Signature"] = signature(secret or self.secret, ts, body)
        request = urllib.request.Request(self.url, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), dict(error.headers))

    def response_url(self) -> str:
        return f"{self.fake_url}/response/{next(_seq)}"

    # --- slash commands --------------------------------------------------------------
    def command(self, command: str, text: str = "", user: str = "U100", **kw: Any) -> Reply:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "lab",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": self.response_url(),
            "trigger_id": f"{next(_seq)}.1.abc",
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    # --- interactivity -------------------------------------------------------------------
    def interactive(self, payload: dict[str, Any], **kw: Any) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def _base(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind,
            "team": {"id": TEAM, "domain": "lab"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(_seq)}.1.abc",
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def click(
        self,
        action_id: str,
        value: str = "",
        user: str = "U100",
        *,
        where: str = "message",
        selected: str | None = None,
        **kw: Any,
    ) -> Reply:
        """A block_actions click on a button (or an overflow option with `selected`)."""
        payload = self._base("block_actions", user)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": "b1",
            "type": "overflow" if selected else "button",
            "action_ts": f"{time.time():.6f}",
        }
        if selected:
            action["selected_option"] = {
                "text": {"type": "plain_text", "text": "x"},
                "value": selected,
            }
        else:
            action["value"] = value
        payload["actions"] = [action]
        if where == "home":
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {
                "id": "V0HOME",
                "type": "home",
                "callback_id": "home",
                "blocks": [],
                "state": {"values": {}},
            }
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": "C0GENERAL",
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": "C0GENERAL", "name": "general"}
            payload["response_url"] = self.response_url()
        return self.interactive(payload, **kw)

    def submit(
        self, view: dict[str, Any], values: dict[str, Any], user: str = "U100", **kw: Any
    ) -> Reply:
        """Submit a modal the app opened, with `values` keyed by block id."""
        payload = self._base("view_submission", user)
        payload["view"] = {
            "id": view.get("id", "V0MODAL"),
            "team_id": TEAM,
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "title": view.get("title"),
            "hash": "1.abc",
            "state": {"values": fill_state(view, values)},
        }
        payload["response_urls"] = []
        return self.interactive(payload, **kw)

    def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        user: str = "U100",
        channel: str = "C0GENERAL",
        **kw: Any,
    ) -> Reply:
        payload = self._base("message_action", user)
        payload.update(
            callback_id=callback_id,
            channel={"id": channel, "name": "general"},
            message=message,
            message_ts=message.get("ts"),
            response_url=self.response_url(),
        )
        return self.interactive(payload, **kw)

    # --- events --------------------------------------------------------------------------
    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> Reply:
        body = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_seq):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        }
        return self.post(json.dumps(body).encode(), "application/json", **kw)
