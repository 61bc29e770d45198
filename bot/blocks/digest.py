"""The weekly digest message in the program channel, within Slack's limits."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks.common import Block, clip, context, escape, header, section
from bot.rules.catalog import CATEGORIES
from bot.rules.digest import Digest, SharedWin

MAX_BLOCKS = 50  # a message's limit
SECTION_CHARS = 2900  # under the 3000 a section allows, room for a heading
WIN_CHARS = 600  # one win's line at most


def win_line(win: SharedWin) -> str:
    text = " ".join(escape(win.text).split())
    return clip(f"• <@{win.author}>: {text}", WIN_CHARS)


def _sections(title: str, lines: list[str]) -> list[tuple[Block, int]]:
    """`lines` under a bold title, in as many sections as the 3000-char limit needs;
    each with how many lines it holds."""
    sections: list[tuple[Block, int]] = []
    chunk = [f"*{title}*"]
    for line in lines:
        if len("\n".join([*chunk, line])) > SECTION_CHARS:
            sections.append((section("\n".join(chunk)), len(chunk) - (not sections)))
            chunk = []
        chunk.append(line)
    sections.append((section("\n".join(chunk)), len(chunk) - (not sections)))
    return sections


def digest_message(digest: Digest) -> tuple[str, list[Block]]:
    """The notification text and the blocks. Past 50 blocks, the rest is counted in a
    last line rather than posted."""
    week = digest.week
    last_day = week.end - timedelta(days=1)
    title = f"Wins of the week {week.start:%b %d} to {last_day:%b %d}"
    blocks: list[Block] = [header(title)]
    parts: list[tuple[str, list[SharedWin]]] = []
    if digest.certifications:
        parts.append((":mortar_board: Certifications earned", digest.certifications))
    for category, wins in digest.by_category.items():
        label = CATEGORIES.get(category or "", "Other wins")
        parts.append((label, wins))
    left_out = 0
    for label, wins in parts:
        for block, count in _sections(label, [win_line(w) for w in wins]):
            if len(blocks) < MAX_BLOCKS - 3:  # room for the goals and the two last lines
                blocks.append(block)
            else:
                left_out += count
    if digest.goals_achieved:
        certs = (
            f", {digest.certification_goals} of them a certification"
            if digest.certification_goals
            else ""
        )
        blocks.append(
            section(
                f":dart: *Goals achieved this week:* {digest.goals_achieved}{certs}. Well done!"
            )
        )
    if left_out:
        blocks.append(context(f"…and {left_out} more shared win(s) this week."))
    blocks.append(
        context(
            "Wins appear here only when their author ticks “Share in the weekly program digest”."
        )
    )
    shared = sum(len(w) for _, w in parts)
    text = f"{title}: {shared} shared win(s), {digest.goals_achieved} goal(s) achieved"
    return text, blocks[:MAX_BLOCKS]
