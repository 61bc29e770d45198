"""The cost of one scheduler pass follows who is due, not how many members there are:
100,000 members of whom 1,000 are due, against 10,000 members with the same 1,000 due.

Run on demand (not a test): `.venv/bin/python bench/pass_cost.py`.

Each case gets its own migrated SQLite file, seeded, then one full pass (`run_pass`, all
jobs) at the same instant, timed, sending to the local Slack-like server in its own
process; the peak Python memory (tracemalloc) comes from a second pass on a fresh copy.
Target: ratio at most 1.5.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nudge_support import NOW, SlackProcess, deps_for, seeded_database

from scheduler.runner import run_pass, scheduler_gateway


def one_pass(
    api_url: str, workdir: Path, members: int, due: int, *, traced: bool
) -> tuple[float, float, int]:
    url = seeded_database(workdir / f"members-{members}-{traced}.db", members=members, due=due)
    deps = deps_for(url, api_url)
    gateway = scheduler_gateway(deps)
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    lines = run_pass(deps, gateway, NOW)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    deps.db.dispose()
    return elapsed, peak / 2**20, sum(1 for line in lines if line.status == "sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    slack = SlackProcess()
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for members in (10_000, 100_000):
                # Timed without tracemalloc (it slows Python down); memory from a second
                # pass over a fresh copy with it.
                elapsed, _, sent = one_pass(
                    slack.api_url, Path(tmp), members, args.due, traced=False
                )
                _, peak, _ = one_pass(slack.api_url, Path(tmp), members, args.due, traced=True)
                results[members] = (elapsed, peak, sent)
    finally:
        slack.close()
    print(f"one scheduler pass, {args.due:,} members due")
    print(f"{'members':>10}{'pass s':>9}{'peak MiB':>10}{'sent':>7}")
    for members, (elapsed, peak, sent) in results.items():
        print(f"{members:>10,}{elapsed:9.2f}{peak:10.1f}{sent:>7,}")
    ratio = results[100_000][0] / results[10_000][0]
    print(f"ratio (100,000 / 10,000 members): {ratio:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
