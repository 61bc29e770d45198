"""What a request from Slack must look like before any listener sees it, and the
characters people's text may not carry into the database.

Pure: takes the parsed body, returns why it is refused (None: it is good) or a cleaned
copy. `bot/server.py` calls these once per request, so a listener can rely on the shape
(`command["user_id"]` is a user id, `body["actions"]` a list of objects, ...) and a
wrongly-shaped request gets a 400 instead of a 500 from deep inside Bolt or a listener.

Slack documents these shapes (slash commands, interaction payloads, the Events API);
fields Benchmate never reads are not checked, so Slack adding fields breaks nothing.
"""

from __future__ import annotations

import re
from typing import Any

# Slack ids: users U…/W…, teams T…, enterprises E…. Upper-case letters and digits.
_USER_ID = re.compile(r"[UWB][A-Z0-9]{1,30}")
_TEAM_ID = re.compile(r"[TE][A-Z0-9]{1,30}")
_COMMAND = re.compile(r"/[a-z0-9_-]{1,31}")

INTERACTIVE_TYPES = frozenset(
    {
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
    }
)
JSON_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})

# PostgreSQL refuses NUL in text; the other C0 controls (all but tab, newline and
# carriage return) are invisible, break CSV and Markdown readers, and never mean anything
# in a win. Lone surrogates (JSON can carry "\ud800") cannot be encoded as UTF-8 at all.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


# PostgreSQL's `integer`: no row id is larger, and a larger number in a query fails there
# (and overflows SQLite's driver) instead of finding nothing.
MAX_ID = 2**31 - 1


def whole_number(value: object, most: int = MAX_ID) -> int | None:
    """A count or row id carried in a button value, a form or metadata ("12", or 12 in
    JSON): only ASCII digits (`str.isdigit()` also takes "²", which `int()` refuses), at
    most `most`; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= most:
        return value
    return None


def clean_text(text: str) -> str:
    """`text` without NUL, other invisible control characters and lone surrogates."""
    return _UNWANTED.sub("", text)


def clean(value: Any) -> Any:
    """`value` (a parsed body) with every string in it, keys included, cleaned by
    `clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _str(value: Any, pattern: re.Pattern[str] | None = None) -> bool:
    return (
        isinstance(value, str)
        and bool(value)
        and (pattern is None or bool(pattern.fullmatch(value)))
    )


def _url_problem(url: Any) -> str | None:
    """Slack's response_url: where answers are posted, so a web address or nothing."""
    if url in (None, "") or (isinstance(url, str) and url.startswith(("https://", "http://"))):
        return None
    return "response_url is not a web address"


def _optional_str(body: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"{key} is not text"
    return None


def command_problem(form: dict[str, str]) -> str | None:
    """A slash command (form fields): who sent it, from which workspace, which command."""
    if not _str(form.get("command"), _COMMAND):
        return "no command"
    if not _str(form.get("user_id"), _USER_ID):
        return "no user_id"
    # Enterprise Grid org-wide installs may send an empty team_id with an enterprise_id.
    if not (_str(form.get("team_id"), _TEAM_ID) or _str(form.get("enterprise_id"), _TEAM_ID)):
        return "no team_id"
    return _url_problem(form.get("response_url"))


def _team_of(payload: dict[str, Any]) -> Any:
    team = payload.get("team")
    user = payload.get("user")
    enterprise = payload.get("enterprise")
    candidates = [
        team.get("id") if isinstance(team, dict) else None,
        user.get("team_id") if isinstance(user, dict) else None,
        enterprise.get("id") if isinstance(enterprise, dict) else None,
    ]
    return next((c for c in candidates if _str(c, _TEAM_ID)), None)


def _view_problem(view: Any, *, whole: bool) -> str | None:
    """A view; `whole` for a submitted or closed one, which Slack sends with its type,
    callback_id and state (a button on the Home tab may send less)."""
    if not isinstance(view, dict):
        return "view is not an object"
    problem = _optional_str(view, "id", "callback_id", "private_metadata", "type", "hash")
    if problem:
        return "view: " + problem
    if whole and not (_str(view.get("callback_id")) and _str(view.get("type"))):
        return "view has no callback_id or type"
    if "state" in view or whole:
        state = view.get("state")
        if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
            return "view state is not an object"
        for block in state.get("values", {}).values():
            if not isinstance(block, dict) or not all(isinstance(e, dict) for e in block.values()):
                return "view state values are not objects"
    if not isinstance(view.get("blocks", []), list):
        return "view blocks are not a list"
    return None


def _actions_problem(actions: Any) -> str | None:
    if not isinstance(actions, list) or not actions:
        return "no actions"
    for action in actions:
        if not isinstance(action, dict) or not _str(action.get("action_id")):
            return "an action without action_id"
        problem = _optional_str(action, "value", "block_id", "type", "action_ts")
        if problem:
            return "action: " + problem
        for key in ("selected_option",):
            option = action.get(key)
            if option is not None and (
                not isinstance(option, dict) or not isinstance(option.get("value"), str)
            ):
                return f"action: {key} is not an option"
    return None


def interactive_problem(payload: Any) -> str | None:
    """An interaction payload (the JSON in `payload=`)."""
    if not isinstance(payload, dict):
        return "payload is not an object"
    kind = payload.get("type")
    if kind not in INTERACTIVE_TYPES:
        return "unknown payload type"
    user = payload.get("user")
    if not isinstance(user, dict) or not _str(user.get("id"), _USER_ID):
        return "no user"
    if _team_of(payload) is None:
        return "no team"
    problem = _optional_str(payload, "trigger_id", "response_url", "callback_id", "api_app_id")
    if problem:
        return problem
    for key in ("container", "channel", "message"):
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            return f"{key} is not an object"
    if isinstance(payload.get("message"), dict):
        problem = _optional_str(payload["message"], "text", "ts", "user", "thread_ts")
        if problem:
            return "message: " + problem
    problem = _url_problem(payload.get("response_url"))
    if problem:
        return problem
    urls = payload.get("response_urls", [])
    if not isinstance(urls, list) or not all(
        isinstance(u, dict) and _str(u.get("response_url")) and not _url_problem(u["response_url"])
        for u in urls
    ):
        return "response_urls is not a list of web addresses"
    if kind == "block_actions":
        problem = _actions_problem(payload.get("actions"))
        if problem is None and payload.get("view") is not None:
            problem = _view_problem(payload["view"], whole=False)
        return problem
    if kind in ("view_submission", "view_closed"):
        return _view_problem(payload.get("view"), whole=True)
    if kind in ("shortcut", "message_action"):
        if not _str(payload.get("callback_id")):
            return "no callback_id"
        if kind == "message_action" and not isinstance(payload.get("message"), dict):
            return "no message"
        return None
    # block_suggestion
    return None if _str(payload.get("action_id")) else "no action_id"


def event_problem(body: Any) -> str | None:
    """An Events API request (JSON body)."""
    if not isinstance(body, dict):
        return "body is not an object"
    kind = body.get("type")
    if kind not in JSON_TYPES:
        return "unknown request type"
    if kind == "url_verification":
        return None if isinstance(body.get("challenge"), str) else "no challenge"
    if kind == "app_rate_limited":
        return None
    if not _str(body.get("team_id"), _TEAM_ID) and not _str(body.get("enterprise_id"), _TEAM_ID):
        return "no team_id"
    if not _str(body.get("event_id")):
        return "no event_id"
    event = body.get("event")
    if not isinstance(event, dict) or not _str(event.get("type")):
        return "no event"
    problem = _optional_str(event, "text", "channel", "channel_type", "ts", "thread_ts", "tab")
    if problem:
        return "event: " + problem
    for key in ("message", "previous_message"):  # a message_changed event's own objects
        if event.get(key) is not None and not isinstance(event[key], dict):
            return f"event: {key} is not an object"
    user = event.get("user")
    if event["type"] == "user_change":  # the only event whose `user` is a profile
        if not isinstance(user, dict) or not _str(user.get("id"), _USER_ID):
            return "event: user_change without a user"
    elif user is not None and not _str(user, _USER_ID):
        return "event: user is not an id"
    elif user is None and event["type"] == "app_home_opened":
        return "event: app_home_opened without a user"
    return None
