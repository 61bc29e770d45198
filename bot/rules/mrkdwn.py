"""Slack's message markup: writing people's text so that it stays inert, and reading a
message back as plain text (for a message kept as a win).

Slack sends `<@U123>` for a mention, `<#C123|name>` for a channel, `<url|label>` for a
link, `<!here>` for a broadcast, and escapes `&`, `<`, `>` as HTML entities.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def escape(text: str) -> str:
    """`text` from a person, made inert in anything Slack renders as mrkdwn (a message's
    `text` fallback, section and context texts): `<!channel>`, `<@U…>` and `<http…|…>`
    show as typed instead of pinging a crowd or forging a link.

    The one escaping Benchmate uses: every message, view and fallback that carries text
    from people (wins, goals, replies, announcements, comments, notes, names) passes it
    through here where the message is built. Slack's own rule: `&`, `<`, `>` become
    `&amp;`, `&lt;`, `&gt;`, and nothing else is needed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mentioned_users(text: str) -> list[str]:
    """The user ids mentioned in `text`, each once, in order."""
    return list(dict.fromkeys(_MENTION.findall(text)))


def plain_text(text: str, names: Mapping[str, str]) -> str:
    """`text` as a person reads it in Slack; `names` maps user ids to display names."""

    def readable(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):  # <!here>, <!subteam^S1|@leads>, <!date^…|fallback>
            return label or "@" + target[1:].split("^")[0]
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    plain = _TOKEN.sub(readable, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
