"""Credentials and continuing education (issue 11): pure rules, time passed in.

A credential (an ASCP BOC certification, or a state licence a deployer describes) is
kept by earning points (or hours) inside a cycle that ends on a date the member gives;
some points must fall in named areas. The catalog is data
(`credentials_catalog.json`, plus `BENCHMATE_CREDENTIAL_CATALOG` for a deployer's file):
this module reads and checks it, and decides what was earned, what is owed, whether a
member is on track, which lapse-prevention reminder is due, and whether the words of a
win read like a continuing-education credit.

Decisions:
- A cycle runs from the day after the end date `cycle_years` earlier, to the end date,
  both included (in the member's own calendar).
- A credit counts once per credential: its points go to the total, and its allocation
  (area -> points, never more than its points in all) to the areas. One credit counts
  for every credential the member holds whose cycle contains its date (an MLS and a
  state licence are often kept with the same course, as the bodies allow).
- Reminders at 12, 6, 3 and 1 months before the end: at any moment only the latest one
  whose day has come is due (a credential added 5 months before its end gets the
  6-month reminder, not the 12-month one too).
- On track: everything met, or the points earned keep pace with the part of the cycle
  gone by (earned / total >= elapsed days / cycle days), with no area owed in the last
  three months.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.rules.localtime import local_date
from bot.rules.schedule import PromptPrefs, add_months, review_due_at

BUILTIN_CATALOG = Path(__file__).with_name("credentials_catalog.json")
REMINDER_MONTHS = (12, 6, 3, 1)
UNITS = ("points", "hours")
MAX_POINTS = 500.0  # one credit; a semester course is 15 CMP points
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,23}$")
_KEY = re.compile(r"^[a-z0-9_]{1,32}$")


class CatalogError(ValueError):
    """The catalog file is not usable; the message is one line for a human."""


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    min: float


@dataclass(frozen=True)
class CredentialKind:
    code: str
    name: str
    cycle_years: int
    total: float
    areas: tuple[Area, ...]
    unit: str = "points"
    source: str = ""

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)


@dataclass(frozen=True)
class Catalog:
    kinds: Mapping[str, CredentialKind]

    def get(self, code: str) -> CredentialKind | None:
        return self.kinds.get(code)

    def area_names(self) -> dict[str, str]:
        """Every area any credential names: key -> name (first name wins)."""
        names: dict[str, str] = {}
        for kind in self.kinds.values():
            for area in kind.areas:
                names.setdefault(area.key, area.name)
        return names


def _number(value: object, where: str, *, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(f"{where} must be a number")
    if value < 0 or (value == 0 and not allow_zero) or value > 10_000:
        raise CatalogError(f"{where} must be a positive number")
    return float(value)


def parse_catalog(data: object, origin: str) -> list[CredentialKind]:
    """The credential kinds in a catalog document, or CatalogError naming what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("credentials"), list):
        raise CatalogError(f'{origin} must be a JSON object with a "credentials" list')
    kinds: list[CredentialKind] = []
    for index, entry in enumerate(data["credentials"], start=1):
        where = f"{origin}: credential {index}"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where} must be an object")
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise CatalogError(f'{where} needs a "code" of letters and digits (e.g. CA-CLS)')
        where = f"{origin}: credential {code}"
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            raise CatalogError(f'{where} needs a "name" (up to 120 characters)')
        years = entry.get("cycle_years")
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
            raise CatalogError(f'{where}: "cycle_years" must be a whole number from 1 to 10')
        unit = entry.get("unit", "points")
        if unit not in UNITS:
            raise CatalogError(f'{where}: "unit" must be "points" or "hours"')
        total = _number(entry.get("total"), f'{where}: "total"', allow_zero=False)
        areas_data = entry.get("areas", [])
        if not isinstance(areas_data, list):
            raise CatalogError(f'{where}: "areas" must be a list')
        areas: list[Area] = []
        for area in areas_data:
            if not isinstance(area, dict) or not _KEY.match(str(area.get("key", ""))):
                raise CatalogError(
                    f'{where}: each area needs a "key" of lowercase letters, digits and _'
                )
            area_name = area.get("name")
            if not isinstance(area_name, str) or not area_name.strip() or len(area_name) > 60:
                raise CatalogError(f'{where}: area {area["key"]} needs a "name"')
            minimum = _number(area.get("min"), f'{where}: area {area["key"]} "min"')
            areas.append(Area(str(area["key"]), area_name.strip(), minimum))
        if len({a.key for a in areas}) != len(areas):
            raise CatalogError(f"{where} names an area twice")
        if sum(a.min for a in areas) > total:
            raise CatalogError(f'{where}: the areas\' minimums add up to more than "total"')
        source = entry.get("source")
        if isinstance(source, dict):
            source = "; ".join(f"{k}: {v}" for k, v in source.items() if isinstance(v, str))
        if not isinstance(source, str) or not source.strip():
            raise CatalogError(f'{where} needs a "source" saying where its rules come from')
        kinds.append(
            CredentialKind(code, name.strip(), years, total, tuple(areas), unit, source.strip())
        )
    return kinds


def read_catalog_file(path: Path, origin: str) -> list[CredentialKind]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{origin} cannot be read ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{origin} is not valid JSON ({exc})") from exc
    return parse_catalog(data, origin)


def load_catalog(extra: str | Path | None = None) -> Catalog:
    """The built-in catalog, with a deployer's entries added (a code they repeat
    replaces the built-in entry: ASCP's figures change)."""
    kinds = {k.code: k for k in read_catalog_file(BUILTIN_CATALOG, BUILTIN_CATALOG.name)}
    if extra:
        for kind in read_catalog_file(Path(extra), str(extra)):
            kinds[kind.code] = kind
    return Catalog(kinds)


# --- cycles, credits, status ------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """One continuing-education credit: when, how many points, and how they are
    allocated to areas (never more than `points` in all)."""

    id: int
    earned_on: date
    points: float
    allocation: Mapping[str, float] = field(default_factory=dict)


def cycle_start(end: date, years: int) -> date:
    return add_months(end, -12 * years) + timedelta(days=1)


def next_cycle_end(end: date, years: int) -> date:
    return add_months(end, 12 * years)


def allocate(points: float, areas: Sequence[str]) -> dict[str, float]:
    """Split a credit's points evenly over the areas chosen (to the hundredth; the
    first area takes the rounding), so the allocation never exceeds the points."""
    chosen = list(dict.fromkeys(a for a in areas if a))
    if not chosen or points <= 0:
        return {}
    share = int(points * 100 / len(chosen)) / 100
    split = {a: share for a in chosen}
    # The rest (never rounded up, so the shares never add up to more than the points).
    split[chosen[0]] = points - share * (len(chosen) - 1)
    return split


def clean_allocation(points: float, allocation: Mapping[str, float]) -> dict[str, float]:
    """An allocation as stored, made safe: no negative share, and if the shares add up
    to more than the credit's points they are scaled down to fit."""
    shares = {k: float(v) for k, v in allocation.items() if isinstance(v, int | float) and v > 0}
    given = sum(shares.values())
    if given > points > 0:
        shares = {k: int(v * points / given * 100) / 100 for k, v in shares.items()}
    return shares


@dataclass(frozen=True)
class Status:
    kind: CredentialKind
    start: date
    end: date
    earned: float
    earned_by_area: dict[str, float]
    owed_by_area: dict[str, float]
    owed: float  # total still to earn (the areas' owed points count toward it)
    days_left: int
    on_track: bool
    credit_ids: tuple[int, ...]

    @property
    def met(self) -> bool:
        return self.owed <= 0 and not any(v > 0 for v in self.owed_by_area.values())


def status(kind: CredentialKind, end: date, credits: Iterable[Credit], today: date) -> Status:
    """Points earned and owed for the cycle ending `end`, as of `today`."""
    start = cycle_start(end, kind.cycle_years)
    inside = [c for c in credits if start <= c.earned_on <= end]
    by_id = {c.id: c for c in inside}  # a credit counts once
    earned = round(sum(c.points for c in by_id.values()), 2)
    by_area: dict[str, float] = {a.key: 0.0 for a in kind.areas}
    for credit in by_id.values():
        for key, share in clean_allocation(credit.points, credit.allocation).items():
            if key in by_area:
                by_area[key] = round(by_area[key] + share, 2)
    owed_areas = {a.key: round(max(0.0, a.min - by_area[a.key]), 2) for a in kind.areas}
    owed = round(max(0.0, kind.total - earned, sum(owed_areas.values())), 2)
    days_left = (end - today).days
    cycle_days = max(1, (end - start).days + 1)
    elapsed = min(cycle_days, max(0, (today - start).days + 1))
    paced = earned >= kind.total * elapsed / cycle_days
    late_areas = days_left <= 92 and any(v > 0 for v in owed_areas.values())
    met = owed <= 0
    on_track = met or (paced and not late_areas and days_left >= 0)
    return Status(
        kind=kind,
        start=start,
        end=end,
        earned=earned,
        earned_by_area=by_area,
        owed_by_area=owed_areas,
        owed=owed,
        days_left=days_left,
        on_track=on_track,
        credit_ids=tuple(sorted(by_id)),
    )


@dataclass(frozen=True)
class Reminder:
    months: int
    period_suffix: str  # "12m", "6m", "3m", "1m"
    due_at: datetime


def reminders(end: date, prefs: PromptPrefs) -> list[Reminder]:
    """Every lapse-prevention reminder of a cycle ending `end`, earliest first: 12, 6, 3
    and 1 months before, each at the member's prompt time on its day, outside quiet
    hours; those falling after the cycle has ended are left out."""
    ends_at = cycle_ends_at(end, prefs)
    found = [
        Reminder(months, f"{months}m", review_due_at(add_months(end, -months), prefs))
        for months in sorted(REMINDER_MONTHS, reverse=True)
    ]
    return [r for r in found if r.due_at < ends_at]


def cycle_ends_at(end: date, prefs: PromptPrefs) -> datetime:
    """When reminders stop: the member's prompt time the day after the cycle's end
    (quiet hours aside: the end is the end)."""
    return review_due_at(end + timedelta(days=1), PromptPrefs(tz=prefs.tz, at=prefs.at))


def reminder_due(end: date, now: datetime, prefs: PromptPrefs) -> Reminder | None:
    """The lapse-prevention reminder due at `now` for a cycle ending `end`: the latest
    of `reminders` whose time has come, while the cycle has not ended. The caller sends
    it only while points are owed, and the ledger sends each at most once."""
    if now >= cycle_ends_at(end, prefs):
        return None
    come = [r for r in reminders(end, prefs) if r.due_at <= now]
    return come[-1] if come else None


def met_due_at(now: datetime, prefs: PromptPrefs) -> datetime:
    """When the "all met" DM is due for a credential found met at `now`: the member's
    prompt time that day, outside quiet hours (at once if that has passed)."""
    return review_due_at(local_date(now, prefs.tz), prefs)


def cycle_over(end: date, today: date) -> bool:
    return today > end


# --- continuing education in a win's words ----------------------------------------------

_CE_MARKERS = re.compile(
    r"p\.?\s?a\.?\s?c\.?\s?e\.?(?![a-z])|\bceus?\b|\bce\b|\bcmle\b|\bcmp\b|contact hours?"
    r"|continuing education|\bcourse\b|\bwebinar\b|\bconference\b|\bworkshop\b|\bseminar\b"
    r"|in-?service|\bmodule\b|\bsymposium\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(\d{1,3}(?:\.\d{1,2})?)\s*-?\s*"
    r"(contact hours?|hours?|hrs?\b|h\b|cmp points?|points?|pts?\b|ceus?\b|credits?\b|cmle\b)",
    re.IGNORECASE,
)
_AREA_WORDS = {
    "safety": r"safety|quality control|\bqc\b|quality assurance|infection control",
    "ethics": r"ethic",
    "blood_bank": r"blood ?bank|immunohematology|transfusion",
    "chemistry": r"chemistry|\bchem\b|toxicology",
    "hematology": r"hematology|haematology|\bheme\b|coagulation",
    "microbiology": r"microbiology|\bmicro\b|bacteriology|mycology|parasitology|virology",
    "molecular": r"molecular|\bpcr\b|sequencing",
    "phlebotomy": r"phlebotomy|venipuncture|specimen collection",
    "histology": r"histology|histotechn",
}


@dataclass(frozen=True)
class SuggestedCredit:
    points: float
    areas: tuple[str, ...]


def detect_ce(text: str) -> SuggestedCredit | None:
    """A continuing-education credit the words of a win suggest, or None.

    It takes a CE word (P.A.C.E., CE, CEU, CMLE, contact hours, course, webinar,
    conference, workshop, seminar, in-service...) or an amount of hours/points; the
    amount is the first one named (1 CEU = 10 contact hours; none named: 1 point), the
    areas are those the words name. Only a suggestion: the member confirms or edits."""
    amount = _AMOUNT.search(text)
    if not _CE_MARKERS.search(text) and not (
        amount and re.match(r"(contact|cmp|ceu|cmle)", amount.group(2), re.IGNORECASE)
    ):
        return None
    points = 1.0
    if amount:
        points = float(amount.group(1))
        if amount.group(2).lower().startswith("ceu"):
            points = round(points * 10, 2)
    if not 0 < points <= MAX_POINTS:
        points = 1.0
    areas = tuple(k for k, words in _AREA_WORDS.items() if re.search(words, text, re.IGNORECASE))
    return SuggestedCredit(points, areas)


def points_text(value: float) -> str:
    """12.0 -> "12", 1.5 -> "1.5"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def parse_points(text: str) -> float | None:
    """Points or hours a person typed ("2", "1.5", "2,5"), or None if not a number in
    (0, MAX_POINTS]."""
    cleaned = text.strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", cleaned):
        return None
    value = float(cleaned)
    return value if 0 < value <= MAX_POINTS else None


def describe_owed(status: Status, names: Mapping[str, str]) -> list[str]:
    """What is still missing, one line per area owed, then the rest of the total."""
    lines = [
        f"{points_text(v)} {status.kind.unit} in {names.get(k, k)}"
        for k, v in status.owed_by_area.items()
        if v > 0
    ]
    rest = round(status.owed - sum(status.owed_by_area.values()), 2)
    if rest > 0:
        lines.append(f"{points_text(rest)} more {status.kind.unit} in any area")
    return lines


def as_json(allocation: Mapping[str, float]) -> str:
    return json.dumps(dict(allocation), sort_keys=True)


def from_json(text: str | None) -> dict[str, float]:
    try:
        data: Any = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}
