"""Rules for win text: splitting bullet lists, checking length."""

from __future__ import annotations

import re

MAX_WIN_CHARS = 3000
MAX_WINS_PER_ENTRY = 20  # one ephemeral answer lists each win; messages hold 50 blocks

_BULLET = re.compile(r"^\s*(?:[-*•‣◦–—]|\d{1,3}[.)])\s+")


def split_wins(text: str) -> list[str]:
    """One win per bullet or numbered line when the text is a list; otherwise one win.

    A list is two or more lines where every non-blank line starts with a bullet
    ("-", "*", "•") or a number ("1.", "2)"). Anything else stays one win, line
    breaks and all, so a multi-line story is never chopped up.
    """
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) >= 2 and all(_BULLET.match(line) for line in lines):
        return [_BULLET.sub("", line).strip() for line in lines if _BULLET.sub("", line).strip()]
    if len(lines) == 1 and _BULLET.match(lines[0]):
        return [_BULLET.sub("", lines[0]).strip()] if _BULLET.sub("", lines[0]).strip() else []
    stripped = text.strip()
    return [stripped] if stripped else []


def length_problem(text: str) -> str | None:
    """A friendly sentence when a win is empty or too long, else None."""
    if not text.strip():
        return "A win needs some words: what went well?"
    if len(text) > MAX_WIN_CHARS:
        return (
            f"That win is {len(text):,} characters; the limit is {MAX_WIN_CHARS:,}. "
            "Shorten it or split it into a bulleted list."
        )
    return None
