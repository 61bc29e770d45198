"""The sandbox: the stand-in's HTTP server (Slack's Web API, the sandbox API for the page,
the page's static files) and what the page asks for: commands, messages, clicks, form
submissions, the clock and reset. The API is documented in docs/sandbox.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import mimetypes
import re
import shutil
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox import lab
from sandbox.benchmate import Benchmate, Config
from sandbox.forms import fill_state
from sandbox.spec import load_spec
from sandbox.timetable import Timetable
from sandbox.workspace import APP_ID, BOT_USER, TEAM, SlackError, Workspace, dm_id

log = logging.getLogger("benchmate.sandbox")

STATIC = Path(__file__).resolve().parent / "static"
# Slash commands whose text Slack escapes (`should_escape: true` in manifest.yml):
# mentions arrive as <@U123|name>, channels as <#C123|name>.
ESCAPED_COMMANDS = {"/program", "/mentor"}
COMMANDS = {"/win", "/goal", "/program", "/mentor"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MAX_JUMP = timedelta(days=366)
WAIT_MAX = 25.0
MAX_FILE = 10 * 1024 * 1024  # a file attached on the page (Benchmate refuses rosters > 2 MB)
Json = dict[str, Any]


class BadRequest(Exception):
    """The page asked for something impossible: answered 400 with {"error": ...}."""


MARKER = ".benchmate-sandbox"


def check_folder(folder: Path) -> None:
    """The sandbox wipes its folder at every start and reset: only a folder that does not
    exist yet, is empty, or is already a sandbox's (it holds MARKER) may be used."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise RuntimeError(f"{folder} is a file: give the sandbox a folder of its own")
    # (A folder made before the marker existed has the clock file and the .gitignore.)
    earlier = (folder / "clock").is_file() and (folder / ".gitignore").is_file()
    if any(folder.iterdir()) and not (folder / MARKER).is_file() and not earlier:
        raise RuntimeError(
            f"{folder} holds files and is not a sandbox folder; the sandbox wipes its "
            "folder at every start, so give it a new or empty one (--folder)"
        )


def default_start() -> datetime:
    """Today, 09:00 in the lab's (the coordinator's) zone: a working morning."""
    zone = ZoneInfo(lab.BY_ID[lab.COORDINATOR].tz)
    today = datetime.now(zone).date()
    return datetime(today.year, today.month, today.day, 9, tzinfo=zone).astimezone(UTC)


class Sandbox:
    def __init__(
        self,
        folder: Path,
        *,
        port: int = 0,
        start: datetime | None = None,
        spec_path: Path | None = None,
    ) -> None:
        self.folder = folder.resolve()
        check_folder(self.folder)
        self.start_at = (start or default_start()).astimezone(UTC)
        # The sandbox runs without the description too (and says so: spec_mode).
        self.spec = load_spec(spec_path, required_in_ci=False)
        self.current = self.start_at
        self.last_pass = self.start_at  # the instant of the last scheduler pass
        self.seq_at_pass = 0  # the stand-in's newest message then
        self.lock = threading.RLock()  # one reset or clock jump at a time
        self.http = _Server(("127.0.0.1", port), _handler(self))
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        # Only pages served from here may drive the sandbox: a Host header naming anything
        # else is a DNS-rebinding attempt, and a web page elsewhere cannot send JSON here
        # without a CORS preflight, which is never granted.
        self.hosts = {f"{name}:{self.http.server_port}" for name in ("127.0.0.1", "localhost")}
        self.workspace = self.new_workspace()
        self.benchmate: Benchmate | None = None
        self.timetable: Timetable | None = None
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    # --- life cycle -------------------------------------------------------------------
    def start(self) -> Json:
        """Serve, start Benchmate and seed; returns reset()'s answer."""
        self._thread.start()
        return self.reset()

    def close(self) -> None:
        if self.timetable:
            self.timetable.close()
        if self.benchmate:
            self.benchmate.stop()
        self.http.shutdown()
        self.http.server_close()

    def new_workspace(self) -> Workspace:
        token = "xoxb-sandbox-" + uuid.uuid4().hex
        workspace = Workspace(token=token, now=lambda: self.current, spec=self.spec)
        workspace.base_url = self.url
        return workspace

    def reset(self) -> Json:
        """Stop Benchmate, wipe the sandbox folder, start afresh and seed the demo lab."""
        with self.lock:
            began = time.monotonic()
            if self.timetable:
                self.timetable.close()
            if self.benchmate:
                self.benchmate.stop()
            check_folder(self.folder)
            if self.folder.exists():
                shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
            (self.folder / MARKER).write_text("A Benchmate sandbox: wiped at every start.\n")
            (self.folder / ".gitignore").write_text("*\n")
            self.workspace = self.new_workspace()
            lab.add_people(self)
            self.set_clock(self.start_at)
            config = Config(
                folder=self.folder,
                api_url=self.url + "/api/",
                token=self.workspace.token,
                secret=uuid.uuid4().hex,
                coordinators=lab.COORDINATOR,
            )
            self.benchmate = Benchmate(config)
            self.benchmate.start()
            lab.seed(self, self.start_at)
            self.timetable = Timetable(config.database)
            self.timetable.instants(self.current, self.current)  # compiled before the first jump
            seconds = time.monotonic() - began
            return {"now": self.iso_now(), "seconds": round(seconds, 2)}

    # --- the clock --------------------------------------------------------------------
    def set_clock(self, at: datetime) -> None:
        self.current = at.astimezone(UTC)
        clock_file = self.folder / "clock"
        partial = clock_file.with_suffix(".tmp")
        partial.write_text(self.current.isoformat())
        partial.replace(clock_file)  # readers never see half a timestamp

    def iso_now(self) -> str:
        return self.current.isoformat().replace("+00:00", "Z")

    def target(self, body: Json) -> datetime:
        """Where a clock request moves time to."""
        if "to" in body:
            try:
                at = datetime.fromisoformat(str(body["to"]).replace("Z", "+00:00"))
            except ValueError:
                raise BadRequest(f"not an ISO 8601 instant: {body['to']!r}") from None
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        if "plus" in body:
            plus = body["plus"]
            allowed = {"weeks", "days", "hours", "minutes"}
            if not isinstance(plus, dict) or not plus or set(plus) - allowed:
                raise BadRequest("plus takes weeks, days, hours and/or minutes, e.g. {'days': 1}")
            try:
                return self.current + timedelta(**{k: float(v) for k, v in plus.items()})
            except (TypeError, ValueError):
                raise BadRequest("plus takes numbers") from None
        if "next" in body:
            nxt = body["next"] if isinstance(body["next"], dict) else {}
            weekday = str(nxt.get("weekday", "")).lower()
            if weekday not in WEEKDAYS:
                raise BadRequest(f"weekday must be one of {', '.join(WEEKDAYS)}")
            found = re.fullmatch(r"(\d{1,2}):(\d{2})", str(nxt.get("time", "")))
            if not found or int(found[1]) > 23 or int(found[2]) > 59:
                raise BadRequest("time must be HH:MM, e.g. 14:00")
            try:
                zone = ZoneInfo(str(nxt.get("tz") or lab.BY_ID[lab.COORDINATOR].tz))
            except (ZoneInfoNotFoundError, ValueError):
                raise BadRequest(f"unknown time zone {nxt.get('tz')!r}") from None
            local = self.current.astimezone(zone)
            day = local.date() + timedelta(days=(WEEKDAYS.index(weekday) - local.weekday()) % 7)
            at = datetime(day.year, day.month, day.day, int(found[1]), int(found[2]), tzinfo=zone)
            if at <= self.current:
                at += timedelta(days=7)
            return at
        raise BadRequest("give 'to' (ISO instant), 'plus' ({'days': 1}) or 'next'")

    def jump(self, body: Json) -> Json:
        """Move time forward, running Benchmate's real scheduler pass at each instant
        something can fall due on the way (sandbox/timetable.py), in order, so every
        message is stamped at its own due time, as with Slack's pass every minute; then
        at the instant reached. Something that fell due since the last pass (a closing
        survey for a pair just ended) goes at once, in a pass at the starting instant."""
        with self.lock:
            target = self.target(body).astimezone(UTC)
            if target < self.current:
                raise BadRequest("the clock only moves forward: reset to start over")
            if target - self.current > MAX_JUMP:
                raise BadRequest("jump at most a year at a time")
            began = time.monotonic()
            # Work Benchmate does after answering the last click reads the clock too:
            # let it finish at the old instant.
            self.quiet(idle=0.05, timeout=3)
            before = self.workspace.latest_seq()
            # Someone acted since the last pass (e.g. ended a pair, whose closing survey
            # may be due at once): what fell due since, up to now, goes in a pass at the
            # starting instant. Otherwise that pass saw all there is up to now.
            acted = self.workspace.latest_seq() != self.seq_at_pass
            since = self.last_pass - timedelta(microseconds=1 if acted else 0)
            assert self.timetable
            due = self.timetable.instants(since, target)
            steps = [at for at in due if self.current < at < target]
            if any(at <= self.current for at in due):
                steps.insert(0, self.current)
            lines: list[str] = []
            for step in [*steps, target]:
                self.set_clock(step)
                lines += self.tick()["lines"]
            with self.workspace.lock:
                sent = [
                    m
                    for m in self.workspace.messages
                    if m["seq"] > before and m["bot"] and not m["ephemeral"]
                ]
            return {
                "now": self.iso_now(),
                "sent": len(sent),
                "passes": lines,
                "ran_at": [at.isoformat().replace("+00:00", "Z") for at in [*steps, target]],
                "seconds": round(time.monotonic() - began, 3),
            }

    def tick(self) -> Json:
        assert self.benchmate
        answer = self.benchmate.tick()
        self.last_pass = self.current
        self.seq_at_pass = self.workspace.latest_seq()
        return answer

    # --- helpers ----------------------------------------------------------------------
    def member(self, body: Json) -> str:
        member = str(body.get("member") or "")
        if member not in self.workspace.users:
            raise BadRequest(f"unknown member {member!r}")
        return member

    def dm_of(self, member: str) -> str:
        return dm_id(member)

    def handle(self, member: str) -> str:
        return str(self.workspace.users[member]["name"])

    def slack_text(self, text: str, *, escape: bool, named: bool) -> str:
        """Text as Slack delivers it: &, < and > escaped, and @someone / #channel turned
        into mentions (with |name for escaped slash commands)."""
        if escape:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        users = self.workspace.users

        def person(found: re.Match[str]) -> str:
            word = found.group(1).lower().rstrip(".")
            for uid, user in users.items():
                first = user["real_name"].split()[0].lower()
                if word in (uid.lower(), user["name"], first):
                    return f"<@{uid}|{user['name']}>" if named else f"<@{uid}>"
            return found.group(0)

        def channel(found: re.Match[str]) -> str:
            for c in self.workspace.channels.values():
                if c.kind == "channel" and c.name == found.group(1).lower():
                    return f"<#{c.id}|{c.name}>" if named else f"<#{c.id}>"
            return found.group(0)

        text = re.sub(r"(?<![<\w])@([\w.\-]+)", person, text)
        return re.sub(r"(?<![<\w&])#([\w\-]+)", channel, text)

    def channel_for(self, member: str, channel: str | None) -> str:
        channel = channel or dm_id(member)
        found = self.workspace.channels.get(channel)
        if found is None or not self.workspace.can_see(member, found):
            raise BadRequest(f"channel_not_found: {channel!r} is not a conversation you are in")
        return found.id

    def send(self, body: bytes, content_type: str) -> tuple[int, Any]:
        assert self.benchmate
        status, raw = self.benchmate.send(body, content_type)
        text = raw.decode("utf-8", errors="replace")
        try:
            return status, json.loads(text) if text.strip() else None
        except ValueError:
            return status, text

    def send_payload(self, payload: Json) -> tuple[int, Any]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.send(body, "application/x-www-form-urlencoded")

    def send_event(self, event: Json) -> tuple[int, Any]:
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return self.send(json.dumps(envelope).encode(), "application/json")

    def base_payload(self, kind: str, member: str) -> Json:
        user = self.workspace.users[member]
        return {
            "type": kind,
            "team": {"id": TEAM, "domain": "benchmate-sandbox"},
            "user": {
                "id": member,
                "username": user["name"],
                "name": user["name"],
                "team_id": TEAM,
            },
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.workspace.new_trigger(member),
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def failed(self, command: str, member: str, channel: str, status: int) -> None:
        """What Slack shows when the app answers a slash command with an error."""
        self.workspace.store(
            channel,
            user="USLACKBOT",
            text=f'{command} failed with the error "dispatch_failed" (HTTP {status})',
            ephemeral_to=member,
        )

    def quiet(self, idle: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until Benchmate has made no Web API call for `idle` seconds: work it does
        after answering (lazy listeners) reads the clock too, so seeding moves time
        only once that work is done."""
        deadline = time.monotonic() + timeout
        with self.workspace.changed:
            while time.monotonic() < deadline:
                seen = len(self.workspace.calls)
                self.workspace.changed.wait(idle)
                if len(self.workspace.calls) == seen:
                    return

    @staticmethod
    def expect_ok(result: Json) -> Json:
        response = result.get("response")
        if result.get("status") != 200 or (
            isinstance(response, dict) and response.get("response_action") == "errors"
        ):
            raise RuntimeError(f"seeding the demo lab failed: {result}")
        return result

    # --- what the page does -------------------------------------------------------------
    def command(
        self, member: str, command: str, text: str = "", channel: str | None = None
    ) -> Json:
        if command not in COMMANDS:
            raise BadRequest(
                f"{command} is not a Benchmate command: try {', '.join(sorted(COMMANDS))}"
            )
        channel = self.channel_for(member, channel)
        escaped = command in ESCAPED_COMMANDS
        ws = self.workspace
        form = {
            "token": "sandbox-verification-token",
            "team_id": TEAM,
            "team_domain": "benchmate-sandbox",
            "channel_id": channel,
            "channel_name": ws.channels[channel].name,
            "user_id": member,
            "user_name": ws.users[member]["name"],
            "command": command,
            "text": self.slack_text(text, escape=escaped, named=True) if escaped else text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": ws.new_response_url(member, channel),
            "trigger_id": ws.new_trigger(member),
        }
        status, response = self.send(urlencode(form).encode(), "application/x-www-form-urlencoded")
        if status != 200:
            self.failed(command, member, channel, status)
        elif isinstance(response, dict) and (response.get("text") or response.get("blocks")):
            in_channel = response.get("response_type") == "in_channel"
            try:
                content = ws.message_content(response)
            except SlackError as exc:
                return {"status": status, "response": response, "error": exc.body()}
            ws.store(
                channel,
                user=BOT_USER,
                text=content[0],
                blocks=content[1],
                ephemeral_to=None if in_channel else member,
            )
        return {"status": status, "response": response}

    def command_modal(self, member: str, command: str, text: str, channel: str) -> str:
        """Run a command that opens a modal (in a lazy listener, after the ack) and
        return the modal's view id once it is open."""
        with self.workspace.lock:
            before = list(self.workspace.stacks.get(member, []))
        self.expect_ok(self.command(member, command, text, channel))
        return self.wait_for_modal(member, before, f"{command} {text}")

    def action_modal(self, body: Json) -> str:
        """Click a button that opens a modal (in a lazy listener, after the ack) and
        return the modal's view id once it is open."""
        member = self.member(body)
        with self.workspace.lock:
            before = list(self.workspace.stacks.get(member, []))
        self.expect_ok(self.action(body))
        return self.wait_for_modal(member, before, str(body.get("action_id")))

    def wait_for_modal(self, member: str, before: list[str], what: str) -> str:
        deadline = time.monotonic() + 10
        with self.workspace.changed:
            while True:
                stack = self.workspace.stacks.get(member, [])
                if stack and stack != before:
                    return stack[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"{what}: no modal opened")
                self.workspace.changed.wait(left)

    def message(self, member: str, channel: str | None, text: str, thread_ts: str | None) -> Json:
        if not text.strip():
            raise BadRequest("an empty message: Slack sends nothing")
        channel = self.channel_for(member, channel)
        ws = self.workspace
        if thread_ts and ws.find(channel, thread_ts) is None:
            raise BadRequest(f"message_not_found: no message {thread_ts} in {channel}")
        slack_text = self.slack_text(text, escape=True, named=False)
        stored = ws.store(channel, user=member, text=slack_text, thread_ts=thread_ts)
        found = ws.channels[channel]
        if not (found.kind == "dm" and found.members == {member}):
            # Benchmate subscribes to message.im only (manifest.yml): nothing is sent.
            return {"status": None, "message": stored, "delivered": False}
        event: Json = {
            "type": "message",
            "channel": channel,
            "user": member,
            "text": slack_text,
            "ts": stored["ts"],
            "event_ts": stored["ts"],
            "channel_type": "im",
            "team": TEAM,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
            parent = ws.find(channel, thread_ts)
            if parent:
                event["parent_user_id"] = parent["user"]
        status, response = self.send_event(event)
        return {"status": status, "response": response, "message": stored, "delivered": True}

    def attach(self, member: str, body: Json) -> Json:
        """A file the member picked on the page. Without `channel` it is only uploaded
        (a form's file field: its object goes in the view's state); with one it is
        shared there as the member's message, and in their DM with the app Benchmate
        gets the `message` event Slack sends (subtype `file_share`, the file objects
        in `files`; the manifest subscribes to message.im only, not file_shared)."""
        name = str(body.get("name") or "").strip().replace("/", "_")
        if not name or len(name) > 255:
            raise BadRequest("a file needs a name (up to 255 characters)")
        try:
            data = base64.b64decode(str(body.get("content_base64") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("content_base64 must be the file's bytes in base64") from None
        if len(data) > MAX_FILE:
            raise BadRequest(f"a file here can be at most {MAX_FILE // (1024 * 1024)} MB")
        ws = self.workspace
        channel = body.get("channel")
        if channel is None:
            file_id = ws.add_file(member, name, data)
            return {"file": ws.file_object(file_id)}
        channel = self.channel_for(member, str(channel))
        thread_ts = body.get("thread_ts")
        if thread_ts and ws.find(channel, str(thread_ts)) is None:
            raise BadRequest(f"message_not_found: no message {thread_ts} in {channel}")
        file_id = ws.add_file(member, name, data)
        text = self.slack_text(str(body.get("text") or ""), escape=True, named=False)
        stored = ws.share_file(
            file_id, channel, user=member, text=text, thread_ts=thread_ts or None
        )
        answer: Json = {"file": ws.file_object(file_id), "message": stored}
        found = ws.channels[channel]
        if not (found.kind == "dm" and found.members == {member}):
            return {**answer, "status": None, "response": None, "delivered": False}
        event: Json = {
            "type": "message",
            "subtype": "file_share",
            "text": text,
            "files": [ws.file_object(file_id)],
            "upload": False,
            "user": member,
            "display_as_bot": False,
            "ts": stored["ts"],
            "event_ts": stored["ts"],
            "channel": channel,
            "channel_type": "im",
            "team": TEAM,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        status, response = self.send_event(event)
        return {**answer, "status": status, "response": response, "delivered": True}

    def open_home(self, member: str) -> Json:
        ws = self.workspace
        with ws.lock:
            home = ws.views.get(ws.homes.get(member, ""))
        event: Json = {
            "type": "app_home_opened",
            "user": member,
            "channel": dm_id(member),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if home:
            event["view"] = home.view
        status, response = self.send_event(event)
        return {"status": status, "response": response}

    def action(self, body: Json) -> Json:
        member = self.member(body)
        ws = self.workspace
        container = body.get("container") or {}
        action_id, block_id = str(body.get("action_id") or ""), str(body.get("block_id") or "")
        payload = self.base_payload("block_actions", member)
        if container.get("type") == "message":
            channel = self.channel_for(member, str(container.get("channel") or ""))
            ts = str(container.get("ts") or container.get("message_ts") or "")
            message = ws.find(channel, ts)
            if message is None or (message["ephemeral"] and message["visible_to"] != member):
                raise BadRequest(f"message_not_found: no message {ts} in {channel}")
            blocks = message["blocks"]
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": message["ephemeral"],
            }
            payload["channel"] = {"id": channel, "name": ws.channels[channel].name}
            if not message["ephemeral"]:
                payload["message"] = {
                    "type": "message",
                    "user": message["user"],
                    "ts": ts,
                    "text": message["text"],
                    "blocks": blocks,
                    **({"thread_ts": message["thread_ts"]} if message["thread_ts"] else {}),
                }
            payload["response_url"] = ws.new_response_url(member, channel, ts)
            payload["state"] = {"values": {}}
        elif container.get("type") == "view":
            view = self.member_view(member, str(container.get("view_id") or ""))
            blocks = view.get("blocks", [])
            payload["container"] = {"type": "view", "view_id": view["id"]}
            values = fill_state(view, {})
            values.update(body.get("values") or {})
            payload["view"] = {**view, "state": {"values": values}}
        else:
            raise BadRequest("container must be {'type': 'message', ...} or {'type': 'view', ...}")
        element = find_element(blocks, block_id, action_id)
        if element is None:
            raise BadRequest(f"no element {action_id!r} in block {block_id!r}")
        action: Json = {
            "action_id": action_id,
            "block_id": block_id or element.get("_block_id"),
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["text"] = element.get("text")
            action["value"] = element.get("value", "")
        for key in (
            "value",
            "selected_option",
            "selected_options",
            "selected_date",
            "selected_time",
            "selected_user",
        ):
            if key in body:
                action[key] = body[key]
        payload["actions"] = [action]
        status, response = self.send_payload(payload)
        return {"status": status, "response": response}

    def member_view(self, member: str, view_id: str) -> Json:
        ws = self.workspace
        with ws.lock:
            found = ws.views.get(view_id)
            if found is None or found.user != member:
                raise BadRequest(f"not_found: no view {view_id!r} open for {member}")
            return dict(found.view)

    def shortcut(self, body: Json) -> Json:
        member = self.member(body)
        ws = self.workspace
        channel = self.channel_for(member, str(body.get("channel") or ""))
        message = ws.find(channel, str(body.get("ts") or ""))
        if message is None:
            raise BadRequest("message_not_found")
        payload = self.base_payload("message_action", member)
        payload.update(
            callback_id=str(body.get("callback_id") or "log_message_as_win"),
            channel={"id": channel, "name": ws.channels[channel].name},
            message={
                "type": "message",
                "user": message["user"],
                "ts": message["ts"],
                "text": message["text"],
                **({"bot_id": "B0BENCHMATE"} if message["bot"] else {}),
            },
            message_ts=message["ts"],
            response_url=ws.new_response_url(member, channel),
        )
        status, response = self.send_payload(payload)
        return {"status": status, "response": response}

    def submit(self, member: str, view_id: str, values: Json) -> Json:
        view = self.member_view(member, view_id)
        if view.get("type") != "modal":
            raise BadRequest("only a modal can be submitted")
        state = fill_state(view, {})
        state.update(values or {})
        payload = self.base_payload("view_submission", member)
        payload["view"] = {**view, "state": {"values": state}}
        payload["response_urls"] = []
        status, response = self.send_payload(payload)
        result: Json = {"status": status, "response": response}
        if status == 200:
            try:
                self.workspace.view_response(
                    member, view_id, response if isinstance(response, dict) else None
                )
            except SlackError as exc:
                result["error"] = exc.body()
        return result

    def close_view(self, member: str, view_id: str) -> Json:
        view = self.member_view(member, view_id)
        result: Json = {"status": None, "response": None}
        if view.get("notify_on_close"):
            payload = self.base_payload("view_closed", member)
            payload["view"] = view
            payload["is_cleared"] = False
            status, response = self.send_payload(payload)
            result = {"status": status, "response": response}
        self.workspace.close_view(member, view_id)
        return result

    def state(self, member: str, since: int, wait: float) -> Json:
        ws = self.workspace
        if wait > 0:
            deadline = time.monotonic() + min(wait, WAIT_MAX)
            with ws.changed:
                while ws.state(member, since)["seq"] <= since:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    ws.changed.wait(left)
        return {"now": self.iso_now(), **ws.state(member, since)}


def find_element(blocks: list[Json], block_id: str, action_id: str) -> Json | None:
    for block in blocks:
        if block_id and block.get("block_id") != block_id:
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {**element, "_block_id": block.get("block_id")}
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def _handler(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:
            self.route("GET", b"")

        def do_POST(self) -> None:
            self.route("POST", self.read_body())

        def route(self, method: str, raw: bytes) -> None:
            url = urlsplit(self.path)
            if self.headers.get("Host", "") not in sandbox.hosts:
                self.reply(403, {"error": f"use {sandbox.url}/ (this host is not served)"})
                return
            kind = self.headers.get("Content-Type", "")
            if method == "POST" and url.path.startswith("/sandbox/") and "json" not in kind:
                self.reply(415, {"error": "send JSON (Content-Type: application/json)"})
                return
            try:
                status, body, kind = self.dispatch(method, url.path, parse_qs(url.query), raw)
            except BadRequest as exc:
                status, body, kind = 400, {"error": str(exc)}, "application/json"
            except Exception as exc:  # the page always gets an answer, never a blank
                log.exception("sandbox request %s %s failed", method, url.path)
                status, body, kind = (
                    500,
                    {"error": f"{type(exc).__name__}: {exc}"},
                    "application/json",
                )
            self.reply(status, body, kind)

        def dispatch(
            self, method: str, path: str, query: dict[str, list[str]], raw: bytes
        ) -> tuple[int, Any, str]:
            ws = sandbox.workspace
            if path.startswith("/api/"):
                args = parse_args(raw, self.headers.get("Content-Type", ""), query)
                auth = self.headers.get("Authorization")
                token = auth.removeprefix("Bearer ") if auth else args.pop("token", None)
                return 200, ws.call(path.removeprefix("/api/"), args, token), "application/json"
            if path.startswith("/response/") and method == "POST":
                body = json.loads(raw or b"{}")
                return 200, ws.respond(path.rsplit("/", 1)[-1], body), "application/json"
            if path.startswith("/files-pri/") and method == "GET":
                status, data, kind = ws.download(path, self.headers.get("Authorization"))
                return status, data, kind
            if path.startswith("/upload/") and method == "POST":
                ok = ws.upload(path.rsplit("/", 1)[-1], raw)
                return (200 if ok else 404), (b"OK - %d" % len(raw)), "text/plain"
            if method == "GET":
                return self.get(path, query)
            if path.startswith("/sandbox/"):
                body = json.loads(raw or b"{}") if raw.strip() else {}
                if not isinstance(body, dict):
                    raise BadRequest("send a JSON object")
                return 200, self.post(path.removeprefix("/sandbox/"), body), "application/json"
            return 404, {"error": "not found"}, "application/json"

        def get(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, str]:
            ws = sandbox.workspace
            if path in ("/", "/index.html"):
                return 200, (STATIC / "index.html").read_bytes(), "text/html; charset=utf-8"
            if path.startswith("/static/"):
                name = path.removeprefix("/static/")
                file = (STATIC / name).resolve()
                if STATIC not in file.parents or not file.is_file():
                    return 404, {"error": "not found"}, "application/json"
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind == "application/javascript":
                    kind += "; charset=utf-8"
                return 200, file.read_bytes(), kind
            if path == "/sandbox/state":
                member = (query.get("member") or [""])[0]
                if member not in ws.users:
                    raise BadRequest(f"unknown member {member!r}: pass ?member=U...")
                since = int((query.get("since") or ["0"])[0] or 0)
                wait = float((query.get("wait") or ["0"])[0] or 0)
                return 200, sandbox.state(member, since, wait), "application/json"
            if path == "/sandbox/export":
                return 200, {"now": sandbox.iso_now(), **ws.export()}, "application/json"
            if path.startswith("/sandbox/files/"):
                upload = ws.uploads.get(path.rsplit("/", 1)[-1])
                if upload is None or upload.data is None:
                    return 404, {"error": "file_not_found"}, "application/json"
                kind = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
                return 200, upload.data, kind
            return 404, {"error": "not found"}, "application/json"

        def post(self, verb: str, body: Json) -> Json:
            if verb == "reset":
                return sandbox.reset()
            if verb == "clock":
                return sandbox.jump(body)
            member = sandbox.member(body)
            if verb == "command":
                command = str(body.get("command") or "").strip()
                text = str(body.get("text") or "")
                if not command:  # "/win cut TAT" typed in one line
                    command, _, text = text.strip().partition(" ")
                return sandbox.command(member, command, text, body.get("channel"))
            if verb == "message":
                return sandbox.message(
                    member, body.get("channel"), str(body.get("text") or ""), body.get("thread_ts")
                )
            if verb == "action":
                return sandbox.action(body)
            if verb == "shortcut":
                return sandbox.shortcut(body)
            if verb == "submit":
                return sandbox.submit(
                    member, str(body.get("view_id") or ""), body.get("values") or {}
                )
            if verb == "close":
                return sandbox.close_view(member, str(body.get("view_id") or ""))
            if verb == "home":
                return sandbox.open_home(member)
            if verb == "upload":
                return sandbox.attach(member, body)
            raise BadRequest(f"unknown sandbox request {verb!r}")

    return Handler


def parse_args(raw: bytes, content_type: str, query: dict[str, list[str]]) -> Json:
    """A Web API call's arguments: JSON, or a form whose JSON fields are decoded."""
    args: Json = {k: v[0] for k, v in query.items()}
    if "json" in content_type:
        data = json.loads(raw or b"{}")
        if isinstance(data, dict):
            args.update(data)
        return args
    args.update(dict(parse_qsl(raw.decode(), keep_blank_values=True)))
    for key in ("blocks", "view", "files", "attachments", "metadata"):
        if isinstance(args.get(key), str):
            # Broken JSON stays text: the method answers invalid_blocks_format and the like.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args
