"""HTTP serving: the Bolt app behind waitress (a production WSGI server), plus /healthz."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.store.db import Database

log = logging.getLogger(__name__)

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EVENTS_PATH = "/slack/events"
SWITCH_INTERVAL = 0.0005  # seconds


def _reply(start_response: Callable[..., Any], status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def is_malformed(body: bytes, content_type: str) -> bool:
    """True when the body's JSON (the whole body, or its `payload=` field) is broken or is
    not an object: Bolt would fail on it with a 500 rather than answer."""
    try:
        if content_type.startswith("application/json"):
            raw = body.decode()
        else:
            if not body.startswith(b"payload="):
                return False  # a slash command: Bolt reads no JSON from it
            form = parse_qs(body.decode(), keep_blank_values=True)
            raw = form["payload"][0]
        return not isinstance(json.loads(raw), dict)
    except ValueError:  # not UTF-8, or not JSON
        return True


def from_slack(verifier: SignatureVerifier, body: bytes, environ: dict[str, Any]) -> bool:
    """A good signature, made within the last five minutes."""
    headers = {
        "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE"),
        "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
    }
    try:
        return verifier.is_valid_request(body, headers)
    except ValueError:  # a timestamp that is not a number
        return False


def make_wsgi_app(app: App, db: Database, signing_secret: str) -> Wsgi:
    """Slack's requests are verified here, once, before Bolt sees them (the app itself
    verifies nothing: see bot/app.py)."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    if not signing_secret:
        raise ValueError("serving HTTP needs the signing secret")
    verifier = SignatureVerifier(signing_secret)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            if db.is_reachable():
                return _reply(start_response, "200 OK", "ok\n")
            return _reply(start_response, "503 Service Unavailable", "database unreachable\n")
        if path != EVENTS_PATH or method != "POST":
            return _reply(start_response, "404 Not Found", "not found\n")
        # Read the body once, then hand Bolt a fresh stream of it.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        # Checked here, before Bolt looks at the body: Bolt answers a garbled timestamp
        # or a broken payload with a 500 instead of refusing it.
        if not from_slack(verifier, body, environ):
            return _reply(start_response, "401 Unauthorized", "invalid request\n")
        if is_malformed(body, environ.get("CONTENT_TYPE", "")):
            log.warning("malformed request body from Slack (%d bytes)", len(body))
            return _reply(start_response, "400 Bad Request", "malformed request\n")
        return bolt(environ, start_response)

    return wsgi


def make_server(wsgi: Wsgi, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server bound to (host, port); port 0 picks a free one.

    Call `.run()` to serve; `.close()` to stop. Waitress rather than gunicorn: it runs
    the same on Linux and on the Windows servers many hospital IT teams use.
    """
    # A thread holding the GIL (work after an answer, say) keeps a request that is
    # ready waiting up to the switch interval, 5 ms by default: that wait made the
    # slowest answers. Serving prefers short turns.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_server(wsgi, host=host, port=port, threads=threads, ident="benchmate")
