"""The weekly program digest: when it is due, which wins may go in, what counts as a
certification earned. Pure.

Every Monday from 14:00 UTC (for up to DIGEST_GRACE) the digest of the ISO week just
ended (wins logged Monday 00:00 to Monday 00:00 UTC) is due, once, keyed on that week.
A win goes in only if its author ticked "share in the weekly digest", it is not private,
and the patient-data guard neither flagged it when saved nor flags it now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.rules.phi import Guard, find_phi
from bot.rules.schedule import iso_week

KIND = "weekly_digest"
POST_WEEKDAY = 0  # Monday
POST_AT = time(14, 0)  # UTC: morning in the Americas, afternoon in Europe
DIGEST_GRACE = timedelta(days=3)  # a scheduler down all Monday still posts by Thursday

# A credential named ("MLS(ASCP)", "ASCP", "certification", "credential")...
_CREDENTIAL = re.compile(r"\(ASCP\)|\bASCP\b|\bcertifi(?:ed|cation)\b|\bcredential", re.I)
# ...and an achievement ("passed my MLS(ASCP) exam", "now SBB certified", "earned my...").
_ACHIEVED = re.compile(
    r"\b(?:passed|earned|got|received|achieved|obtained|awarded|certified|now)\b", re.I
)
CERTIFICATION_TEMPLATE = "cert_specialty"


@dataclass(frozen=True)
class DigestWeek:
    period: str  # the ISO week covered, e.g. "2026-W47"
    start: datetime  # Monday 00:00 UTC of that week
    end: datetime  # the next Monday 00:00 UTC


def due_digest(now: datetime) -> DigestWeek | None:
    """The week whose digest is due at `now`, or None (not Monday's post time yet this
    week, or past the grace window)."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday() - POST_WEEKDAY)
    post_at = datetime.combine(monday, POST_AT, tzinfo=UTC)
    if not post_at <= now < post_at + DIGEST_GRACE:
        return None
    end = datetime.combine(monday, time(0), tzinfo=UTC)
    start = end - timedelta(weeks=1)
    return DigestWeek(iso_week(start.date()), start, end)


@dataclass(frozen=True)
class SharedWin:
    author: str  # Slack user id
    text: str
    category: str | None
    occurred_on: date
    in_digest: bool
    is_private: bool
    phi_flagged: bool


def may_share(win: SharedWin, guard: Guard | None = None) -> bool:
    """The member chose it, it is not private, and it carries no patient data."""
    return (
        win.in_digest
        and not win.is_private
        and not win.phi_flagged
        and not find_phi(win.text, guard)
    )


def is_certification(win: SharedWin) -> bool:
    """A win recognised as a certification earned: filed under professional
    development, naming a credential and an achievement."""
    return (
        win.category == "development"
        and _CREDENTIAL.search(win.text) is not None
        and _ACHIEVED.search(win.text) is not None
    )


@dataclass(frozen=True)
class Digest:
    week: DigestWeek
    by_category: dict[str | None, list[SharedWin]]  # catalogue order, uncategorised last
    certifications: list[SharedWin]
    goals_achieved: int
    certification_goals: int  # achieved goals from the certification template

    @property
    def empty(self) -> bool:
        return not (self.by_category or self.certifications or self.goals_achieved)


def build(
    week: DigestWeek,
    wins: list[SharedWin],
    *,
    categories: list[str],
    goals_achieved: int,
    certification_goals: int,
    guard: Guard | None = None,
) -> Digest:
    """Sort the week's shareable wins: certifications on their own, the rest grouped by
    category in `categories` order. Wins nobody may see are dropped here."""
    shared = [w for w in wins if may_share(w, guard)]
    certifications = [w for w in shared if is_certification(w)]
    rest = [w for w in shared if not is_certification(w)]
    order = {key: n for n, key in enumerate(categories)}
    by_category: dict[str | None, list[SharedWin]] = {}
    for win in sorted(rest, key=lambda w: (order.get(w.category or "", len(order)), w.occurred_on)):
        by_category.setdefault(win.category if win.category in order else None, []).append(win)
    return Digest(week, by_category, certifications, goals_achieved, certification_goals)
