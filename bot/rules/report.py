"""The program's impact report: figures, small-group suppression, Markdown and JSON.

Pure: counts in, text out. Any figure about fewer than MIN_PEOPLE people is suppressed
so that nobody can be singled out in a small program.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MIN_PEOPLE = 5
NOT_YET = "n/a"  # figures whose data does not exist yet (meetings, surveys)
SIX_MONTHS = timedelta(days=183)
TWELVE_MONTHS = timedelta(days=365)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | str | None
    people: int  # how many people the figure is about


def is_suppressed(figure: Figure) -> bool:
    """A number about fewer than MIN_PEOPLE people is never shown."""
    return isinstance(figure.value, int | float) and figure.people < MIN_PEOPLE


def shown(figure: Figure) -> str:
    if is_suppressed(figure):
        return f"suppressed (fewer than {MIN_PEOPLE} people)"
    if figure.value is None:
        return NOT_YET
    if isinstance(figure.value, float):
        return f"{figure.value:.1f}"
    return str(figure.value)


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
    wins: int
    people: int  # distinct members who logged them


def weekly(entries: Iterable[tuple[date, int]], *, weeks: int, today: date) -> list[Week]:
    """Wins per week (Monday to Sunday) for the last `weeks` weeks, from (day, member id)."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    counts: dict[date, list[int]] = {first + timedelta(weeks=i): [] for i in range(weeks)}
    for day, member_id in entries:
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday].append(member_id)
    return [Week(start, len(ids), len(set(ids))) for start, ids in counts.items()]


def render_md(figures: Sequence[Figure], *, generated: datetime) -> str:
    lines = [f"# Mentorship program report ({generated:%Y-%m-%d})", ""]
    lines += [f"- **{f.label}**: {shown(f)}" for f in figures]
    lines += ["", f"Figures about fewer than {MIN_PEOPLE} people are suppressed.", ""]
    return "\n".join(lines)


def render_json(figures: Sequence[Figure], *, generated: datetime) -> str:
    data = {
        "generated_at": generated.isoformat(),
        "min_people": MIN_PEOPLE,
        "figures": {
            f.key: {
                "label": f.label,
                "value": None if is_suppressed(f) or f.value == NOT_YET else f.value,
                "suppressed": is_suppressed(f),
                "available": f.value is not None,
            }
            for f in figures
        },
    }
    return json.dumps(data, indent=2) + "\n"
