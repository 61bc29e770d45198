"""Benchmark: `/program match` on 2,000 mentees and 500 mentors.

Run on demand: `.venv/bin/python bench/match_bench.py [--mentees N] [--mentors N]`.

The roster is stored first (untimed) in a migrated temporary SQLite file, through the
roster importer's own writer (`save_profile`), with past pairs. Then it times what the
command does after it has opened its "Finding matches…" modal: load the pool, propose,
store the proposals (`bot.usecases.matching.propose_matches`) and build the modal it
sends (`bot.blocks.program.match_modal`, serialised as for `views.update`). The pure
matcher (`bot.rules.matching.propose`) on the same pool is timed on its own too. Wall
times are the best and worst of `--repeat` runs; peak memory is measured in a separate
run under tracemalloc (Python and numpy allocations), which would slow the timed runs,
plus the process's peak resident set size. Target: the whole command under 10 seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.blocks.program import match_modal
from bot.rules.catalog import CATEGORIES, CERTIFICATIONS, LAB_SECTIONS, SHIFTS
from bot.rules.matching import Candidate, propose
from bot.rules.roster import RosterRow
from bot.store.db import Database, upgrade
from bot.store.models import Member, Pair
from bot.usecases.matching import pool, propose_matches
from bot.usecases.roster import save_profile

TEAM = "T0001"
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


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


def roster(opts: argparse.Namespace) -> tuple[list[Candidate], list[Candidate], set[Any]]:
    rng = random.Random(opts.seed)
    mentors = people(rng, opts.mentors, 1, mentors=True)
    mentees = people(rng, opts.mentees, 1_000_000, mentors=False)
    # Some supervisors are mentors, and some pairs happened before.
    mentees = [
        m
        if rng.random() > 0.2
        else Candidate(**{**m.__dict__, "supervisor": mentors[i % len(mentors)].user_id})
        for i, m in enumerate(mentees)
    ]
    past = {(rng.choice(mentors).user_id, rng.choice(mentees).user_id) for _ in range(3000)}
    return mentors, mentees, past


def store(db: Database, mentors: list[Candidate], mentees: list[Candidate], past: set[Any]) -> None:
    """The roster as `benchmate roster import` leaves it, and the past pairs (ended)."""
    everyone = [(c, "mentor") for c in mentors] + [(c, "mentee") for c in mentees]
    with db.begin() as session:
        members = {
            c.user_id: Member(team_id=TEAM, slack_user_id=c.user_id, name=c.name, created_at=NOW)
            for c, _ in everyone
        }
        session.add_all(members.values())
        session.flush()
        for line, (c, role) in enumerate(everyone, 2):
            row = RosterRow(
                line=line,
                who=c.user_id,
                role=role,
                career_level=c.level or "entry",
                lab_section=c.lab_section,
                certifications=tuple(sorted(c.certifications)),
                interests=tuple(sorted(c.interests)),
                target_certification=c.target_certification,
                capacity=c.free_slots,
                shift=c.shift,
            )
            save_profile(session, members[c.user_id], row, NOW, supervisor=c.supervisor)
        long_ago = NOW - timedelta(days=400)
        session.add_all(
            Pair(
                team_id=TEAM,
                mentor_id=members[mentor].id,
                mentee_id=members[mentee].id,
                started_at=long_ago,
                ended_at=long_ago + timedelta(days=90),
                end_reason="unpaired",
                created_by="bench",
            )
            for mentor, mentee in past
        )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """(last result, best, worst wall time in seconds)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, min(times), max(times)


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--mentees", type=int, default=2000)
    args.add_argument("--mentors", type=int, default=500)
    args.add_argument("--seed", type=int, default=4)
    args.add_argument("--repeat", type=int, default=3)
    opts = args.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(url)
        mentors, mentees, past = roster(opts)
        store(db, mentors, mentees, past)

        def load() -> Any:
            with db.begin() as session:
                return pool(session, TEAM)

        def command() -> tuple[int, dict[str, Any], int]:
            """What `/program match` does once its loading modal is open."""
            proposed = propose_matches(db, team_id=TEAM, actor="U0000001", now=NOW)
            view = match_modal(proposed.batch, proposed.lines, proposed.unmatched)
            return len(proposed.lines), view, len(json.dumps(view))

        found, load_best, load_worst = timed(load, opts.repeat)
        proposals, pure_best, pure_worst = timed(
            lambda: propose(found.mentors, found.mentees, found.past), opts.repeat
        )
        (pairs, view, view_bytes), cmd_best, cmd_worst = timed(command, opts.repeat)
        pure_peak = peak_mib(lambda: propose(found.mentors, found.mentees, found.past))
        cmd_peak = peak_mib(command)
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db.dispose()

    slots = sum(m.free_slots for m in found.mentors)
    print(
        f"mentees {len(found.mentees):,}, mentors {len(found.mentors):,} ({slots:,} free "
        f"slots), past pairs {len(found.past):,}; best/worst of {opts.repeat} runs"
    )
    print(f"proposed pairs: {pairs:,}, total score {sum(p.score for p in proposals):,}")
    print(
        f"/program match (load, propose, store, build modal): {cmd_best:.2f}/{cmd_worst:.2f} s "
        f"(target < 10 s); modal {len(view['blocks'])} blocks, {view_bytes / 1024:.0f} KiB"
    )
    print(
        f"  parts timed on their own: loading the pool {load_best:.2f}/{load_worst:.2f} s, "
        f"pure matcher {pure_best:.2f}/{pure_worst:.2f} s"
    )
    print(
        f"peak traced memory: whole command {cmd_peak:.1f} MiB, pure matcher "
        f"{pure_peak:.1f} MiB; process peak RSS {rss_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
