"""The kept-alive WebClient behind every gateway: same answers and errors as slack_sdk's
own urllib path (429 with Retry-After, 5xx, `ok: false`), over one connection per thread,
and a connection the server closed meanwhile is replaced, not written into."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.gateway import error_code, http_status, make_client, retry_after
from bot.slack.keepalive import KeepAliveWebClient
from tests.fakeslack import FakeSlack

TOKEN = "xoxb-test-token"


def test_calls_share_one_connection_and_answer_like_slack_sdk(slack: FakeSlack) -> None:
    client = make_client(TOKEN, slack.api_url, retries=0)
    assert isinstance(client, KeepAliveWebClient)
    first = client.chat_postMessage(channel="U100", text="one")
    sock = client._local.conn.sock
    second = client.chat_postMessage(channel="U200", text="two")
    assert client._local.conn.sock is sock
    assert first["ok"] and second["ok"] and first["ts"] != second["ts"]
    assert [c.args["channel"] for c in slack.sent("chat.postMessage")] == ["U100", "U200"]


def test_errors_are_slack_sdk_errors(slack: FakeSlack) -> None:
    client = make_client(TOKEN, slack.api_url, retries=0)
    slack.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="U100", text="hi")
    assert http_status(limited.value) == 429
    assert retry_after(limited.value) == 7
    slack.fail("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as broken:
        client.chat_postMessage(channel="U100", text="hi")
    assert http_status(broken.value) == 500
    slack.fail("chat.postMessage", "user_disabled")
    with pytest.raises(SlackApiError) as gone:
        client.chat_postMessage(channel="U100", text="hi")
    assert error_code(gone.value) == "user_disabled"
    # The connection is still good after error answers.
    assert client.chat_postMessage(channel="U100", text="hi")["ok"]


def test_the_client_retry_handlers_still_wait_out_a_429(slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=0)
    client = make_client(TOKEN, slack.api_url, retries=1)
    assert client.chat_postMessage(channel="U100", text="hi")["ok"]
    assert [c.status for c in slack.sent("chat.postMessage")] == [429, 200]


@pytest.fixture
def one_answer_server() -> Iterator[tuple[str, list[int]]]:
    """A server that answers one request per connection, then hangs up without saying
    so (as a server closing an idle keep-alive connection does)."""
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[int] = []
    body = b'{"ok": true, "channel": "D1", "ts": "1.0"}'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(1)
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/", connections
    listener.close()


def test_a_connection_the_server_closed_is_replaced(
    one_answer_server: tuple[str, list[int]],
) -> None:
    url, connections = one_answer_server
    client = make_client(TOKEN, url, retries=0)
    assert client.chat_postMessage(channel="U1", text="one")["ok"]
    sock = client._local.conn.sock
    # Wait until the server's FIN has arrived.
    sock.settimeout(2)
    assert sock.recv(1, socket.MSG_PEEK) == b""
    assert client.chat_postMessage(channel="U1", text="two")["ok"]
    assert len(connections) == 2


def test_no_server_is_a_connection_error_as_with_urllib() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    client = make_client(TOKEN, f"http://127.0.0.1:{port}/api/", retries=0)
    with pytest.raises(URLError):
        client.chat_postMessage(channel="U1", text="hi")
