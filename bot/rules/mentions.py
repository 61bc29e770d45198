"""Reading user mentions out of slash-command text.

With `should_escape: true` Slack sends a picked @mention as `<@U123ABC|name>` (older
clients and Enterprise Grid send `<@W123ABC>` without the name)."""

from __future__ import annotations

import re

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_users(text: str) -> list[str]:
    """The user ids mentioned, in order, each once."""
    seen: list[str] = []
    for user_id in _MENTION.findall(text):
        if user_id not in seen:
            seen.append(user_id)
    return seen


def without_mentions(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text).split())
