"""HTTP serving: the Bolt app behind waitress (a production WSGI server), plus /healthz."""

from __future__ import annotations

import gc
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.rules import payloads
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


# Slack's requests are small: a slash command is under 1 KB, and the largest form
# Benchmate opens (the match proposals, 98 blocks) comes back in a view_submission of
# about 300 KB. Anything over 1 MiB is refused before it is read (waitress enforces it
# too, for chunked bodies that announce no length).
MAX_BODY = 1024 * 1024  # bytes
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Refused(Exception):
    """A request that is not what Slack sends: answered 400 with the reason."""


# Cleaning is needed only when the raw text shows a control character or a lone
# surrogate: percent-encoded or raw in a form, or as a JSON escape (a surrogate pair,
# which JSON also uses for emoji, is checked and left alone by `payloads.clean`).
_CONTROL_IN_FORM = re.compile(r"%(?:0[0-8BCEFbcef]|1[0-9A-Fa-f])|[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_IN_JSON = re.compile(r"\\u(?:00[01][0-9A-Fa-f]|[dD][89A-Fa-f])")
# The only form fields read before Bolt: decoding all of them cost more than the rest of
# the checks together.
_CHECKED_FIELDS = ("command", "user_id", "team_id", "enterprise_id", "response_url")


def _fields(text: str) -> dict[str, str]:
    """A form's fields, values still percent-encoded; `Refused` for a field given twice
    (Bolt reads the first, a check might read the last)."""
    fields: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            key = unquote_plus(key) if "%" in key or "+" in key else key
            if key in fields:
                raise Refused("a field given twice")
            fields[key] = value
    return fields


def _json(text: str, problem_of: Callable[[Any], str | None]) -> tuple[Any, bool]:
    """The parsed JSON and whether it needs cleaning; `Refused` if its shape is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Refused("not JSON") from exc
    problem = problem_of(data)
    if problem:
        raise Refused(problem)
    return data, bool(_CONTROL_IN_JSON.search(text))


def screened(body: bytes, content_type: str) -> bytes:
    """The body as Bolt should see it, or `Refused`: the JSON parses to an object, the
    payload has the shape Slack gives it (bot/rules/payloads.py), and text from people
    carries no NUL or other control characters (they are stripped, the rest kept, and
    the body re-encoded).

    Bolt would answer a broken payload with a 500 rather than refuse it, and a listener
    would meet a missing user or a string where a list belongs deep inside its work."""
    try:
        text = body.decode()
    except ValueError as exc:
        raise Refused("not UTF-8") from exc
    if content_type == JSON:
        data, dirty = _json(text, payloads.event_problem)
        return json.dumps(payloads.clean(data)).encode() if dirty else body
    fields = _fields(text)
    if "payload" in fields:
        data, dirty = _json(unquote_plus(fields["payload"]), payloads.interactive_problem)
        if not dirty:
            return body
        return urlencode({"payload": json.dumps(payloads.clean(data))}).encode()
    if "ssl_check" in fields:  # Slack checking the certificate: Bolt answers it
        return body
    checked = {k: unquote_plus(fields[k]) for k in _CHECKED_FIELDS if k in fields}
    problem = payloads.command_problem(checked)
    if problem:
        raise Refused(problem)
    if not _CONTROL_IN_FORM.search(text):
        return body
    return urlencode(payloads.clean(dict(parse_qsl(text, keep_blank_values=True)))).encode()


def content_length(environ: dict[str, Any]) -> int:
    """The announced body length; `Refused` when it is not a number. No header: 0
    (waitress sets it after reading a chunked body, within its own limit)."""
    raw = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise Refused("Content-Length is not a number")
    return int(raw)


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
        try:
            length = content_length(environ)
        except Refused as exc:
            return _reply(start_response, "400 Bad Request", f"bad request: {exc}\n")
        if length > MAX_BODY:
            # Refused unread: a huge body must cost neither memory nor time.
            return _reply(start_response, "413 Content Too Large", "request too large\n")
        body = environ["wsgi.input"].read(length) if length else b""
        # Checked here, before Bolt looks at the body: Bolt answers a garbled timestamp
        # or a broken payload with a 500 instead of refusing it.
        if not from_slack(verifier, body, environ):
            return _reply(start_response, "401 Unauthorized", "invalid request\n")
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type not in (FORM, JSON):
            return _reply(start_response, "415 Unsupported Media Type", "unsupported type\n")
        try:
            body = screened(body, content_type)
        except Refused as exc:
            log.warning("malformed request from Slack (%d bytes): %s", len(body), exc)
            return _reply(start_response, "400 Bad Request", f"malformed request: {exc}\n")
        # Hand Bolt a fresh stream of the (possibly cleaned) body.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return bolt(environ, start_response)

    return wsgi


SOCKET_CHECKS = {
    "slash_commands": payloads.command_problem,
    "interactive": payloads.interactive_problem,
    "events_api": payloads.event_problem,
}


def socket_handler(app: App, app_token: str) -> Any:
    """Bolt's Socket Mode handler, with the checks `make_wsgi_app` makes over HTTP: a
    wrongly-shaped request is acknowledged (so Slack does not resend it) and dropped,
    and people's text loses NUL and other control characters before any listener."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.socket_mode.client import BaseSocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest
    from slack_sdk.socket_mode.response import SocketModeResponse

    class Screened(SocketModeHandler):
        def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
            check = SOCKET_CHECKS.get(req.type)
            if check is not None:
                payload = req.payload
                problem = check(payload) if isinstance(payload, dict) else "not an object"
                if problem:
                    log.warning("malformed %s from Slack over Socket Mode: %s", req.type, problem)
                    client.send_socket_mode_response(
                        SocketModeResponse(envelope_id=req.envelope_id)
                    )
                    return
                req.payload = payloads.clean(payload)
            super().handle(client, req)

    return Screened(app, app_token)


def settle_for_serving() -> None:
    """Call once the app is built, before serving: collect start-up garbage and freeze
    what is left (imports, the app, its listeners) out of the cyclic garbage collector's
    view. Its full collections while serving then walk only what requests make, not tens
    of thousands of start-up objects with the GIL held: `/win`'s p99 at 8 senders was
    about a tenth lower (docs/performance-win.md)."""
    gc.collect()
    gc.freeze()


def make_server(wsgi: Wsgi, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server bound to (host, port); port 0 picks a free one.

    Call `.run()` to serve; `.close()` to stop. Waitress rather than gunicorn: it runs
    the same on Linux and on the Windows servers many hospital IT teams use.
    """
    # A thread holding the GIL (work after an answer, say) keeps a request that is
    # ready waiting up to the switch interval, 5 ms by default: that wait made the
    # slowest answers. Serving prefers short turns.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="benchmate",
        # Waitress refuses a bigger body (413) before buffering it; `>=` is its test.
        max_request_body_size=MAX_BODY + 1,
    )
