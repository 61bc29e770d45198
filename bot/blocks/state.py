"""Reading submitted modal values (`view.state.values`) without KeyErrors.

Every input in our modals uses the action id "value", so a block id names a field.
"""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any


def _field(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return (values.get(block_id) or {}).get("value") or {}


def text(view: dict[str, Any], block_id: str) -> str:
    return str(_field(view, block_id).get("value") or "")


def files(view: dict[str, Any], block_id: str) -> list[dict[str, Any]]:
    """The file objects a `file_input` holds (each with its id, name, url_private_download)."""
    return [f for f in _field(view, block_id).get("files") or [] if isinstance(f, dict)]


def selected(view: dict[str, Any], block_id: str) -> str | None:
    option = _field(view, block_id).get("selected_option")
    return str(option["value"]) if isinstance(option, dict) and "value" in option else None


def checked(view: dict[str, Any], block_id: str) -> bool:
    return bool(_field(view, block_id).get("selected_options"))


def picked_date(view: dict[str, Any], block_id: str) -> date | str | None:
    """The chosen date; None if none; the raw string if it is not a date."""
    raw = _field(view, block_id).get("selected_date")
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return str(raw)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON we put in private_metadata; {} if it is missing or not ours."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def multi_selected(view: dict[str, Any], block_id: str) -> list[str]:
    """The values picked in a multi-select (empty when none)."""
    options = _field(view, block_id).get("selected_options") or []
    return [str(o["value"]) for o in options if isinstance(o, dict) and "value" in o]


def selected_user(view: dict[str, Any], block_id: str) -> str | None:
    user = _field(view, block_id).get("selected_user")
    return str(user) if user else None


def picked_time(view: dict[str, Any], block_id: str) -> time | str | None:
    """The chosen time (a timepicker's "HH:MM"); None if none; the raw string if bad."""
    raw = _field(view, block_id).get("selected_time")
    if not raw:
        return None
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        return str(raw)
