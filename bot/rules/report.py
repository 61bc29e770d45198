"""The program's impact report: figures, small-group suppression, Markdown and JSON.

Pure: counts in, text out. Any figure about fewer than MIN_PEOPLE people is suppressed
so that nobody can be singled out in a small program.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MIN_PEOPLE = 5
NOT_YET = "n/a"  # figures with no data yet (no survey answered, nobody paired long ago)
SIX_MONTHS = timedelta(days=183)
TWELVE_MONTHS = timedelta(days=365)


@dataclass(frozen=True)
class Ratio:
    """A part against a whole, e.g. meetings held against meetings due."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        value = percent(self.part, self.whole)
        return None if value is None else round(value, 1)

    def __str__(self) -> str:
        share = f" ({self.percent:.0f}%)" if self.percent is not None else ""
        return f"{self.part} of {self.whole}{share}"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | Ratio | str | None
    people: int  # how many people the figure is about


def is_suppressed(figure: Figure) -> bool:
    """A number (or ratio) about fewer than MIN_PEOPLE people is never shown."""
    return isinstance(figure.value, int | float | Ratio) and figure.people < MIN_PEOPLE


def shown(figure: Figure) -> str:
    if is_suppressed(figure):
        return f"suppressed (fewer than {MIN_PEOPLE} people)"
    if figure.value is None:
        return NOT_YET
    if isinstance(figure.value, float):
        return f"{figure.value:.1f}"
    return str(figure.value)


def json_value(figure: Figure) -> object:
    if is_suppressed(figure) or figure.value == NOT_YET:
        return None
    if isinstance(figure.value, Ratio):
        return {
            "part": figure.value.part,
            "whole": figure.value.whole,
            "percent": figure.value.percent,
        }
    return figure.value


def meetings_due(started_on: date, until: date, cadence_days: int) -> int:
    """How many meetings a pair's cadence called for from its start until `until`:
    one per full cadence (a pair started 30 days ago meeting every 14 days: 2)."""
    return max(0, (until - started_on).days) // max(1, cadence_days)


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def retained(
    members: Iterable[tuple[datetime, datetime | None]], now: datetime, horizon: timedelta
) -> tuple[int, int]:
    """(still active at `horizon` after joining, cohort): the cohort is everyone who
    joined at least `horizon` ago; (joined, deactivated or None) per member."""
    cohort = kept = 0
    for joined, deactivated in members:
        if joined + horizon > now:
            continue
        cohort += 1
        if deactivated is None or deactivated >= joined + horizon:
            kept += 1
    return kept, cohort


def retention_figure(
    key: str,
    label: str,
    members: Sequence[tuple[datetime, datetime | None]],
    now: datetime,
    horizon: timedelta,
) -> Figure:
    kept, cohort = retained(members, now, horizon)
    value = percent(kept, cohort)
    return Figure(key, label, round(value, 1) if value is not None else None, cohort)


@dataclass(frozen=True)
class Week:
    start: date  # Monday
    count: int  # wins, or meetings
    people: int  # distinct members they are about


def weekly(
    entries: Iterable[tuple[date, Collection[int]]], *, weeks: int, today: date
) -> list[Week]:
    """Things per week (Monday to Sunday) for the last `weeks` weeks, from (day, ids of
    the people it is about): a win is about its author, a meeting about its pair."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    counts: dict[date, list[Collection[int]]] = {
        first + timedelta(weeks=i): [] for i in range(weeks)
    }
    for day, people in entries:
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday].append(people)
    return [
        Week(start, len(items), len({p for people in items for p in people}))
        for start, items in counts.items()
    ]


def shown_count(week: Week) -> int:
    """A week's count for the chart: 0 when it is about fewer than MIN_PEOPLE people."""
    return week.count if week.people >= MIN_PEOPLE else 0


def render_md(figures: Sequence[Figure], *, generated: datetime, program: str | None = None) -> str:
    """`program` names the program in the title (given when a deployment has several)."""
    named = f": {program}" if program else ""
    lines = [f"# Mentorship program report{named} ({generated:%Y-%m-%d})", ""]
    lines += [f"- **{f.label}**: {shown(f)}" for f in figures]
    lines += ["", f"Figures about fewer than {MIN_PEOPLE} people are suppressed.", ""]
    return "\n".join(lines)


def render_json(
    figures: Sequence[Figure], *, generated: datetime, program: str | None = None
) -> str:
    data: dict[str, object] = {"program": program} if program else {}
    data |= {
        "generated_at": generated.isoformat(),
        "min_people": MIN_PEOPLE,
        "figures": {
            f.key: {
                "label": f.label,
                "value": json_value(f),
                "suppressed": is_suppressed(f),
                "available": f.value is not None,
            }
            for f in figures
        },
    }
    return json.dumps(data, indent=2) + "\n"


# --- credentials and continuing education (issue 11) ------------------------------------


@dataclass(frozen=True)
class Month:
    start: date  # the first of the month
    points: float  # CE points (or hours) earned that month
    people: int  # distinct members who earned them


def monthly(entries: Iterable[tuple[date, float, int]], *, months: int, today: date) -> list[Month]:
    """CE points per calendar month for the last `months` months (this one included),
    from (day, points, member id) per credit."""
    firsts: list[date] = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    points: dict[date, float] = {f: 0.0 for f in firsts}
    people: dict[date, set[int]] = {f: set() for f in firsts}
    for day, value, member in entries:
        first = date(day.year, day.month, 1)
        if first in points:
            points[first] += value
            people[first].add(member)
    return [Month(f, round(points[f], 2), len(people[f])) for f in firsts]


def shown_points(month: Month) -> float:
    """A month's points for the chart: 0 when fewer than MIN_PEOPLE people earned them."""
    return month.points if month.people >= MIN_PEOPLE else 0.0


def credential_figures(
    cycles: Iterable[tuple[int, str]], credit_months: Sequence[Month], *, shown_months: int = 6
) -> list[Figure]:
    """Credential cycles maintained on time against lapsed, from (member id, outcome)
    per ended cycle; and CE points per month for the last `shown_months` months."""
    ended = list(cycles)
    people = len({member for member, _ in ended})
    maintained = sum(1 for _, outcome in ended if outcome == "maintained")
    figures = [
        Figure(
            "credentials_maintained",
            "Credential cycles maintained on time / ended",
            Ratio(maintained, len(ended)) if ended else None,
            people,
        ),
        Figure(
            "credentials_lapsed",
            "Credential cycles lapsed (ended with points owed)",
            len(ended) - maintained if ended else None,
            people,
        ),
    ]
    for month in credit_months[-shown_months:]:
        figures.append(
            Figure(
                f"ce_points_{month.start:%Y_%m}",
                f"CE points earned in {month.start:%B %Y}",
                month.points,
                month.people,
            )
        )
    return figures
