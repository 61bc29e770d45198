"""manifest.yml is valid for Slack and matches the listeners the app registers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import handlers
from bot.deps import Deps

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"


def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema() -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared is absent)")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(manifest(), schema)


class Recorder:
    """Stands in for App during registration and notes every id a listener is for."""

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = {
            k: set() for k in ("command", "shortcut", "view", "event", "action")
        }

    def _record(self, kind: str) -> Any:
        def register(key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                self.ids[kind].add(key)
            elif isinstance(key, dict):
                self.ids[kind].add(str(key.get("callback_id") or key.get("type")))
            elif not isinstance(key, re.Pattern):
                raise AssertionError(f"unexpected {kind} key {key!r}")
            return lambda *a, **k: None

        return register

    def __getattr__(self, name: str) -> Any:
        if name in self.ids:
            return self._record(name)
        if name in ("message", "middleware", "use", "error"):
            return lambda *a, **k: lambda *a, **k: None
        raise AttributeError(name)


def registered(deps: Deps) -> dict[str, set[str]]:
    recorder = Recorder()
    handlers.register(recorder, deps)  # type: ignore[arg-type]
    return recorder.ids


@pytest.fixture
def listener_ids(bench: Any) -> dict[str, set[str]]:
    return registered(bench.deps)


def test_every_manifest_command_has_a_handler_and_back(listener_ids: dict[str, set[str]]) -> None:
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert declared == listener_ids["command"]


def test_every_manifest_shortcut_has_a_handler_and_back(listener_ids: dict[str, set[str]]) -> None:
    declared = {s["callback_id"] for s in manifest()["features"].get("shortcuts", [])}
    assert declared == listener_ids["shortcut"]


def test_every_subscribed_event_has_a_handler_and_back(listener_ids: dict[str, set[str]]) -> None:
    declared = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    # message.im arrives as the "message" event type.
    handled = {e if e != "message" else "message.im" for e in listener_ids["event"]}
    assert declared == handled


def test_every_modal_callback_id_is_handled(listener_ids: dict[str, set[str]]) -> None:
    """Each modal the code builds with a submit button has a view listener."""
    built = set()
    for path in (ROOT / "bot" / "blocks").glob("*.py"):
        built |= set(re.findall(r'^([A-Z_]+_MODAL) = "(\w+)"', path.read_text(), re.M))
    assert built, "no modal callback ids found"
    assert {callback for _, callback in built} <= listener_ids["view"]


def test_manifest_commands_answer_over_http(bench: Any) -> None:
    """Not 404 from Bolt: a listener really is registered for each declared command."""
    for command in manifest()["features"]["slash_commands"]:
        assert bench.client.command(command["command"], "help").status == 200


def test_the_app_may_read_back_its_own_messages() -> None:
    """Exactly once across crashes looks for a message's ledger key with
    conversations.history: in DMs (im:history) and in the program channel, public
    (channels:history) or private (groups:history)."""
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"im:history", "channels:history", "groups:history", "im:write"} <= scopes


def test_the_app_may_download_a_roster_file_shared_in_its_dm() -> None:
    """A roster CSV uploaded in the app DM arrives as a message.im event (subtype
    file_share); downloading it with the bot token needs files:read."""
    found = manifest()
    assert "files:read" in found["oauth_config"]["scopes"]["bot"]
    assert "message.im" in found["settings"]["event_subscriptions"]["bot_events"]
