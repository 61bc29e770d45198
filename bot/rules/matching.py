"""Proposing mentor–mentee pairs: optimal as a set, within hard rules.

Hard rules (a pair that breaks one is never proposed):
- a mentor never takes more mentees than their free capacity;
- the mentor is more senior than the mentee (entry < mid < senior);
- a mentor is never the mentee's own supervisor, nor the mentee themselves;
- a pair that existed before (active or ended) is never proposed again.

Among the allowed pairs, points for a shared lab section, shared goal categories,
the mentor holding the certification the mentee works toward, and overlapping shifts.

The solver is `scipy.optimize.linear_sum_assignment` over mentees × mentor slots (a
mentor with capacity 3 is three identical columns). The objective is lexicographic:
as many mentees paired as possible, then the highest total score. Pure: no Slack, no
database; scores are computed for all pairs at once with numpy so that 2,000 mentees
× 500 mentors takes about a second.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.rules.catalog import CAREER_LEVELS, CATEGORIES, CERTIFICATIONS, LAB_SECTIONS, SHIFTS

LEVEL_ORDER = {level: rank for rank, level in enumerate(CAREER_LEVELS)}  # entry < mid < senior

SAME_SECTION = 3
SHARED_INTEREST = 2  # for each goal category both share
TARGET_CERTIFICATION = 3
SAME_SHIFT = 2
ROTATING_SHIFT = 1  # a rotating shift overlaps any other some of the time
MAX_SCORE = SAME_SECTION + SHARED_INTEREST * len(CATEGORIES) + TARGET_CERTIFICATION + SAME_SHIFT


@dataclass(frozen=True)
class Candidate:
    """A person as the matcher sees them."""

    member_id: int
    user_id: str
    name: str = ""
    level: str | None = None
    lab_section: str | None = None
    interests: frozenset[str] = field(default_factory=frozenset)
    certifications: frozenset[str] = field(default_factory=frozenset)
    target_certification: str | None = None
    shift: str | None = None
    supervisor: str | None = None  # their supervisor's Slack user id
    free_slots: int = 0  # mentors: capacity minus their current mentees


@dataclass(frozen=True)
class Proposal:
    mentor: Candidate
    mentee: Candidate
    score: int
    reasons: tuple[str, ...]


def allowed(mentor: Candidate, mentee: Candidate, past: Collection[tuple[int, int]]) -> bool:
    """Whether the hard rules allow this pair (capacity is the solver's business)."""
    return (
        mentor.member_id != mentee.member_id
        and mentor.level in LEVEL_ORDER
        and mentee.level in LEVEL_ORDER
        and LEVEL_ORDER[mentor.level] > LEVEL_ORDER[mentee.level]
        and mentee.supervisor != mentor.user_id
        and (mentor.member_id, mentee.member_id) not in past
    )


def score(mentor: Candidate, mentee: Candidate) -> tuple[int, tuple[str, ...]]:
    """Points for this pair and the reasons, in words a coordinator can check."""
    points = 0
    reasons = [
        f"{CAREER_LEVELS.get(mentor.level or '', '?')} mentor for "
        f"{CAREER_LEVELS.get(mentee.level or '', '?').lower()} mentee"
    ]
    if mentor.lab_section and mentor.lab_section == mentee.lab_section:
        points += SAME_SECTION
        reasons.append(f"both in {LAB_SECTIONS[mentor.lab_section]}")
    shared = [c for c in CATEGORIES if c in mentor.interests and c in mentee.interests]
    if shared:
        points += SHARED_INTEREST * len(shared)
        reasons.append("shared goals: " + ", ".join(CATEGORIES[c].lower() for c in shared))
    target = mentee.target_certification
    if target and target in mentor.certifications:
        points += TARGET_CERTIFICATION
        credential = CERTIFICATIONS[target].split(" ", 1)[0]
        reasons.append(f"mentor holds {credential}, the mentee's target")
    if mentor.shift and mentee.shift:
        if mentor.shift == mentee.shift:
            points += SAME_SHIFT
            reasons.append(f"both on {SHIFTS[mentor.shift].lower()} shift")
        elif "rotating" in (mentor.shift, mentee.shift):
            points += ROTATING_SHIFT
            reasons.append("a rotating shift overlaps the other's")
    return points, tuple(reasons)


def _codes(values: Sequence[str | None], vocabulary: Sequence[str]) -> np.ndarray:
    index = {key: i for i, key in enumerate(vocabulary)}
    return np.array([index.get(v, -1) if v else -1 for v in values], dtype=np.int64)


def _masks(sets: Sequence[Collection[str]], vocabulary: Sequence[str]) -> np.ndarray:
    bit = {key: 1 << i for i, key in enumerate(vocabulary)}
    return np.array([sum(bit.get(v, 0) for v in s) for s in sets], dtype=np.int64)


_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(CATEGORIES))], dtype=np.int64)


def score_matrix(mentors: Sequence[Candidate], mentees: Sequence[Candidate]) -> np.ndarray:
    """`score` for every (mentee, mentor) at once: rows are mentees, columns mentors."""
    sec_m = _codes([m.lab_section for m in mentors], list(LAB_SECTIONS))
    sec_e = _codes([e.lab_section for e in mentees], list(LAB_SECTIONS))
    points = np.where((sec_e[:, None] == sec_m[None, :]) & (sec_e[:, None] >= 0), SAME_SECTION, 0)

    int_m = _masks([m.interests for m in mentors], list(CATEGORIES))
    int_e = _masks([e.interests for e in mentees], list(CATEGORIES))
    points += SHARED_INTEREST * _POPCOUNT[int_e[:, None] & int_m[None, :]]

    cert_m = _masks([m.certifications for m in mentors], list(CERTIFICATIONS))
    target_e = _codes([e.target_certification for e in mentees], list(CERTIFICATIONS))
    holds = (cert_m[None, :] >> np.maximum(target_e, 0)[:, None]) & 1
    points += np.where(target_e[:, None] >= 0, holds * TARGET_CERTIFICATION, 0)

    shift_m = _codes([m.shift for m in mentors], list(SHIFTS))
    shift_e = _codes([e.shift for e in mentees], list(SHIFTS))
    known = (shift_e[:, None] >= 0) & (shift_m[None, :] >= 0)
    same = known & (shift_e[:, None] == shift_m[None, :])
    rotating = list(SHIFTS).index("rotating")
    either_rotating = (
        known & ~same & ((shift_e[:, None] == rotating) | (shift_m[None, :] == rotating))
    )
    points += np.where(same, SAME_SHIFT, 0) + np.where(either_rotating, ROTATING_SHIFT, 0)
    return points


def allowed_matrix(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    past: Collection[tuple[int, int]],
) -> np.ndarray:
    """`allowed` for every (mentee, mentor) at once."""
    level_m = np.array([LEVEL_ORDER.get(m.level or "", -1) for m in mentors], dtype=np.int64)
    level_e = np.array([LEVEL_ORDER.get(e.level or "", -1) for e in mentees], dtype=np.int64)
    ok = (level_e[:, None] >= 0) & (level_m[None, :] > level_e[:, None])
    column_of_user = {m.user_id: j for j, m in enumerate(mentors)}
    column_of_member = {m.member_id: j for j, m in enumerate(mentors)}
    row_of_member = {e.member_id: i for i, e in enumerate(mentees)}
    for i, mentee in enumerate(mentees):
        if mentee.supervisor in column_of_user:
            ok[i, column_of_user[mentee.supervisor]] = False
        if mentee.member_id in column_of_member:  # someone who is both
            ok[i, column_of_member[mentee.member_id]] = False
    for mentor_id, mentee_id in past:
        if mentor_id in column_of_member and mentee_id in row_of_member:
            ok[row_of_member[mentee_id], column_of_member[mentor_id]] = False
    return ok


def propose(
    mentors: Sequence[Candidate],
    mentees: Sequence[Candidate],
    past: Collection[tuple[int, int]] = (),
) -> list[Proposal]:
    """The best set of new pairs: most mentees paired, then the highest total score.

    `mentors` carry their free slots; `past` holds every (mentor member id, mentee
    member id) that was ever a pair. Proposals come back ordered by mentee name.
    """
    mentors = [m for m in mentors if m.free_slots > 0]
    if not mentors or not mentees:
        return []
    ok = allowed_matrix(mentors, mentees, past)
    # Weight: a pair is worth more than any difference in score, so the count comes first.
    big = MAX_SCORE * len(mentees) + 1
    weights = np.where(ok, big + score_matrix(mentors, mentees), 0).astype(np.float64)
    # A mentor never needs more slots than there are mentees they could take.
    slots = np.minimum([m.free_slots for m in mentors], ok.sum(axis=0))
    columns = np.repeat(np.arange(len(mentors)), slots)
    if columns.size == 0:
        return []
    # Imported here: scipy.optimize costs every process a third of a second at start-up.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(weights[:, columns], maximize=True)
    proposals = []
    for i, slot in zip(rows, cols, strict=True):
        j = int(columns[slot])
        if not ok[i, j]:
            continue
        mentor, mentee = mentors[j], mentees[int(i)]
        points, reasons = score(mentor, mentee)
        proposals.append(Proposal(mentor, mentee, points, reasons))
    return sorted(proposals, key=lambda p: (p.mentee.name.lower(), p.mentee.member_id))
