"""Fan-out of 10,000 weekly prompts to a local Slack-like server that allows N messages
a second and answers HTTP 429 with Retry-After beyond that.

Run on demand (not a test): `.venv/bin/python bench/prompt_ratelimit.py [--rate N]`.

Side by side in one run: the ideal time (10,000 / N seconds) and a Benchmate pass.
Target: within 10% of the ideal, zero duplicates, zero lost. The senders share one
RateGate: on a 429 all wait Retry-After, then go at the pace the gate learned.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nudge_support import NOW, SlackProcess, deps_for, seeded_database

from scheduler.runner import scheduler_gateway
from scheduler.weekly_prompts import weekly_prompts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="messages a second allowed")
    args = parser.parse_args()
    slack = SlackProcess(limit_per_second=args.rate)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = seeded_database(Path(tmp) / "limit.db", members=args.prompts, due=args.prompts)
            deps = deps_for(url, slack.api_url)
            gateway = scheduler_gateway(deps)
            started = time.perf_counter()
            lines = weekly_prompts(deps, gateway, NOW, dry_run=False)
            elapsed = time.perf_counter() - started
            deps.db.dispose()
        delivered = slack.ask("delivered")
        stats = slack.ask("stats")
    finally:
        slack.close()
    ideal = args.prompts / args.rate
    sent = sum(1 for line in lines if line.status == "sent")
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    lost = args.prompts - len(delivered)
    rejected = stats["posts"] - sum(delivered.values())
    print(f"{args.prompts:,} weekly prompts, server limit {args.rate:g} messages/s (429 beyond)")
    print(f"ideal (prompts / rate):   {ideal:8.2f} s")
    off = elapsed / ideal - 1
    print(f"Benchmate pass:           {elapsed:8.2f} s   ({off:+.1%}; target within 10%)")
    print(f"sent {sent:,}; duplicates {duplicates}; lost {lost}; 429 answers {rejected}")
    print(f"pace learned from the 429s: {gateway.gate.per_second or 0:.1f} messages/s")


if __name__ == "__main__":
    main()
