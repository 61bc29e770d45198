"""A local HTTP server that answers like Slack's Web API and records what it was sent.

Methods and argument names are checked against Slack's own OpenAPI description in
../shared/slack-web-api-spec when it is there; a call it does not describe is
recorded in `violations` (tests assert there are none). Methods Slack added after
that 2020 description (the files.*External upload pair, apps.connections.open) are
listed in NEWER_METHODS.

Socket Mode: set `socket_urls` to a function minting connection URLs (see
tests/fakesocket.py) and `apps.connections.open` answers with one, as Slack does for
an app-level token sent in the Authorization header.

Failures on demand: `fail(method, error)` answers `ok: false`; `fail(method, status=429,
retry_after=1)` or `status=500` answers with that HTTP status; `limit_per_second` makes
chat.postMessage answer 429 with Retry-After beyond a rate; `delays[method] = seconds`
makes a method that slow to answer.

Messages: chat.postMessage stores each message in its conversation (a DM to a user id
goes to that user's "D..." channel), with its `metadata` as Slack keeps it, and
`conversations.history` serves them as Slack does: newest first, `oldest`/`latest`
(exclusive unless `inclusive`), `limit`, a cursor, and metadata only with
`include_all_metadata`. A message's ts is the fake's clock (`set_now` moves it, so a test
that runs passes `--now` some minutes on can keep Slack's clock with them).
`answer_late(seconds)` posts the next chat.postMessage at once but answers it only
after `seconds` (longer than the client's timeout: the outcome is unknown to the bot);
`post_then_fail(500)` posts it and answers 500 all the same.

Files people share: `add_file(name, content)` keeps a file and returns the file object
Slack puts in a `file_share` message event; its `url_private_download` serves the
content only to a request carrying a bot token in the Authorization header (without
one Slack answers 200 with its HTML sign-in page, and so does the fake);
`fail_download(status)` answers the next download with that HTTP status; `files.info`
answers with the file object. Each download is recorded as a call of method
"download".
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote

from sandbox.spec import LENIENT_ARGS, NEWER_ARGS, NEWER_METHODS, check_call, load_spec, spec_path

# Slack's description and the checks against it live in the sandbox package, which the
# sandbox's stand-in shares with this test server.
__all__ = ["LENIENT_ARGS", "NEWER_ARGS", "NEWER_METHODS", "SPEC", "FakeSlack", "load_spec"]
SPEC = spec_path()


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # the HTTP status it was answered with (429, 500...)


class _Server(ThreadingHTTPServer):
    # Slack takes many connections at once; the default backlog of 5 drops the SYNs
    # of concurrent senders, which then wait a second to retry.
    request_queue_size = 128


class FakeSlack:
    def __init__(self) -> None:
        self.spec = load_spec()
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self.uploads: dict[str, bytes] = {}
        self.files: dict[str, dict[str, Any]] = {}  # file id -> file object
        # Files shared into conversations by files.completeUploadExternal, for files.list.
        self.shared_files: list[dict[str, Any]] = []
        self._upload_names: dict[str, str] = {}  # file id -> filename asked for
        self.file_content: dict[str, bytes] = {}  # file id -> bytes served on download
        self._download_failures: deque[int] = deque()
        self.violations: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.emails: dict[str, str] = {}
        self.failures: dict[str, deque[tuple[int, str | None, float]]] = {}
        self.limit_per_second: float | None = None
        self.post_delay = 0.0  # seconds each chat.postMessage takes (a slow Slack)
        # chat.postMessage waits until this many distinct tokens have called (at most 60 s):
        # makes processes that each use their own token overlap, however loaded the machine.
        self.posts_wait_for_tokens = 0
        self._tokens_seen: set[str] = set()
        self.delays: dict[str, float] = {}  # seconds a method takes to answer (a hung Slack)
        self.socket_urls: Callable[[], str] | None = None  # Socket Mode connection URLs
        self._window: deque[float] = deque()
        # Stored messages per conversation id, oldest first (see conversations.history).
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._late: deque[float] = deque()  # delays before answering the next posts
        self._posted_then_failed: deque[int] = deque()  # statuses for the next posts
        self._offset = 0.0  # the fake's clock minus the real one (set_now)
        self._last_ts = 0.0
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY (which Slack's
            # servers, like most, set) a kept-alive client waits a delayed ACK for each.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def handle(self) -> None:
                # The client may be killed mid-connection (the crash tests).
                with contextlib.suppress(ConnectionResetError):
                    super().handle()

            def do_GET(self) -> None:
                if not self.path.startswith("/files-pri/"):
                    self.do_POST()
                    return
                status, content_type, body = fake.download(
                    self.path, self.headers.get("Authorization")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # the bot stops reading past its size limit

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The client died while sending: Slack never gets such a request.
                    self.close_connection = True
                    return
                status, payload, headers = fake.handle(
                    self.path,
                    raw,
                    self.headers.get("Content-Type", ""),
                    self.headers.get("Authorization"),
                )
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (answer_late)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.api_url = self.url + "/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- set-up helpers -------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str = "",
        tz: str = "America/Chicago",
        *,
        deleted: bool = False,
        email: str | None = None,
        is_bot: bool = False,
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name.lower() or user_id.lower(),
            "real_name": name or user_id,
            "tz": tz,
            "deleted": deleted,
            "is_bot": is_bot,
            "profile": {"display_name": name, "real_name": name, "email": email},
        }
        if email:
            self.emails[email.lower()] = user_id

    def fail(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        retry_after: float = 1,
        times: int = 1,
    ) -> None:
        with self._lock:
            queue = self.failures.setdefault(method, deque())
            for _ in range(times):
                queue.append((status, error, retry_after))

    def add_file(
        self,
        name: str,
        content: bytes | str,
        *,
        filetype: str = "csv",
        mimetype: str = "text/csv",
        user: str = "U100",
        size: int | None = None,
    ) -> dict[str, Any]:
        """A file `user` shared; returns its object as a message event carries it.
        `size` overrides what the object claims (the download serves `content`)."""
        data = content.encode() if isinstance(content, str) else content
        file_id = f"F{next(self._ids):08d}"
        url = f"{self.url}/files-pri/T0001-{file_id}"
        quoted = quote(name)  # Slack's file URLs are percent-encoded
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": filetype,
            "user": user,
            "size": len(data) if size is None else size,
            "url_private": f"{url}/{quoted}",
            "url_private_download": f"{url}/download/{quoted}",
        }
        self.file_content[file_id] = data
        return dict(self.files[file_id])

    def fail_download(self, status: int = 500, *, times: int = 1) -> None:
        with self._lock:
            self._download_failures.extend([status] * times)

    def download(self, path: str, auth: str | None) -> tuple[int, str, bytes]:
        """GET of a file's url_private(_download)."""
        file_id = path.split("/")[2].rsplit("-", 1)[-1]
        token = auth.removeprefix("Bearer ") if auth else None
        self.record("download", {"file": file_id}, token)
        with self._lock:
            failed = self._download_failures.popleft() if self._download_failures else 0
        if failed:
            return failed, "text/plain", b"error"
        if not token or not token.startswith("xoxb-"):
            return 200, "text/html", b"<!DOCTYPE html><html>Sign in to Slack</html>"
        if file_id not in self.file_content:
            return 404, "text/plain", b"file not found"
        mimetype = self.files[file_id]["mimetype"]
        return 200, mimetype, self.file_content[file_id]

    def set_now(self, when: datetime) -> None:
        """From now on message timestamps run from `when` (as the bot's `--now`)."""
        with self._lock:
            self._offset = when.timestamp() - time.time()

    def answer_late(self, seconds: float, *, times: int = 1) -> None:
        """Post the next `times` chat.postMessage calls at once, but answer each only
        after `seconds`: beyond the client's timeout the bot cannot know it was posted."""
        with self._lock:
            self._late.extend([seconds] * times)

    def post_then_fail(self, status: int = 500, *, times: int = 1) -> None:
        """Post the next `times` chat.postMessage calls, then answer each with HTTP
        `status` anyway (a 5xx from a Slack that did its work)."""
        with self._lock:
            self._posted_then_failed.extend([status] * times)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The messages stored in a conversation ("D..." for a user's DM), oldest first."""
        with self._lock:
            return list(self.messages.get(channel, []))

    # --- assertions -------------------------------------------------------------------
    def sent(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` calls of `method` arrived (lazy listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([c for c in self.calls if c.method == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [c.method for c in self.calls]
                    raise AssertionError(f"waited for {count} x {method}; calls were {got}")
                self._lock.wait(left)
            return [c for c in self.calls if c.method == method]

    def wait_for_response(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.responses) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited for {count} response_url posts")
                self._lock.wait(left)
            return list(self.responses)

    # --- the server side -----------------------------------------------------------------
    def handle(
        self, path: str, raw: bytes, content_type: str, auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path.startswith("/response/"):
            with self._lock:
                self.responses.append(json.loads(raw or b"{}"))
                self._lock.notify_all()
            return 200, {"ok": True}, {}
        if path.startswith("/upload/"):
            with self._lock:
                self.uploads[path.rsplit("/", 1)[-1]] = raw
            return 200, {"ok": True}, {}
        method, _, query = path.partition("?")
        method = method.removeprefix("/api/")
        args = self.parse_args(raw, content_type)
        if query:  # GET methods (conversations.history) take their arguments here
            args = {**dict(parse_qsl(query, keep_blank_values=True)), **args}
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        if token:
            with self._lock:
                self._tokens_seen.add(token)
                self._lock.notify_all()
        if method == "chat.postMessage" and self.posts_wait_for_tokens:
            with self._lock:
                self._lock.wait_for(
                    lambda: len(self._tokens_seen) >= self.posts_wait_for_tokens, timeout=60
                )
        if not self.check(method, args):
            self.record(method, args, token, 200)
            return 200, {"ok": False, "error": "unknown_method"}, {}
        self.check_block_limits(method, args)
        status, error, retry_after = self.next_failure(method)
        if status == 429:
            self.record(method, args, token, status)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        if status >= 500:
            self.record(method, args, token, status)
            return status, {"ok": False, "error": "fatal_error"}, {}
        if method == "chat.postMessage" and self._posted_then_failed:
            with self._lock:
                failed = self._posted_then_failed.popleft() if self._posted_then_failed else 0
            if failed:
                self.record(method, args, token, failed)
                self.answer(method, args)  # posted; the answer says otherwise
                return failed, {"ok": False, "error": "fatal_error"}, {}
        if method == "chat.postMessage" and self.over_limit():
            self.record(method, args, token, 429)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        self.record(method, args, token)
        if method == "files.completeUploadExternal":
            self.share_files(args)  # shared now, even if the answer comes late or never
        if method == "chat.postMessage" and self.post_delay:
            time.sleep(self.post_delay)
        if self.delays.get(method):
            time.sleep(self.delays[method])
        if error:
            return 200, {"ok": False, "error": error}, {}
        if method == "apps.connections.open":
            return 200, self.open_connection(auth), {}
        answer = self.answer(method, args)
        if method == "chat.postMessage":
            with self._lock:
                late = self._late.popleft() if self._late else 0.0
            if late:
                time.sleep(late)  # posted already; the client has given up by now
        return 200, answer, {}

    def parse_args(self, raw: bytes, content_type: str) -> dict[str, Any]:
        if "json" in content_type:
            data = json.loads(raw or b"{}")
            return data if isinstance(data, dict) else {}
        args: dict[str, Any] = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in ("blocks", "view", "files", "attachments"):
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    def check(self, method: str, args: dict[str, Any]) -> bool:
        """Record calls Slack's description does not know; False for an unknown method
        (which Slack answers with `unknown_method`)."""
        if self.spec is None:
            return True
        known, violation = check_call(self.spec, method, args)
        if violation:
            self.violations.append(violation)
        return known

    def check_block_limits(self, method: str, args: dict[str, Any]) -> None:
        """Slack refuses a view over 100 blocks and a message over 50."""
        view = args.get("view")
        if isinstance(view, dict) and len(view.get("blocks") or []) > 100:
            self.violations.append(f"{method}: {len(view['blocks'])} blocks in a view (max 100)")
        blocks = args.get("blocks")
        if isinstance(blocks, list) and len(blocks) > 50:
            self.violations.append(f"{method}: {len(blocks)} blocks in a message (max 50)")

    def next_failure(self, method: str) -> tuple[int, str | None, float]:
        with self._lock:
            queue = self.failures.get(method)
            return queue.popleft() if queue else (200, None, 0)

    def over_limit(self) -> bool:
        if not self.limit_per_second:
            return False
        with self._lock:
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.limit_per_second:
                return True
            self._window.append(now)
            return False

    def record(
        self, method: str, args: dict[str, Any], token: str | None, status: int = 200
    ) -> None:
        with self._lock:
            self.calls.append(Call(method, args, token, status=status))
            self._lock.notify_all()

    def open_connection(self, auth: str | None) -> dict[str, Any]:
        """`apps.connections.open`: a WebSocket URL for an app-level token in the header."""
        token = auth.removeprefix("Bearer ") if auth else ""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_urls is None:
            self.violations.append("apps.connections.open: the test runs no Socket Mode server")
            return {"ok": False, "error": "internal_error"}
        return {"ok": True, "url": self.socket_urls()}

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": "T0001",
                "user_id": "UBOT",
                "bot_id": "B0001",
                "url": "https://lab.slack.com/",
                "team": "Lab",
                "user": "benchmate",
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.list":
            # Pages of `limit` people; the cursor is the next index (opaque to callers).
            ids = sorted(self.users)
            start = int(args.get("cursor") or 0)
            end = start + (int(args.get("limit") or 0) or len(ids))
            return {
                "ok": True,
                "members": [self.users[i] for i in ids[start:end]],
                "response_metadata": {"next_cursor": str(end) if end < len(ids) else ""},
            }
        if method == "users.lookupByEmail":
            uid = self.emails.get(str(args.get("email", "")).lower())
            if uid is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": self.users[uid]}
        if method == "files.list":
            return self.list_files(args)
        if method == "files.info":
            found = self.files.get(str(args.get("file")))
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": found}
        if method == "chat.postMessage":
            channel = str(args.get("channel"))
            dm = "D" + channel[1:] if channel.startswith("U") else channel
            message = self.store(dm, args)
            return {"ok": True, "channel": dm, "ts": message["ts"], "message": message}
        if method == "conversations.history":
            return self.history(args)
        if method == "conversations.open":
            users = str(args.get("users", "")).split(",")
            cid = "D" + users[0][1:] if len(users) == 1 else f"G{n:08d}"
            return {"ok": True, "channel": {"id": cid}}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "permalink": f"https://lab.slack.com/archives/{args.get('channel')}/"
                f"p{str(args.get('message_ts', '')).replace('.', '')}",
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{n:08d}"
            with self._lock:
                self._upload_names[file_id] = str(args.get("filename", ""))
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = args.get("view") or {}
            return {"ok": True, "view": {**view, "id": f"V{n:08d}"}}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id")} for f in files]}
        return {"ok": True}

    def share_files(self, args: dict[str, Any]) -> None:
        """files.completeUploadExternal with a channel: the files appear in it."""
        files = args.get("files") or []
        if isinstance(files, str):  # form-encoded: JSON text
            files = json.loads(files)
        channel = str(args.get("channel_id") or "")
        if not channel:
            return
        with self._lock:
            for f in files:
                self.shared_files.append(
                    {
                        "id": f.get("id"),
                        "name": self._upload_names.get(str(f.get("id")), ""),
                        "title": f.get("title", ""),
                        "created": int(time.time() + self._offset),
                        "channels": [channel],
                        "user": "UBOT",
                    }
                )

    def list_files(self, args: dict[str, Any]) -> dict[str, Any]:
        """files.list: a channel's files since `ts_from`, newest first, paged."""
        channel = args.get("channel")
        since = float(args.get("ts_from") or 0)
        count = int(args.get("count") or 100)
        page = int(args.get("page") or 1)
        with self._lock:
            found = [
                f
                for f in reversed(self.shared_files)
                if (not channel or channel in f["channels"]) and f["created"] >= since
            ]
        pages = max(1, -(-len(found) // count))
        return {
            "ok": True,
            "files": found[(page - 1) * count : page * count],
            "paging": {"count": count, "total": len(found), "page": page, "pages": pages},
        }

    def store(self, channel: str, args: dict[str, Any]) -> dict[str, Any]:
        """Keep a posted message in its conversation, with a ts from the fake's clock."""
        metadata = args.get("metadata")
        if isinstance(metadata, str):  # form-encoded: JSON text, as Slack accepts it
            metadata = json.loads(metadata)
        with self._lock:
            # Slack's ts is unique in a conversation: here, across all of them.
            self._last_ts = max(time.time() + self._offset, self._last_ts + 0.000001)
            message: dict[str, Any] = {
                "type": "message",
                "user": "UBOT",
                "bot_id": "B0001",
                "ts": f"{self._last_ts:.6f}",
                "text": args.get("text", ""),
            }
            if args.get("blocks"):
                message["blocks"] = args["blocks"]
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            if isinstance(metadata, dict):
                message["metadata"] = metadata
            self.messages.setdefault(channel, []).append(message)
        return message

    def history(self, args: dict[str, Any]) -> dict[str, Any]:
        """`conversations.history` as Slack answers it: newest first, `oldest`/`latest`
        exclusive unless `inclusive`, `limit` (default 100), a cursor for the rest,
        metadata only when `include_all_metadata` is true."""
        channel = str(args.get("channel", ""))
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        limit = max(1, min(int(args.get("limit") or 100), 999))
        start = int(str(args.get("cursor") or "next:0").removeprefix("next:"))
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            stored = list(self.messages.get(channel, []))

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [m for m in reversed(stored) if within(float(m["ts"]))]
        page = found[start : start + limit]
        more = start + limit < len(found)
        messages = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page
        ]
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
        }
