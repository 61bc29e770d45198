"""The stand-in's workspace: people, conversations, messages, views and files, and the
Slack Web API methods Benchmate calls, answered as Slack answers them.

Everything here is in memory and guarded by one lock; the HTTP side is sandbox/server.py.
Each method checks its arguments the way Slack does and answers with Slack's own error
codes (`channel_not_found`, `invalid_blocks`, `msg_too_long`, `invalid_arguments` with
`response_metadata.messages`, ...), so Benchmate meets here what it meets in Slack.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox.spec import IMPLEMENTED_MODE, SLACK_SPEC_MODE, check_call

TEAM = "T0LAB"
BOT_USER = "U0BENCHMATE"
BOT_ID = "B0BENCHMATE"
APP_ID = "A0BENCHMATE"
PROGRAM_CHANNEL = "C0MENTORING"

# Slack's limits (Block Kit reference, chat.postMessage and views.* docs).
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
TEXT_MAX = 40_000  # chat.postMessage truncates beyond this; we refuse, as for blocks
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
VIEW_STACK_MAX = 3
TRIGGER_SECONDS = 3.0

Json = dict[str, Any]


class SlackError(Exception):
    """An `ok: false` answer: Slack's error code and, for argument errors, its messages."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> Json:
        body: Json = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Channel:
    id: str
    name: str
    kind: str  # "dm" (the app's DM with one person, or a group DM) or "channel"
    members: set[str]
    everyone: bool = False  # a public channel everyone can read


@dataclass
class View:
    id: str
    user: str
    view: Json


@dataclass
class Trigger:
    user: str
    made: float
    used: bool = False


@dataclass
class Upload:
    """A file in the workspace: one Benchmate uploads (its bytes come after
    `files.getUploadURLExternal`) or one a member attaches on the page."""

    name: str
    length: int
    data: bytes | None = None
    title: str = ""
    user: str = BOT_USER
    created: int = 0
    shared_in: list[str] = field(default_factory=list)  # conversation ids


@dataclass
class Workspace:
    """The simulated workspace. `now` gives the simulated instant (for message ts)."""

    token: str
    now: Callable[[], datetime]
    spec: dict[str, set[str]] | None = None
    base_url: str = ""
    users: dict[str, Json] = field(default_factory=dict)
    titles: dict[str, Json] = field(default_factory=dict)  # member id -> demo facts
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: list[Json] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    stacks: dict[str, list[str]] = field(default_factory=dict)  # user -> modal view ids
    homes: dict[str, str] = field(default_factory=dict)  # user -> home view id
    triggers: dict[str, Trigger] = field(default_factory=dict)
    responses: dict[str, Json] = field(default_factory=dict)  # response_url id -> context
    uploads: dict[str, Upload] = field(default_factory=dict)
    calls: list[Json] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

    @property
    def spec_mode(self) -> str:
        return SLACK_SPEC_MODE if self.spec is not None else IMPLEMENTED_MODE

    # --- set-up ---------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, tz: str, email: str, **facts: Any) -> None:
        handle = name.split()[0].lower() + "." + name.split()[-1].lower()
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": handle,
            "real_name": name,
            "tz": tz,
            "deleted": False,
            "is_bot": False,
            "profile": {
                "display_name": name,
                "real_name": name,
                "email": email,
                "title": facts.get("title", ""),
            },
        }
        self.titles[user_id] = facts
        self.channels[dm_id(user_id)] = Channel(dm_id(user_id), "Benchmate", "dm", {user_id})

    def add_channel(self, channel_id: str, name: str) -> None:
        self.channels[channel_id] = Channel(channel_id, name, "channel", set(), everyone=True)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def new_ts(self) -> tuple[int, str]:
        seq = next(self._seq)
        return seq, f"{int(self.now().timestamp())}.{seq % 1_000_000:06d}"

    def new_trigger(self, user: str) -> str:
        trigger = f"{next(self._ids)}.{int(time.time())}.sandbox"
        with self.lock:
            self.triggers[trigger] = Trigger(user, time.monotonic())
        return trigger

    def new_response_url(self, user: str, channel: str, message_ts: str | None = None) -> str:
        rid = self.next_id("R")
        with self.lock:
            self.responses[rid] = {"user": user, "channel": channel, "message_ts": message_ts}
        return f"{self.base_url}/response/{rid}"

    # --- messages -----------------------------------------------------------------------
    def store(
        self,
        channel: str,
        *,
        user: str,
        text: str = "",
        blocks: list[Json] | None = None,
        thread_ts: str | None = None,
        ephemeral_to: str | None = None,
        files: list[Json] | None = None,
        metadata: Json | None = None,
    ) -> Json:
        with self.lock:
            seq, ts = self.new_ts()
            message = {
                "seq": seq,
                "channel": channel,
                "ts": ts,
                "thread_ts": thread_ts,
                "user": user,
                "bot": user == BOT_USER,
                "text": text,
                "blocks": with_block_ids(blocks or []),
                "metadata": metadata,
                "reactions": [],
                "ephemeral": ephemeral_to is not None,
                "visible_to": ephemeral_to,
                "files": files or [],
                "deleted": False,
            }
            self.messages.append(message)
            self.changed.notify_all()
            return message

    def touch(self, message: Json) -> None:
        """A message changed (edited, reacted to): it gets a new seq so pollers see it."""
        message["seq"] = next(self._seq)
        self.changed.notify_all()

    def find(self, channel: str, ts: str) -> Json | None:
        for message in reversed(self.messages):
            if message["channel"] == channel and message["ts"] == ts and not message["deleted"]:
                return message
        return None

    def latest_seq(self) -> int:
        with self.lock:
            seqs = [m["seq"] for m in self.messages] + [0]
            return max(seqs)

    # --- what a member sees -------------------------------------------------------------
    def can_see(self, member: str, channel: Channel) -> bool:
        return channel.everyone or member in channel.members

    def state(self, member: str, since: int = 0) -> Json:
        with self.lock:
            visible = {c.id for c in self.channels.values() if self.can_see(member, c)}
            messages = [
                public_message(m)
                for m in self.messages
                if m["seq"] > since
                and m["channel"] in visible
                and (not m["ephemeral"] or m["visible_to"] == member)
            ]
            home = self.views.get(self.homes.get(member, ""))
            return {
                "members": [self.member_entry(uid) for uid in self.users],
                "channels": [
                    {
                        "id": c.id,
                        "name": self.channel_name(c, member),
                        "kind": c.kind,
                        "members": sorted(c.members),
                    }
                    for c in self.channels.values()
                    if c.id in visible
                ],
                "messages": messages,
                "home": home.view if home else None,
                "views": [
                    {"id": vid, "view": self.views[vid].view} for vid in self.stacks.get(member, [])
                ],
                # Files shared where the member can see them (all of them, not just new).
                "files": [
                    {"id": f["id"], "name": f["name"], "url": f["url"]}
                    for m in self.messages
                    if m["channel"] in visible
                    and not m["deleted"]
                    and (not m["ephemeral"] or m["visible_to"] == member)
                    for f in m["files"]
                ],
                "errors": [
                    {k: c[k] for k in ("seq", "method", "error", "messages")}
                    for c in self.calls
                    if not c["ok"] and c["seq"] > since and c.get("member") in (member, None)
                ],
                "spec_mode": self.spec_mode,
                "seq": max(
                    [m["seq"] for m in self.messages] + [c["seq"] for c in self.calls] + [0]
                ),
            }

    def member_entry(self, uid: str) -> Json:
        user, facts = self.users[uid], self.titles.get(uid, {})
        return {
            "id": uid,
            "name": user["real_name"],
            "title": facts.get("title", ""),
            "role": facts.get("role", ""),
            "is_coordinator": bool(facts.get("coordinator")),
            "tz": user["tz"],
            "lab_section": facts.get("section", ""),
        }

    def channel_name(self, channel: Channel, member: str) -> str:
        if channel.kind == "dm" and len(channel.members) > 1:
            others = [self.users[u]["real_name"] for u in sorted(channel.members) if u != member]
            return ", ".join(others)
        return channel.name

    # --- the Web API -----------------------------------------------------------------------
    def call(self, method: str, args: Json, token: str | None) -> Json:
        """One Web API call: checked against Slack's description, then answered."""
        with self.lock:
            known, violation = check_call(self.spec, method, args)
            if violation:
                self.violations.append(violation)
            try:
                if not known:
                    raise SlackError("unknown_method")
                if not token:
                    raise SlackError("not_authed")
                if token != self.token:
                    raise SlackError("invalid_auth")
                handler = getattr(self, "m_" + method.replace(".", "_"), None)
                if handler is None:
                    raise SlackError("unknown_method")
                answer: Json = {"ok": True, **handler(args)}
            except SlackError as exc:
                answer = exc.body()
            self.calls.append(
                {
                    "seq": next(self._seq),
                    "method": method,
                    "args": args,
                    "ok": answer["ok"],
                    "error": answer.get("error"),
                    "messages": (answer.get("response_metadata") or {}).get("messages", []),
                    "member": self.member_of(args),
                    "at": self.now().isoformat(),
                }
            )
            self.changed.notify_all()
            return answer

    def member_of(self, args: Json) -> str | None:
        """Whose screen a failed call belongs on, when the arguments say."""
        for key in ("user_id", "user"):
            if str(args.get(key, "")) in self.users:
                return str(args[key])
        trigger = self.triggers.get(str(args.get("trigger_id", "")))
        if trigger:
            return trigger.user
        channel = self.channels.get(self.resolve(str(args.get("channel", ""))))
        if channel and channel.kind == "dm" and len(channel.members) == 1:
            return next(iter(channel.members))
        return None

    def resolve(self, channel: str) -> str:
        """Posting to a user ID posts into the app's DM with them."""
        return dm_id(channel) if channel in self.users else channel

    def channel(self, args: Json, key: str = "channel") -> Channel:
        raw = str(args.get(key) or "")
        found = self.channels.get(self.resolve(raw))
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def m_auth_test(self, args: Json) -> Json:
        return {
            "url": "https://benchmate-sandbox.slack.com/",
            "team": "Benchmate Sandbox Lab",
            "user": "benchmate",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def m_users_info(self, args: Json) -> Json:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user}

    def m_users_list(self, args: Json) -> Json:
        """Everyone, a page at a time (`cursor` = how many came before), as Slack: the
        patient-data guard's directory of colleagues reads it (scheduler/directory.py)."""
        try:
            limit = max(1, min(int(args.get("limit") or 200), 1000))
            start = int(args.get("cursor") or 0)
        except ValueError:
            raise SlackError("invalid_cursor") from None
        people = [self.users[uid] for uid in sorted(self.users)]
        following = str(start + limit) if start + limit < len(people) else ""
        return {
            "members": people[start : start + limit],
            "response_metadata": {"next_cursor": following},
        }

    def m_users_lookupByEmail(self, args: Json) -> Json:
        email = str(args.get("email") or "").lower()
        for user in self.users.values():
            if str(user["profile"].get("email", "")).lower() == email:
                return {"user": user}
        raise SlackError("users_not_found")

    def m_conversations_open(self, args: Json) -> Json:
        if args.get("channel"):
            return {"channel": {"id": self.channel(args).id}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user in users:
            if user not in self.users:
                raise SlackError("user_not_found")
        if len(users) == 1:
            return {"channel": {"id": dm_id(users[0])}}
        for channel in self.channels.values():
            if channel.kind == "dm" and channel.members == set(users):
                return {"channel": {"id": channel.id}}
        group = Channel(self.next_id("G"), "group", "dm", set(users))
        self.channels[group.id] = group
        return {"channel": {"id": group.id}}

    def m_chat_postMessage(self, args: Json) -> Json:
        channel = self.channel(args)
        text, blocks = self.message_content(args)
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        message = self.store(
            channel.id,
            user=BOT_USER,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=parse_json(args.get("metadata")),
        )
        return {"channel": channel.id, "ts": message["ts"], "message": public_message(message)}

    def m_conversations_history(self, args: Json) -> Json:
        """Newest first, as Slack: top-level messages between `oldest` and `latest`
        (exclusive unless `inclusive`), `limit` a page (cursor = how many came before),
        metadata only with `include_all_metadata`. Benchmate reads it to find a message it
        may have posted before a crash (bot/rules/once.py)."""
        channel = self.channel(args)
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        limit = max(1, min(int(args.get("limit") or 100), 999))
        start = int(args.get("cursor") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            m
            for m in reversed(self.messages)
            if m["channel"] == channel.id
            and not m["deleted"]
            and not m["ephemeral"]
            and (m["thread_ts"] in (None, m["ts"]))
            and within(float(m["ts"]))
        ]
        page = found[start : start + limit]
        more = start + limit < len(found)
        messages = [
            {
                "type": "message",
                "ts": m["ts"],
                "user": m["user"],
                "text": m["text"],
                **({"bot_id": BOT_ID} if m["bot"] else {}),
                **({"metadata": m["metadata"]} if with_metadata and m["metadata"] else {}),
            }
            for m in page
        ]
        return {
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def m_chat_postEphemeral(self, args: Json) -> Json:
        channel = self.channel(args)
        user = str(args.get("user") or "")
        if user not in self.users:
            raise SlackError("user_not_found")
        if not self.can_see(user, channel):
            raise SlackError("user_not_in_channel")
        text, blocks = self.message_content(args)
        message = self.store(channel.id, user=BOT_USER, text=text, blocks=blocks, ephemeral_to=user)
        return {"message_ts": message["ts"]}

    def m_chat_update(self, args: Json) -> Json:
        channel = self.channel(args)
        message = self.find(channel.id, str(args.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        if not message["bot"]:
            raise SlackError("cant_update_message")
        text, blocks = self.message_content(args, allow_empty="blocks" in args or "text" in args)
        message["text"], message["blocks"] = text, with_block_ids(blocks)
        self.touch(message)
        return {"channel": channel.id, "ts": message["ts"], "text": text}

    def m_chat_delete(self, args: Json) -> Json:
        channel = self.channel(args)
        message = self.find(channel.id, str(args.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        if not message["bot"]:
            raise SlackError("cant_delete_message")
        message["deleted"] = True
        self.touch(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def m_chat_getPermalink(self, args: Json) -> Json:
        channel = self.channel(args)
        ts = str(args.get("message_ts") or "")
        if self.find(channel.id, ts) is None:
            raise SlackError("message_not_found")
        return {
            "channel": channel.id,
            "permalink": f"{self.base_url}/#{channel.id}/p{ts.replace('.', '')}",
        }

    def m_reactions_add(self, args: Json) -> Json:
        channel = self.channel(args)
        name = str(args.get("name") or "")
        if not name:
            raise SlackError("invalid_name")
        message = self.find(channel.id, str(args.get("timestamp") or ""))
        if message is None:
            raise SlackError("message_not_found")
        for reaction in message["reactions"]:
            if reaction["name"] == name:
                if BOT_USER in reaction["users"]:
                    raise SlackError("already_reacted")
                reaction["users"].append(BOT_USER)
                break
        else:
            message["reactions"].append({"name": name, "users": [BOT_USER]})
        self.touch(message)
        return {}

    def m_views_open(self, args: Json) -> Json:
        view = self.check_view(args, "modal")
        user = self.use_trigger(args)
        if self.stacks.get(user):
            # Slack opens a new modal over nothing: the old stack is replaced.
            self.stacks[user] = []
        stored = self.new_view(user, view)
        self.stacks[user] = [stored.id]
        return {"view": stored.view}

    def m_views_push(self, args: Json) -> Json:
        view = self.check_view(args, "modal")
        user = self.use_trigger(args)
        stack = self.stacks.get(user) or []
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= VIEW_STACK_MAX:
            raise SlackError("push_limit_reached")
        stored = self.new_view(user, view, previous=stack[-1])
        stack.append(stored.id)
        return {"view": stored.view}

    def m_views_update(self, args: Json) -> Json:
        view_id, external = str(args.get("view_id") or ""), str(args.get("external_id") or "")
        if not view_id and not external:
            raise SlackError("invalid_arguments", ["[ERROR] missing view_id or external_id"])
        found = self.views.get(view_id) if view_id else None
        if external:
            found = next(
                (v for v in self.views.values() if v.view.get("external_id") == external), None
            )
        if found is None:
            raise SlackError("not_found")
        view = self.check_view(args, found.view.get("type", "modal"))
        self.replace_view(found, view)
        return {"view": found.view}

    def m_views_publish(self, args: Json) -> Json:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            raise SlackError("user_not_found")
        view = self.check_view(args, "home")
        existing = self.views.get(self.homes.get(user, ""))
        if existing:
            self.replace_view(existing, view)
        else:
            existing = self.new_view(user, view)
            self.homes[user] = existing.id
        self.changed.notify_all()
        return {"view": existing.view}

    def m_files_getUploadURLExternal(self, args: Json) -> Json:
        name = str(args.get("filename") or "")
        length = str(args.get("length") or "")
        if not name or not length.isdigit():
            raise SlackError(
                "invalid_arguments", ["[ERROR] filename and length (in bytes) are required"]
            )
        file_id = self.next_id("F")
        self.uploads[file_id] = Upload(
            name=name, length=int(length), created=int(self.now().timestamp())
        )
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def m_files_completeUploadExternal(self, args: Json) -> Json:
        files = parse_json(args.get("files"))
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", ["[ERROR] files must be a non-empty array"])
        ids: list[str] = []
        for item in files:
            upload = self.uploads.get(str((item or {}).get("id", "")))
            if upload is None or upload.data is None:
                raise SlackError("file_not_found")
            upload.title = str(item.get("title") or upload.name)
            ids.append(str(item["id"]))
        if args.get("channel_id"):
            channel = self.channel(args, "channel_id")
            for file_id in ids:
                self.uploads[file_id].shared_in.append(channel.id)
            self.store(
                channel.id,
                user=BOT_USER,
                text=str(args.get("initial_comment") or ""),
                thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
                files=[self.shared_file(file_id) for file_id in ids],
            )
        return {"files": [{"id": i, "title": self.uploads[i].title} for i in ids]}

    def m_files_info(self, args: Json) -> Json:
        """The file object, as Slack gives it to an app with files:read (`comments` is
        required by Slack's description; files here have none)."""
        file_id = str(args.get("file") or "")
        upload = self.uploads.get(file_id)
        if upload is None or upload.data is None:
            raise SlackError("file_not_found")
        return {"file": self.file_object(file_id), "comments": []}

    def m_files_list(self, args: Json) -> Json:
        """Files shared in a conversation since `ts_from`, newest first, paged as Slack
        pages files.list (`count` a page, `page` from 1)."""
        channel = str(args.get("channel") or "")
        try:
            since = float(args.get("ts_from") or 0)
            count = max(1, min(int(args.get("count") or 100), 1000))
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        found = sorted(
            (
                file_id
                for file_id, upload in self.uploads.items()
                if upload.data is not None
                and upload.shared_in
                and (not channel or channel in upload.shared_in)
                and upload.created >= since
            ),
            key=lambda f: -self.uploads[f].created,
        )
        pages = max(1, -(-len(found) // count))
        shown = found[(page - 1) * count : page * count]
        return {
            "files": [self.file_object(f) for f in shown],
            "paging": {"count": count, "total": len(found), "page": page, "pages": pages},
        }

    def file_object(self, file_id: str) -> Json:
        """Slack's file object (`objs_file` in its description). `url_private_download`
        is served only with the bot token in the Authorization header, as Slack does."""
        upload = self.uploads[file_id]
        size = len(upload.data) if upload.data is not None else upload.length
        kind = filetype(upload.name)
        base = f"{self.base_url}/files-pri/{TEAM}-{file_id}"
        quoted = quote(upload.name)
        channels = [self.channels[c] for c in upload.shared_in if c in self.channels]
        return {
            "id": file_id,
            "created": upload.created,
            "timestamp": upload.created,
            "name": upload.name,
            "title": upload.title or upload.name,
            "mimetype": mimetype(upload.name),
            "filetype": kind,
            "pretty_type": PRETTY_TYPES.get(kind, kind.upper()),
            "user": upload.user,
            "user_team": TEAM,
            "editable": False,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{quoted}",
            "url_private_download": f"{base}/download/{quoted}",
            "permalink": f"https://benchmate-sandbox.slack.com/files/{upload.user}/{file_id}/"
            f"{quoted}",
            "has_rich_preview": False,
            "channels": [c.id for c in channels if c.kind == "channel"],
            "groups": [],
            "ims": [c.id for c in channels if c.kind == "dm"],
            "comments_count": 0,
        }

    def shared_file(self, file_id: str) -> Json:
        """A file as a message carries it: Slack's object, plus `url`, where the page
        fetches it (`GET /sandbox/files/<id>`, for the person looking at the page)."""
        return {**self.file_object(file_id), "url": f"/sandbox/files/{file_id}"}

    def add_file(self, user: str, name: str, data: bytes) -> str:
        """A file a member attached on the page (Slack's client uploads it as it is
        picked); shared nowhere yet. Returns its id."""
        with self.lock:
            file_id = self.next_id("F")
            self.uploads[file_id] = Upload(
                name=name,
                length=len(data),
                data=data,
                title=name,
                user=user,
                created=int(self.now().timestamp()),
            )
            self.changed.notify_all()
            return file_id

    def share_file(
        self, file_id: str, channel: str, *, user: str, text: str, thread_ts: str | None
    ) -> Json:
        """A member's message with the file, in `channel` (a `file_share` message)."""
        with self.lock:
            self.uploads[file_id].shared_in.append(channel)
            return self.store(
                channel,
                user=user,
                text=text,
                thread_ts=thread_ts,
                files=[self.shared_file(file_id)],
            )

    def download(self, path: str, auth: str | None) -> tuple[int, bytes, str]:
        """GET of a file's `url_private(_download)`: the bytes only for the bot token;
        without one Slack answers 200 with its HTML sign-in page."""
        parts = path.split("/")  # "", "files-pri", "T0LAB-F…", ["download"], name
        file_id = parts[2].removeprefix(f"{TEAM}-") if len(parts) > 3 else ""
        token = auth.removeprefix("Bearer ") if auth else ""
        with self.lock:
            self.calls.append(
                {
                    "seq": next(self._seq),
                    "method": "download",
                    "args": {"file": file_id},
                    "ok": token == self.token,
                    "error": None if token == self.token else "not_authed",
                    "messages": [],
                    "member": None,
                    "at": self.now().isoformat(),
                }
            )
            if token != self.token:
                return 200, SIGN_IN_PAGE, "text/html; charset=utf-8"
            upload = self.uploads.get(file_id)
            if upload is None or upload.data is None:
                return 404, b"file not found", "text/plain"
            return 200, upload.data, mimetype(upload.name)

    def upload(self, file_id: str, data: bytes) -> bool:
        with self.lock:
            upload = self.uploads.get(file_id)
            if upload is None:
                return False
            upload.data = data
            return True

    # --- views --------------------------------------------------------------------------
    def use_trigger(self, args: Json) -> str:
        trigger = self.triggers.get(str(args.get("trigger_id") or ""))
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("trigger_exchanged")
        if time.monotonic() - trigger.made > TRIGGER_SECONDS:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def check_view(self, args: Json, kind: str) -> Json:
        view = parse_json(args.get("view"))
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", ["[ERROR] view must be a JSON object"])
        errors = view_errors(view, kind)
        if errors:
            raise SlackError("invalid_arguments", errors)
        return view

    def new_view(self, user: str, view: Json, previous: str | None = None) -> View:
        vid = self.next_id("V")
        stored = View(vid, user, {})
        self.views[vid] = stored
        self.replace_view(stored, view, previous=previous)
        return stored

    def replace_view(self, stored: View, view: Json, previous: str | None = None) -> None:
        stack = self.stacks.get(stored.user) or []
        stored.view = {
            "id": stored.id,
            "team_id": TEAM,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids)}",
            "root_view_id": stack[0] if stack else stored.id,
            "previous_view_id": previous or stored.view.get("previous_view_id"),
            "private_metadata": "",
            "callback_id": "",
            **view,
        }
        stored.view["id"] = stored.id
        stored.view["blocks"] = with_block_ids(view.get("blocks") or [])
        self.changed.notify_all()

    def view_response(self, user: str, view_id: str, answer: Json | None) -> None:
        """Apply Benchmate's answer to a view_submission to the member's modal stack."""
        with self.lock:
            stack = self.stacks.setdefault(user, [])
            action = (answer or {}).get("response_action")
            if action == "errors":
                return
            if action == "clear":
                stack.clear()
            elif action == "update":
                view = (answer or {}).get("view") or {}
                errors = view_errors(view, "modal")
                if errors:
                    raise SlackError("invalid_arguments", errors)
                self.replace_view(self.views[view_id], view)
            elif action == "push":
                view = (answer or {}).get("view") or {}
                errors = view_errors(view, "modal")
                if errors:
                    raise SlackError("invalid_arguments", errors)
                if len(stack) >= VIEW_STACK_MAX:
                    raise SlackError("push_limit_reached")
                stack.append(self.new_view(user, view, previous=view_id).id)
            elif view_id in stack:
                # A plain ack closes the submitted view (and any pushed over it).
                del stack[stack.index(view_id) :]
            self.changed.notify_all()

    def close_view(self, user: str, view_id: str) -> None:
        with self.lock:
            stack = self.stacks.setdefault(user, [])
            if view_id in stack:
                del stack[stack.index(view_id) :]
            self.changed.notify_all()

    # --- response_url ---------------------------------------------------------------------
    def respond(self, rid: str, body: Json) -> Json:
        """A post to a response_url: an ephemeral (or in-channel) answer, or a change to
        the message the interaction came from."""
        with self.lock:
            context = self.responses.get(rid)
            if context is None:
                return {"ok": False, "error": "invalid_response_url"}
            user, channel = context["user"], context["channel"]
            original = self.find(channel, context["message_ts"] or "")
            if body.get("delete_original"):
                if original is not None:
                    original["deleted"] = True
                    self.touch(original)
                return {"ok": True}
            try:
                text, blocks = self.message_content(body)
            except SlackError as exc:
                return exc.body()
            if body.get("replace_original") and original is not None:
                original["text"], original["blocks"] = text, with_block_ids(blocks)
                self.touch(original)
                return {"ok": True}
            in_channel = body.get("response_type") == "in_channel"
            self.store(
                channel,
                user=BOT_USER,
                text=text,
                blocks=blocks,
                thread_ts=body.get("thread_ts"),
                ephemeral_to=None if in_channel else user,
            )
            return {"ok": True}

    def message_content(self, args: Json, allow_empty: bool = False) -> tuple[str, list[Json]]:
        text = str(args.get("text") or "")
        blocks = parse_json(args.get("blocks")) if args.get("blocks") is not None else []
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if not text and not blocks and not allow_empty:
            raise SlackError("no_text")
        if len(text) > TEXT_MAX:
            raise SlackError("msg_too_long")
        errors = block_errors(blocks, MESSAGE_BLOCKS_MAX, "/blocks")
        if errors:
            raise SlackError("invalid_blocks", errors)
        return text, blocks

    def export(self) -> Json:
        with self.lock:
            return {
                "team": TEAM,
                "members": [self.member_entry(u) for u in self.users],
                "channels": [
                    {"id": c.id, "name": c.name, "kind": c.kind, "members": sorted(c.members)}
                    for c in self.channels.values()
                ],
                "messages": [public_message(m) for m in self.messages],
                "calls": list(self.calls),
                "views": {vid: v.view for vid, v in self.views.items()},
                "spec_mode": self.spec_mode,
                "violations": list(self.violations),
            }


def dm_id(user_id: str) -> str:
    return "D" + user_id[1:]


def with_block_ids(blocks: list[Json]) -> list[Json]:
    """Slack gives every block that has no block_id one of its own when it stores a
    message or view (interactions then carry it)."""
    return [
        b if not isinstance(b, dict) or b.get("block_id") else {**b, "block_id": f"sbx{n}"}
        for n, b in enumerate(blocks)
    ]


def parse_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def public_message(message: Json) -> Json:
    return {k: v for k, v in message.items()}


SIGN_IN_PAGE = b"<!DOCTYPE html><html><body>Sign in to Benchmate Sandbox Lab</body></html>"
PRETTY_TYPES = {"csv": "CSV", "png": "PNG", "markdown": "Markdown (raw)", "text": "Plain Text"}


def filetype(name: str) -> str:
    """Slack's `filetype` for a file name."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"md": "markdown", "txt": "text", "": "binary"}.get(suffix, suffix)


def mimetype(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "csv": "text/csv",
        "md": "text/markdown",
        "txt": "text/plain",
        "json": "application/json",
    }.get(suffix, "application/octet-stream")


def too_long(limit: int, pointer: str) -> str:
    return f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}]"


def block_errors(blocks: list[Any], limit: int, pointer: str) -> list[str]:
    """Slack's checks on a list of blocks, as its `response_metadata.messages`."""
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    for n, block in enumerate(blocks):
        here = f"{pointer}/{n}"
        if not isinstance(block, dict) or not block.get("type"):
            errors.append(f"[ERROR] missing required field: type [json-pointer:{here}]")
            continue
        text = block.get("text")
        text = text.get("text", "") if isinstance(text, dict) else ""
        if block["type"] == "section" and len(text) > SECTION_TEXT_MAX:
            errors.append(too_long(SECTION_TEXT_MAX, f"{here}/text/text"))
        if block["type"] == "header" and len(text) > HEADER_TEXT_MAX:
            errors.append(too_long(HEADER_TEXT_MAX, f"{here}/text/text"))
        if len(str(block.get("block_id", ""))) > 255:
            errors.append(too_long(255, f"{here}/block_id"))
    return errors


def view_errors(view: Json, kind: str) -> list[str]:
    """Slack's checks on a view object (modal or Home tab)."""
    errors: list[str] = []
    if view.get("type") != kind:
        errors.append(f"[ERROR] type must be {kind} [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [*errors, "[ERROR] missing required field: blocks [json-pointer:/view/blocks]"]
    errors += block_errors(blocks, VIEW_BLOCKS_MAX, "/view/blocks")
    if kind == "modal":
        title = (view.get("title") or {}).get("text", "")
        if not title:
            errors.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        elif len(title) > VIEW_TITLE_MAX:
            errors.append(too_long(VIEW_TITLE_MAX, "/view/title/text"))
        for button in ("submit", "close"):
            if len((view.get(button) or {}).get("text", "")) > VIEW_TITLE_MAX:
                errors.append(too_long(VIEW_TITLE_MAX, f"/view/{button}/text"))
        if any(b.get("type") == "input" for b in blocks if isinstance(b, dict)) and not view.get(
            "submit"
        ):
            errors.append("[ERROR] submit is required when an input block is present")
    if len(str(view.get("private_metadata", ""))) > PRIVATE_METADATA_MAX:
        errors.append(too_long(PRIVATE_METADATA_MAX, "/view/private_metadata"))
    if len(str(view.get("callback_id", ""))) > CALLBACK_ID_MAX:
        errors.append(too_long(CALLBACK_ID_MAX, "/view/callback_id"))
    return errors
