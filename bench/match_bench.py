"""Benchmark: `/program match`'s matcher on 2,000 mentees and 500 mentors.

Run on demand: `.venv/bin/python bench/match_bench.py [--mentees N] [--mentors N]`.
Prints wall time and peak memory (tracemalloc, Python and numpy allocations) for the
pure matcher, plus the process's peak resident set size. Target: under 10 seconds.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.rules.catalog import CATEGORIES, CERTIFICATIONS, LAB_SECTIONS, SHIFTS
from bot.rules.matching import Candidate, propose


def people(rng: random.Random, count: int, start: int, *, mentors: bool) -> list[Candidate]:
    levels = ["mid", "senior"] if mentors else ["entry", "entry", "mid"]
    return [
        Candidate(
            member_id=start + i,
            user_id=f"U{start + i:07d}",
            name=f"Person {start + i}",
            level=rng.choice(levels),
            lab_section=rng.choice(list(LAB_SECTIONS)),
            interests=frozenset(rng.sample(list(CATEGORIES), rng.randint(1, 3))),
            certifications=frozenset(rng.sample(list(CERTIFICATIONS), rng.randint(1, 3))),
            target_certification=None if mentors else rng.choice(list(CERTIFICATIONS)),
            shift=rng.choice(list(SHIFTS)),
            supervisor=f"U{rng.randrange(start, start + count):07d}" if not mentors else None,
            free_slots=rng.randint(1, 5) if mentors else 0,
        )
        for i in range(count)
    ]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--mentees", type=int, default=2000)
    args.add_argument("--mentors", type=int, default=500)
    args.add_argument("--seed", type=int, default=4)
    opts = args.parse_args()
    rng = random.Random(opts.seed)
    mentors = people(rng, opts.mentors, 1, mentors=True)
    mentees = people(rng, opts.mentees, 1_000_000, mentors=False)
    # Some supervisors are mentors, and some pairs happened before.
    mentees = [
        m
        if rng.random() > 0.2
        else Candidate(**{**m.__dict__, "supervisor": mentors[i % 500].user_id})
        for i, m in enumerate(mentees)
    ]
    past = {(rng.choice(mentors).member_id, rng.choice(mentees).member_id) for _ in range(3000)}
    slots = sum(m.free_slots for m in mentors)

    tracemalloc.start()
    started = time.perf_counter()
    proposals = propose(mentors, mentees, past)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"mentees {len(mentees):,}, mentors {len(mentors):,} ({slots:,} free slots)")
    print(f"proposed pairs: {len(proposals):,}, total score {sum(p.score for p in proposals):,}")
    print(f"wall time: {elapsed:.2f} s (target < 10 s)")
    print(f"peak traced memory: {peak / 2**20:.1f} MiB; process peak RSS: {rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()
