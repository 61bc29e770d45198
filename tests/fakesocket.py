"""Slack's side of Socket Mode on a loopback port, for tests.

Socket Mode as Slack documents it: the app calls `apps.connections.open` with its
app-level token (tests/fakeslack.py answers with `SocketModeServer.url`), opens a
WebSocket to that URL, and Slack greets it with a `hello` message. Slack then sends
each request as an envelope

    {"envelope_id": "...", "type": "slash_commands" | "interactive" | "events_api",
     "payload": {...the body the HTTP request would carry, as a dict...},
     "accepts_response_payload": true | false}

(events_api envelopes also carry `retry_attempt` and `retry_reason`), and the app
answers on the same socket with `{"envelope_id": "...", "payload": {...}}`, the
payload being what an HTTP ack's body would be, or no payload at all. Slack may send
`{"type": "disconnect", "reason": "refresh_requested"}`, after which the app opens a
new connection with a new URL.

`SocketModeSlackClient` is tests/slackclient.py's `SlackClient` speaking over that
socket, so `.command()`, `.click()`, `.submit()` and `.event()` build exactly the same
payloads in both modes.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qsl

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.slackclient import Reply, SlackClient

APP_ID = "A0001"


class SocketModeServer:
    """A WebSocket server that sends envelopes to the connected app and collects acks."""

    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.paths: list[str] = []  # the request path (with the ticket) of each connection
        self.acks: dict[str, dict[str, Any]] = {}
        self.unexpected: list[str] = []  # messages from the app that are not acks
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._tickets = itertools.count(1)
        self.server = serve(self._session, "127.0.0.1", 0, compression=None)
        self.port = int(self.server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self._thread.join(timeout=5)

    def new_url(self) -> str:
        """A fresh connection URL, as each `apps.connections.open` call returns one."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=t{next(self._tickets)}&app_id={APP_ID}"

    # --- the connection, as Slack runs it ---------------------------------------------
    def _session(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {
                        "host": "applink-fake",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": APP_ID},
                }
            )
        )
        with self._lock:
            self.connections.append(connection)
            self.paths.append(connection.request.path if connection.request else "")
            self._lock.notify_all()
        try:
            for raw in connection:
                message = json.loads(raw)
                with self._lock:
                    if isinstance(message, dict) and "envelope_id" in message:
                        self.acks[str(message["envelope_id"])] = message
                    else:
                        self.unexpected.append(str(raw))
                    self._lock.notify_all()
        except ConnectionClosed:
            pass

    def wait_connected(self, count: int = 1, timeout: float = 30.0) -> ServerConnection:
        """Wait for the app's `count`-th connection; returns the newest."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.connections) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {timeout}s for Socket Mode connection {count}")
                self._lock.wait(left)
            return self.connections[-1]

    def push(self, kind: str, payload: dict[str, Any], *, timeout: float = 5.0) -> dict[str, Any]:
        """Send one envelope on the newest connection and wait for the app's ack."""
        envelope_id = f"env-{next(self._ids):04d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            # Slack takes a response payload for commands and interactivity, not events.
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        self.wait_connected(timeout=timeout).send(json.dumps(envelope))
        deadline = time.monotonic() + timeout
        with self._lock:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {kind} envelope {envelope_id} in {timeout}s")
                self._lock.wait(left)
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before it recycles a connection."""
        self.wait_connected().send(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})
        )


class SocketModeSlackClient(SlackClient):
    """`SlackClient` whose requests travel as Socket Mode envelopes instead of HTTP posts.

    The HTTP body is turned into the envelope's payload the way Slack does it: a slash
    command's form fields as a dict, an interaction's `payload=` JSON, an event
    callback's JSON. The reply carries the ack's payload as its body."""

    def __init__(self, server: SocketModeServer, fake_url: str) -> None:
        super().__init__(url=f"ws://127.0.0.1:{server.port}/", secret="", fake_url=fake_url)
        self.server = server

    def post(self, body: bytes, content_type: str, **_http_only: Any) -> Reply:
        if "json" in content_type:
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            if "payload" in form:
                kind, payload = "interactive", json.loads(form["payload"])
            else:
                kind, payload = "slash_commands", form
        ack = self.server.push(kind, payload)
        answer = ack.get("payload")
        return Reply(200, json.dumps(answer).encode() if answer else b"", {})
