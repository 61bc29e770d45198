"""Match-quality surveys: when each is due, and what coordinators may see. Pure.

A pulse 30 days after a pair starts and every 60 days after (30, 90, 150...), while the
pair lasts; a closing survey when it ends. A pulse goes out at the member's prompt time
on its day; the closing survey at the prompt time of the day the pair ended, or at once
if that time has passed; both outside quiet hours. Results are shown only in aggregate,
only about MIN_PEOPLE or more people, and a comment only when its author allowed it,
never with their name.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.rules.localtime import zone
from bot.rules.phi import Guard, find_phi
from bot.rules.report import MIN_PEOPLE
from bot.rules.schedule import (
    Decision,
    PromptPrefs,
    catch_up,
    defer_past_quiet_hours,
    review_due_at,
)

KIND = "survey"
PULSE_FIRST_DAYS = 30
PULSE_EVERY_DAYS = 60
CLOSING = "closing"
PULSE_GRACE = timedelta(days=3)
CLOSING_GRACE = timedelta(days=7)
CLOSING_WINDOW_DAYS = 14  # ended pairs the scheduler still looks at (> CLOSING_GRACE)
SCORES = range(1, 6)
MAX_COMMENT_CHARS = 1000


@dataclass(frozen=True)
class SurveyDue:
    label: str  # "pulse-30", "pulse-90", ..., "closing"
    due_at: datetime
    decision: Decision


def pulse_days(started_on: date, today: date) -> list[int]:
    """The pulses whose day has come: days after the start."""
    days, offset = [], PULSE_FIRST_DAYS
    while started_on + timedelta(days=offset) <= today:
        days.append(offset)
        offset += PULSE_EVERY_DAYS
    return days


def is_label(label: str) -> bool:
    """A survey label this module hands out ("closing", "pulse-30", "pulse-90"...)."""
    if label == CLOSING:
        return True
    prefix, _, days = label.partition("-")
    return (
        prefix == "pulse"
        and days.isascii()
        and days.isdigit()
        and len(days) <= 5
        and int(days) >= PULSE_FIRST_DAYS
        and (int(days) - PULSE_FIRST_DAYS) % PULSE_EVERY_DAYS == 0
    )


def closing_due_at(ended_at: datetime, prefs: PromptPrefs) -> datetime:
    """The prompt time on the day the pair ended, or the end itself if later; never in
    quiet hours."""
    ended_on = ended_at.astimezone(zone(prefs.tz)).date()
    at = max(review_due_at(ended_on, prefs), ended_at)
    return defer_past_quiet_hours(at, prefs.tz, prefs.quiet_start, prefs.quiet_end)


def due_surveys(
    *,
    started_on: date,
    ended_at: datetime | None,
    prefs: PromptPrefs,
    now: datetime,
    settled: Collection[str] = (),
) -> list[SurveyDue]:
    """The member's surveys about one pair that are due at `now` and not settled. An
    ended pair has only its closing survey (pulses not yet sent are dropped)."""
    if ended_at is not None:
        candidates = [(CLOSING, closing_due_at(ended_at, prefs), CLOSING_GRACE)]
    else:
        today = now.astimezone(zone(prefs.tz)).date()
        candidates = [
            (f"pulse-{d}", review_due_at(started_on + timedelta(days=d), prefs), PULSE_GRACE)
            for d in pulse_days(started_on, today)
        ]
    due = []
    for label, due_at, grace in candidates:
        decision = catch_up(due_at, now, grace)
        if label not in settled and decision != "wait":
            due.append(SurveyDue(label, due_at, decision))
    return due


@dataclass(frozen=True)
class Answer:
    member_id: int
    label: str
    satisfaction: int
    comment: str
    shareable: bool  # the member allowed coordinators to read the comment, unnamed


@dataclass(frozen=True)
class Score:
    """Average satisfaction over some answers, or None when fewer than MIN_PEOPLE
    people gave them."""

    title: str
    answers: int
    people: int
    average: float | None


@dataclass(frozen=True)
class Results:
    overall: Score
    by_kind: list[Score]  # pulses, closing surveys
    distribution: dict[int, int | None]  # score -> answers; None: fewer than MIN_PEOPLE
    comments: list[str]  # shareable comments, no names


def score(title: str, answers: Sequence[Answer]) -> Score:
    people = len({a.member_id for a in answers})
    if people < MIN_PEOPLE:
        return Score(title, len(answers), people, None)
    return Score(
        title, len(answers), people, round(sum(a.satisfaction for a in answers) / len(answers), 1)
    )


def distribution(answers: Sequence[Answer]) -> dict[int, int | None]:
    """Answers per score. A score given by fewer than MIN_PEOPLE answers is hidden, and
    if only one is hidden, so is the next smallest, so none can be worked out from the
    total."""
    counts = {s: sum(1 for a in answers if a.satisfaction == s) for s in SCORES}
    hidden = {s for s, n in counts.items() if 0 < n < MIN_PEOPLE}
    if len(hidden) == 1:
        others = sorted((n, s) for s, n in counts.items() if n and s not in hidden)
        hidden |= {others[0][1]} if others else set()
    return {s: None if s in hidden else n for s, n in counts.items()}


def summarize(answers: Sequence[Answer], guard: Guard | None = None) -> Results:
    """Aggregate results. About fewer than MIN_PEOPLE people: only the counts. Comments
    the author did not allow, or that look like patient data, are never shown."""
    overall = score("All surveys", answers)
    by_kind = [
        score("Pulses", [a for a in answers if a.label != CLOSING]),
        score("Closing surveys", [a for a in answers if a.label == CLOSING]),
    ]
    if overall.average is None:
        return Results(overall, by_kind, {}, [])
    comments = [
        a.comment.strip()
        for a in answers
        if a.shareable and a.comment.strip() and not find_phi(a.comment, guard)
    ]
    return Results(overall, by_kind, distribution(answers), sorted(comments, key=str.casefold))
