"""Rendering a member's wins and goals as JSON, CSV and a Markdown brag document.

Pure: takes plain records, returns text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from bot.rules.catalog import CATEGORIES

FORMATS = ("json", "csv", "md")


@dataclass(frozen=True)
class WinRecord:
    text: str
    source: str
    logged_at: datetime
    occurred_on: date
    category: str | None
    goal: str | None
    private: bool


@dataclass(frozen=True)
class GoalRecord:
    title: str
    category: str | None
    status: str
    target_date: date | None
    measure: str | None
    created_at: datetime


def _iso(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(name: str, wins: Sequence[WinRecord], goals: Sequence[GoalRecord]) -> str:
    data = {
        "member": name,
        "wins": [{k: _iso(v) for k, v in asdict(w).items()} for w in wins],
        "goals": [{k: _iso(v) for k, v in asdict(g).items()} for g in goals],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("date", "category", "win", "goal", "source", "logged_at", "private")
# A cell starting with one of these runs as a formula in Excel or LibreOffice (OWASP's
# CSV injection guidance); a win can be someone else's message (the shortcut), so such
# cells get a leading apostrophe. Leading spaces are looked through: some spreadsheets
# trim them before deciding.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


# People's text in the brag document: every character that starts Markdown syntax inside
# a line (emphasis, code, links, images, raw HTML, entities, tables, strikethrough, a
# heading's closing #) is backslash-escaped, as CommonMark allows for any ASCII
# punctuation; a colon after a letter (`javascript:`, `http:`), a dot between a word and
# a letter (`www.lab.org`, `evil.com`; decimals stay as they are) and the @ of an e-mail
# are escaped too, so no viewer turns the text into a link. Line breaks become spaces: a
# new line could start a heading, a list or a quote.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>#|~&@]|(?<=[A-Za-z]):|(?<=\w)\.(?=[A-Za-z])")


def md_text(text: str) -> str:
    """`text` from a person, inert in Markdown: shown as typed, never markup or a link."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), " ".join(text.split()))


def to_csv(wins: Sequence[WinRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for w in wins:
        writer.writerow(
            [
                w.occurred_on.isoformat(),
                CATEGORIES.get(w.category or "", ""),
                _cell(w.text),
                _cell(w.goal or ""),
                w.source,
                _iso(w.logged_at),
                "yes" if w.private else "no",
            ]
        )
    return out.getvalue()


def to_markdown(name: str, wins: Sequence[WinRecord], goals: Sequence[GoalRecord]) -> str:
    """A brag document: goals first, then wins by category and month, newest first."""
    title = f"# Brag document: {md_text(name)}" if name.strip() else "# Brag document"
    lines = [title, ""]
    if goals:
        lines += ["## Goals", ""]
        for g in goals:
            label = CATEGORIES.get(g.category or "", "")
            extra = f" ({label})" if label else ""
            lines.append(f"- **{md_text(g.title)}**{extra}: {g.status}")
        lines.append("")
    if not wins:
        lines.append("No wins logged yet.")
        return "\n".join(lines) + "\n"
    by_category: dict[str, list[WinRecord]] = {}
    for w in wins:
        by_category.setdefault(CATEGORIES.get(w.category or "", "Other wins"), []).append(w)
    order = [*CATEGORIES.values(), "Other wins"]
    for category in (c for c in order if c in by_category):
        lines += [f"## {category}", ""]
        month = ""
        for w in sorted(by_category[category], key=lambda w: w.occurred_on, reverse=True):
            if f"{w.occurred_on:%B %Y}" != month:
                month = f"{w.occurred_on:%B %Y}"
                lines += [f"### {month}", ""]
            goal = f" _(toward: {md_text(w.goal)})_" if w.goal else ""
            lines.append(f"- {w.occurred_on:%b %d}: {md_text(w.text)}{goal}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- continuing-education transcript (issue 11) ----------------------------------------


@dataclass(frozen=True)
class CreditRecord:
    earned_on: date
    title: str
    provider: str
    points: float
    areas: str  # area names, comma-separated


CREDIT_CSV_COLUMNS = ("date", "activity", "provider", "points", "areas")


def credits_csv(credits: Sequence[CreditRecord]) -> str:
    """The credits of one cycle as a spreadsheet (cells that would start a formula are
    quoted, as in the wins CSV)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CREDIT_CSV_COLUMNS)
    for c in credits:
        writer.writerow(
            [
                c.earned_on.isoformat(),
                _cell(c.title.replace("\n", " ")),
                _cell(c.provider),
                f"{c.points:g}",
                _cell(c.areas),
            ]
        )
    return out.getvalue()


def credits_markdown(heading: str, summary: Sequence[str], credits: Sequence[CreditRecord]) -> str:
    """A transcript for a CMP (or licence) declaration: the summary, then each credit.
    `heading` and `summary` are Markdown the caller built (names in them through
    `md_text`); the credits' own text is made inert here."""
    lines = [f"# {heading}", "", *[f"- {line}" for line in summary], "", "## Credits", ""]
    if not credits:
        lines.append("No credits recorded.")
    for c in credits:
        provider = f", {md_text(c.provider)}" if c.provider else ""
        areas = f" ({md_text(c.areas)})" if c.areas else ""
        text = md_text(c.title)
        lines.append(f"- {c.earned_on:%Y-%m-%d}: {text}{provider}: {c.points:g}{areas}")
    return "\n".join(lines) + "\n"
