"""The matcher: hard rules always hold, and the set it picks is as good as brute force."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from bot.rules.catalog import CAREER_LEVELS, CATEGORIES, CERTIFICATIONS, LAB_SECTIONS, SHIFTS
from bot.rules.matching import (
    Candidate,
    allowed,
    allowed_matrix,
    propose,
    score,
    score_matrix,
)


def person(n: int, level: str, **kw: object) -> Candidate:
    return Candidate(member_id=n, user_id=f"U{n:03d}", name=f"P{n:03d}", level=level, **kw)  # type: ignore[arg-type]


def test_capacity_is_never_exceeded() -> None:
    mentor = person(1, "senior", free_slots=2)
    mentees = [person(10 + i, "entry") for i in range(5)]
    proposals = propose([mentor], mentees)
    assert len(proposals) == 2


def test_full_mentor_gets_nobody() -> None:
    assert propose([person(1, "senior", free_slots=0)], [person(2, "entry")]) == []


def test_never_the_mentees_supervisor() -> None:
    boss = person(1, "senior", free_slots=3, lab_section="hematology")
    other = person(2, "senior", free_slots=1)
    mentee = person(10, "entry", lab_section="hematology", supervisor="U001")
    [proposal] = propose([boss, other], [mentee])
    assert proposal.mentor == other
    assert propose([boss], [mentee]) == []


def test_never_a_past_pair() -> None:
    mentor = person(1, "senior", free_slots=1)
    mentee = person(10, "entry")
    assert propose([mentor], [mentee], past={(1, 10)}) == []
    assert len(propose([mentor], [mentee], past={(1, 11)})) == 1


def test_mentor_must_be_more_senior() -> None:
    assert propose([person(1, "mid", free_slots=1)], [person(2, "mid")]) == []
    assert propose([person(1, "entry", free_slots=1)], [person(2, "mid")]) == []
    assert propose([person(1, "mid", free_slots=1)], [person(2, None)]) == []
    assert len(propose([person(1, "mid", free_slots=1)], [person(2, "entry")])) == 1


def test_someone_who_is_both_never_mentors_themselves() -> None:
    both = person(1, "senior", free_slots=1)
    assert not allowed(both, both, ())
    assert propose([both], [both]) == []


def test_reasons_explain_the_score() -> None:
    mentor = person(
        1,
        "senior",
        free_slots=1,
        lab_section="blood_bank",
        interests=frozenset({"quality", "research"}),
        certifications=frozenset({"mls", "sbb"}),
        shift="night",
    )
    mentee = person(
        2,
        "entry",
        lab_section="blood_bank",
        interests=frozenset({"quality"}),
        target_certification="sbb",
        shift="night",
    )
    [proposal] = propose([mentor], [mentee])
    assert proposal.score == 3 + 2 + 3 + 2
    assert proposal.reasons == (
        "Senior mentor for entry mentee",
        "both in Blood bank (immunohematology)",
        "shared goals: quality and compliance",
        "mentor holds SBB(ASCP), the mentee's target",
        "both on night shift",
    )


def test_more_mentees_paired_beats_a_higher_score() -> None:
    # A can only go to M1; B scores high with M1 but can also go to M2.
    m1 = person(1, "senior", free_slots=1, lab_section="chemistry", shift="day")
    m2 = person(2, "senior", free_slots=1)
    a = person(10, "entry", supervisor="U002")
    b = person(11, "entry", lab_section="chemistry", shift="day")
    pairs = {(p.mentor.member_id, p.mentee.member_id) for p in propose([m1, m2], [a, b])}
    assert pairs == {(1, 10), (2, 11)}


def random_person(rng: random.Random, n: int, *, mentor: bool, users: int) -> Candidate:
    return Candidate(
        member_id=n,
        user_id=f"U{n:03d}",
        name=f"P{n:03d}",
        level=rng.choice([*CAREER_LEVELS, None]),
        lab_section=rng.choice([*list(LAB_SECTIONS)[:3], None]),
        interests=frozenset(rng.sample(list(CATEGORIES), rng.randint(0, 3))),
        certifications=frozenset(rng.sample(list(CERTIFICATIONS)[:4], rng.randint(0, 2))),
        target_certification=rng.choice([*list(CERTIFICATIONS)[:4], None]),
        shift=rng.choice([*SHIFTS, None]),
        supervisor=rng.choice([f"U{rng.randrange(users):03d}", None]),
        free_slots=rng.randint(0, 2) if mentor else 0,
    )


def brute_force(
    mentors: list[Candidate], mentees: list[Candidate], past: set[tuple[int, int]]
) -> tuple[int, int]:
    """(pairs, total score) of the best assignment, trying every one."""
    best = (0, 0)
    for choice in itertools.product([None, *range(len(mentors))], repeat=len(mentees)):
        load = [0] * len(mentors)
        count = total = 0
        for mentee, j in zip(mentees, choice, strict=True):
            if j is None:
                continue
            if not allowed(mentors[j], mentee, past):
                break
            load[j] += 1
            count += 1
            total += score(mentors[j], mentee)[0]
        else:
            if all(load[j] <= m.free_slots for j, m in enumerate(mentors)):
                best = max(best, (count, total))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_total_score_equals_brute_force_on_small_random_cases(seed: int) -> None:
    rng = random.Random(seed)
    n_mentors, n_mentees = rng.randint(1, 3), rng.randint(1, 5)
    users = n_mentors + n_mentees
    mentors = [random_person(rng, i, mentor=True, users=users) for i in range(n_mentors)]
    mentees = [
        random_person(rng, n_mentors + i, mentor=False, users=users) for i in range(n_mentees)
    ]
    # Someone who is both a mentor and a mentee, now and then.
    if rng.random() < 0.3:
        mentees.append(mentors[0])
    past = {(m.member_id, e.member_id) for m in mentors for e in mentees if rng.random() < 0.15}

    proposals = propose(mentors, mentees, past)

    got = (len(proposals), sum(p.score for p in proposals))
    assert got == brute_force(mentors, mentees, past)
    for p in proposals:
        assert allowed(p.mentor, p.mentee, past)
    for m in mentors:
        assert sum(p.mentor == m for p in proposals) <= m.free_slots
    assert len({p.mentee.member_id for p in proposals}) == len(proposals)


@pytest.mark.parametrize("seed", range(5))
def test_matrix_scores_match_the_one_pair_rules(seed: int) -> None:
    rng = random.Random(seed)
    mentors = [random_person(rng, i, mentor=True, users=40) for i in range(15)]
    mentees = [random_person(rng, 20 + i, mentor=False, users=40) for i in range(20)]
    past = {(mentors[0].member_id, mentees[0].member_id)}
    scores, ok = score_matrix(mentors, mentees), allowed_matrix(mentors, mentees, past)
    expected = np.array([[score(m, e)[0] for m in mentors] for e in mentees])
    expected_ok = np.array([[allowed(m, e, past) for m in mentors] for e in mentees])
    assert (scores == expected).all()
    assert (ok == expected_ok).all()
