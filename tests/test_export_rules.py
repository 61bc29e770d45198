"""The pure export renderers: JSON fields, CSV columns, the Markdown brag document."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

from bot.rules.export import CSV_COLUMNS, GoalRecord, WinRecord, to_csv, to_json, to_markdown
from bot.store.models import GOAL_STATUSES, WIN_SOURCES

LOGGED = datetime(2026, 11, 20, 15, 4, 5, tzinfo=UTC)


def win(text: str, **kw: object) -> WinRecord:
    fields: dict[str, object] = {
        "text": text,
        "source": "slash",
        "logged_at": LOGGED,
        "occurred_on": date(2026, 11, 20),
        "category": None,
        "goal": None,
        "private": False,
    }
    fields.update(kw)
    return WinRecord(**fields)  # type: ignore[arg-type]


GOALS = [
    GoalRecord("Earn my SBB", "development", "active", date(2027, 6, 1), None, LOGGED),
    GoalRecord("Cut TAT", "quality", "achieved", None, "median TAT", LOGGED),
    GoalRecord("Old idea", None, "dropped", None, None, LOGGED),
]


def test_json_has_the_documented_fields() -> None:
    wins = [
        win(f"win by {source}", source=source, category=category)
        for source, category in zip(
            WIN_SOURCES, ["technical", None, "quality", "research"], strict=True
        )
    ]
    data = json.loads(to_json("Ada Tech", wins, GOALS))

    assert data["member"] == "Ada Tech"
    assert [w["source"] for w in data["wins"]] == list(WIN_SOURCES)
    assert [w["category"] for w in data["wins"]] == ["technical", None, "quality", "research"]
    assert data["wins"][0]["text"] == "win by slash"
    assert {w["logged_at"] for w in data["wins"]} == {"2026-11-20T15:04:05Z"}
    assert data["wins"][0]["occurred_on"] == "2026-11-20"
    assert [(g["title"], g["category"], g["status"]) for g in data["goals"]] == [
        ("Earn my SBB", "development", "active"),
        ("Cut TAT", "quality", "achieved"),
        ("Old idea", None, "dropped"),
    ]
    assert {g["status"] for g in data["goals"]} <= set(GOAL_STATUSES)
    assert data["goals"][0]["target_date"] == "2027-06-01"


def test_json_times_are_utc_whatever_zone_they_come_in() -> None:
    chicago = timezone(timedelta(hours=-6))
    data = json.loads(to_json("", [win("x", logged_at=LOGGED.astimezone(chicago))], []))
    assert data["wins"][0]["logged_at"] == "2026-11-20T15:04:05Z"


def test_json_keeps_non_ascii_text() -> None:
    assert "Gram-Färbung" in to_json("", [win("Gram-Färbung µl")], [])


def test_csv_has_a_header_and_one_row_per_win() -> None:
    wins = [
        win("ran QC, twice", category="quality", goal="Cut TAT"),
        win("a story\nover two lines", source="modal", private=True),
    ]
    rows = list(csv.reader(io.StringIO(to_csv(wins))))

    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1] == [
        "2026-11-20",
        "Quality and compliance",
        "ran QC, twice",
        "Cut TAT",
        "slash",
        "2026-11-20T15:04:05Z",
        "no",
    ]
    assert rows[2][2] == "a story\nover two lines" and rows[2][6] == "yes"


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    # A win can come from someone else's message (the shortcut): never let it run code
    # in the spreadsheet it is opened with.
    texts = ['=HYPERLINK("http://x")', "+1+2", "@SUM(A1)", "-2+3", "\tTab"]
    rows = list(csv.reader(io.StringIO(to_csv([win(t) for t in texts]))))
    assert [r[2] for r in rows[1:]] == ["'" + t for t in texts]
    assert list(csv.reader(io.StringIO(to_csv([win("plain", goal="=cmd")]))))[1][3] == "'=cmd"


def test_markdown_groups_by_category_then_month_newest_first() -> None:
    wins = [
        win("validated PCR", category="technical", occurred_on=date(2026, 9, 2)),
        win("passed MLS(ASCP)", category="development", occurred_on=date(2026, 10, 3)),
        win("trained two techs", category="technical", occurred_on=date(2026, 11, 5)),
        win("no category", occurred_on=date(2026, 11, 6), goal="Cut TAT"),
        win("line one\nline two", category="technical", occurred_on=date(2026, 11, 1)),
    ]
    doc = to_markdown("Ada Tech", wins, GOALS)

    assert doc.startswith("# Brag document: Ada Tech\n\n## Goals\n")
    assert "- **Earn my SBB** (Professional development and advancement): active" in doc
    assert "- **Old idea**: dropped" in doc
    headings = [line for line in doc.splitlines() if line.startswith("##")]
    assert headings == [
        "## Goals",
        "## Technical proficiency",
        "### November 2026",
        "### September 2026",
        "## Professional development and advancement",
        "### October 2026",
        "## Other wins",
        "### November 2026",
    ]
    assert (
        doc.index("trained two techs") < doc.index("line one line two") < doc.index("validated PCR")
    )
    assert "- Nov 06: no category _(toward: Cut TAT)_" in doc
    assert doc.endswith("\n") and not doc.endswith("\n\n")


def test_markdown_without_wins_or_name() -> None:
    assert to_markdown("", [], []) == "# Brag document\n\nNo wins logged yet.\n"


# --- hostile text stays text (issue 9, section 3) ---------------------------------------

HOSTILE = [
    "# Owned\n## also owned",
    "[click](javascript:alert(1)) and <javascript:alert(2)>",
    "<!channel> <@U666> <http://evil.example|click me>",
    "<script>alert(3)</script> <img src=x onerror=alert(4)>",
    "![pixel](http://evil.example/p.png) www.evil.example evil.com ada@lab.org",
    "*bold* _em_ `code` ~~gone~~ | a | table | &amp; \\",
    "> quoted\n- listed\n1. numbered",
]


def rendered(markdown: str) -> str:
    """The HTML a GitHub-like viewer makes of it (CommonMark, tables, strikethrough,
    linkify of bare URLs, raw HTML allowed)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like").render(markdown)


def test_markdown_export_never_renders_peoples_text_as_markup_or_links() -> None:
    wins = [win(text, goal=text) for text in HOSTILE]
    goals = [GoalRecord(text, None, "active", None, None, LOGGED) for text in HOSTILE]

    html = rendered(to_markdown("<!here> # Mallory [x](javascript:y)", wins, goals))

    for tag in ("<a ", "<img", "<script", "<code>", "<s>", "<del>", "<table"):
        assert tag not in html, tag
    assert html.count("<h1>") == 1 and "<h2>Owned" not in html and "<blockquote>" not in html
    # Only Benchmate's own emphasis: the goal titles, and "(toward: …)" after each win.
    assert html.count("<strong>") == len(goals) and html.count("<em>") == len(wins)
    assert "[click](javascript:alert(1))" in html  # shown as typed
    assert "&lt;!channel&gt;" in html and "www.evil.example" in html


def test_without_escaping_the_same_text_would_be_live() -> None:
    # Guards the test above: the renderer does turn such text into links and headings.
    html = rendered("- " + HOSTILE[4] + "\n\n" + HOSTILE[0] + "\n\n" + HOSTILE[1])
    assert "<a " in html and "<img" in html and "<h1>Owned" in html


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    texts = [
        '=HYPERLINK("http://evil.example","click")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "  =1+1",
        "fine = good",
    ]
    rows = list(csv.reader(io.StringIO(to_csv([win(t, goal=t) for t in texts]))))[1:]
    cells = [(row[2], row[3]) for row in rows]
    assert cells[:-1] == [("'" + t, "'" + t) for t in texts[:-1]]
    assert cells[-1] == ("fine = good", "fine = good")
