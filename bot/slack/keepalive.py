"""A slack_sdk WebClient that keeps its HTTP connections open between calls.

slack_sdk's sync client sends every call through `urllib.request.urlopen`, which opens
a new TCP (and TLS) connection each time and closes it after the answer. A fan-out of
thousands of DMs then spends much of its time connecting. This client swaps only that
last step for one `http.client` connection per thread, kept alive; everything else is
slack_sdk's own: request building, retry handlers, `SlackResponse`, `SlackApiError`.
Non-2xx answers are raised as urllib's `HTTPError` and connection failures as
`URLError`, exactly as `urlopen` does, so 429s and retries behave the same.
"""

from __future__ import annotations

import io
import select
import threading
from http.client import HTTPConnection, HTTPSConnection
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient


class KeepAliveWebClient(WebClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        conn = self._connection(parts.scheme, parts.netloc)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(req.header_items())
        try:
            conn.request("POST", path, body=req.data, headers=headers)  # type: ignore[arg-type]
        except OSError as exc:
            self._drop()
            raise URLError(exc) from exc  # as urlopen reports a failed connect or send
        try:
            resp = conn.getresponse()
            body = resp.read()
        except OSError:
            self._drop()
            raise
        if resp.will_close:
            self._drop()
        if not 200 <= resp.status < 300:
            raise HTTPError(url, resp.status, resp.reason, resp.msg, io.BytesIO(body))
        if resp.msg.get_content_type() == "application/gzip":
            return {"status": resp.status, "headers": resp.msg, "body": body}
        charset = resp.msg.get_content_charset() or "utf-8"
        return {"status": resp.status, "headers": resp.msg, "body": body.decode(charset)}

    def _connection(self, scheme: str, netloc: str) -> HTTPConnection:
        """This thread's open connection to `netloc`, or a new one. A kept connection the
        server has closed meanwhile (it reads as ready: EOF) is replaced before use, so a
        request is never sent into a dead socket."""
        conn: HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None and (self._local.key != (scheme, netloc) or _dropped(conn)):
            self._drop()
            conn = None
        if conn is None:
            if scheme == "https":
                conn = HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl)
            else:
                conn = HTTPConnection(netloc, timeout=self.timeout)
            self._local.conn, self._local.key = conn, (scheme, netloc)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None


def _dropped(conn: HTTPConnection) -> bool:
    sock = conn.sock
    if sock is None:
        return False  # not connected yet: request() connects
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)
