"""Slack's Web API description, used to check every call Benchmate makes.

The description is Slack's own OpenAPI file (slackapi/slack-api-specs, MIT licence; see
docs/sandbox.md). By the team's rule it is never copied into the project: it is read
from `BENCHMATE_SLACK_SPEC` when set, else from `../shared/slack-web-api-spec/` beside
the checkout. Without it, calls are checked against the methods and arguments the
stand-in implements (`IMPLEMENTED`), and the mode says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SPEC_ENV = "BENCHMATE_SLACK_SPEC"
SHARED_SPEC = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "slack-web-api-spec"
    / "slack_web_openapi_v2.json"
)
SLACK_SPEC_MODE = "slack-spec"
IMPLEMENTED_MODE = "implemented-methods"

# Added by Slack after the stored description (2020); argument lists from Slack's docs.
NEWER_METHODS: dict[str, set[str]] = {
    "files.getUploadURLExternal": {"filename", "length", "alt_txt", "snippet_type"},
    "files.completeUploadExternal": {
        "files",
        "channel_id",
        "channels",
        "initial_comment",
        "thread_ts",
    },
    # Socket Mode (2021): takes no arguments; the app-level token (xapp-...) must come in
    # the Authorization header.
    "apps.connections.open": set(),
}
# Arguments Slack added to older methods since then, which slack_sdk sends.
NEWER_ARGS: dict[str, set[str]] = {
    # Message metadata (2022): https://docs.slack.dev/messaging/message-metadata
    "chat.postMessage": {"metadata"},
    "conversations.history": {"include_all_metadata"},
}
# slack_sdk adds team_id to every call a Bolt listener makes (for org-wide installs).
LENIENT_ARGS = {"token", "team_id"}

# The methods the sandbox's stand-in answers, with the arguments Slack documents for
# them: the check when Slack's description is absent.
IMPLEMENTED: dict[str, set[str]] = {
    "auth.test": set(),
    "users.info": {"user", "include_locale"},
    "users.list": {"limit", "cursor", "include_locale"},
    "users.lookupByEmail": {"email"},
    "conversations.open": {"users", "channel", "return_im", "prevent_creation"},
    "chat.postMessage": {
        "channel",
        "text",
        "blocks",
        "attachments",
        "thread_ts",
        "reply_broadcast",
        "mrkdwn",
        "parse",
        "link_names",
        "unfurl_links",
        "unfurl_media",
        "username",
        "icon_emoji",
        "icon_url",
        "as_user",
        "metadata",
    },
    "chat.postEphemeral": {
        "channel",
        "user",
        "text",
        "blocks",
        "attachments",
        "thread_ts",
        "as_user",
        "link_names",
        "parse",
        "username",
        "icon_emoji",
        "icon_url",
    },
    "chat.update": {
        "channel",
        "ts",
        "text",
        "blocks",
        "attachments",
        "as_user",
        "link_names",
        "parse",
        "file_ids",
        "reply_broadcast",
        "metadata",
    },
    "conversations.history": {
        "channel",
        "cursor",
        "inclusive",
        "latest",
        "limit",
        "oldest",
        "include_all_metadata",
    },
    "chat.delete": {"channel", "ts", "as_user"},
    "chat.getPermalink": {"channel", "message_ts"},
    "reactions.add": {"channel", "timestamp", "name"},
    "views.open": {"trigger_id", "view"},
    "views.push": {"trigger_id", "view"},
    "views.update": {"view_id", "external_id", "view", "hash"},
    "views.publish": {"user_id", "view", "hash"},
    "files.info": {"file", "count", "page", "limit", "cursor"},
    "files.list": {
        "channel",
        "user",
        "ts_from",
        "ts_to",
        "types",
        "count",
        "page",
        "show_files_hidden_by_limit",
    },
    "files.getUploadURLExternal": NEWER_METHODS["files.getUploadURLExternal"],
    "files.completeUploadExternal": NEWER_METHODS["files.completeUploadExternal"],
}


def spec_path() -> Path:
    override = os.environ.get(SPEC_ENV, "").strip()
    return Path(override) if override else SHARED_SPEC


def load_spec(
    path: Path | None = None, *, required_in_ci: bool = True
) -> dict[str, set[str]] | None:
    """Slack's methods and their argument names; None where the description is absent
    (a stranger's clone). CI always has it: there the tests' stand-in requires it."""
    path = path or spec_path()
    if not path.is_file():
        if required_in_ci and os.environ.get("CI"):
            raise RuntimeError(f"CI needs Slack's Web API description at {path}")
        return None
    paths = json.loads(path.read_text())["paths"]
    methods: dict[str, set[str]] = {}
    for name, ops in paths.items():
        names: set[str] = set()
        for op in ops.values():
            names |= {p["name"] for p in op.get("parameters", [])}
        methods[name.lstrip("/")] = names
    return methods


def check_call(
    spec: dict[str, set[str]] | None, method: str, args: dict[str, object]
) -> tuple[bool, str | None]:
    """(known method?, a violation to record or None). With no description, the
    stand-in's own list of methods and arguments is the reference."""
    if spec is None:
        known = IMPLEMENTED.get(method)
    else:
        known = NEWER_METHODS[method] if method in NEWER_METHODS else spec.get(method)
    if known is None:
        return False, f"{method}: not a Slack Web API method"
    unknown = set(args) - known - NEWER_ARGS.get(method, set()) - LENIENT_ARGS
    if unknown:
        return True, f"{method}: unknown arguments {sorted(unknown)}"
    return True, None
