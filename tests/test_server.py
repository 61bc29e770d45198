"""The HTTP surface: /healthz and the one Slack endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.app import build_app
from bot.server import make_wsgi_app
from bot.store.db import Database
from tests.conftest import SECRET, Running, serve_in_thread


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_healthz_is_ok_when_the_database_answers(bench: Running) -> None:
    assert get(bench.url + "/healthz") == 200


def test_other_paths_are_not_found(bench: Running) -> None:
    assert get(bench.url + "/") == 404
    assert get(bench.url + "/slack/events") == 404  # GET: Slack only POSTs


def test_healthz_fails_when_the_database_is_unreachable(bench: Running) -> None:
    broken = Database("sqlite:////nonexistent-dir/benchmate.db")
    url, stop = serve_in_thread(make_wsgi_app(build_app(bench.deps), broken, SECRET))
    try:
        assert get(url + "/healthz") == 503
    finally:
        stop()
        broken.dispose()
