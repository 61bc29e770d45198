"""Slack's `view.state.values` for a modal's input blocks.

Shared by the sandbox (a form submitted from the page keeps, for each input the page did
not send, what the form showed, as Slack does) and the tests (tests/slackclient.py).
"""

from __future__ import annotations

from typing import Any


def fill_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Turn {"text": "...", "category": "quality", "share": True} into Slack's
    view.state.values for the input blocks of `view`.

    A field missing from `values` keeps what the form showed (its initial value), as
    when a person submits without touching it; give None to clear it. Checkboxes and
    multi-selects take True for all options or a list of values; number inputs take text."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        kind = element["type"]
        untouched = block_id not in values
        value = values.get(block_id)
        if kind == "plain_text_input":
            shown = element.get("initial_value")
            entry: dict[str, Any] = {"type": kind, "value": shown if untouched else value}
        elif kind in ("static_select", "radio_buttons"):
            entry = {"type": kind, "selected_option": None}
            if untouched:
                entry["selected_option"] = element.get("initial_option")
            elif value is not None:
                entry["selected_option"] = {
                    "text": {"type": "plain_text", "text": str(value)},
                    "value": str(value),
                }
        elif kind == "datepicker":
            entry = {"type": kind, "selected_date": value or element.get("initial_date")}
        elif kind == "timepicker":
            shown = element.get("initial_time")
            entry = {"type": kind, "selected_time": shown if untouched else value}
        elif kind in ("checkboxes", "multi_static_select"):
            if untouched:
                options = element.get("initial_options") or []
            elif isinstance(value, list | tuple | set):
                options = [o for o in element["options"] if o["value"] in value]
            else:
                options = element["options"] if value else []
            entry = {"type": kind, "selected_options": options}
        elif kind == "users_select":
            entry = {
                "type": kind,
                "selected_user": element.get("initial_user") if untouched else value,
            }
        elif kind == "file_input":  # file objects, as tests/fakeslack.py add_file returns
            entry = {"type": kind, "files": [] if untouched or value is None else value}
        elif kind == "number_input":
            entry = {"type": kind, "value": element.get("initial_value") if untouched else value}
        else:
            entry = {"type": kind, "value": value}
        state[block_id] = {element.get("action_id", "value"): entry}
    return state
