"""Fan-out of 10,000 weekly prompts: a Benchmate scheduler pass against a plain loop of
slack_sdk `chat_postMessage` calls, to the same local Slack-like server, in one run.

Run on demand (not a test): `.venv/bin/python bench/prompt_fanout.py [--prompts N]`.

The plain loop posts the same prompt (text and blocks) to each member, one call after
the other, and nothing else. The Benchmate pass does the whole job: selects the due
members by index, claims each nudge in the ledger (a committed row), builds the
prompt with the member's win count and goal, posts, records it sent and schedules the
next week's prompt, with its usual sender threads. Both use a migrated SQLite file
and the server in its own process (no rate limit here; see prompt_ratelimit.py).
Target: the pass takes at most 1.2 times the plain loop.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nudge_support import NOW, SlackProcess, deps_for, seeded_database
from slack_sdk import WebClient

from bot.blocks.prompts import weekly_prompt
from scheduler.runner import scheduler_gateway
from scheduler.weekly_prompts import weekly_prompts


def plain_loop(api_url: str, count: int) -> float:
    client = WebClient(token="xoxb-bench-token", base_url=api_url)
    text, blocks = weekly_prompt(name="Member", period="2026-W47", wins_last_week=0, goal=None)
    started = time.perf_counter()
    for n in range(count):
        client.chat_postMessage(channel=f"U{n:07d}", text=text, blocks=blocks)
    return time.perf_counter() - started


def benchmate_pass(api_url: str, count: int, workdir: Path) -> tuple[float, int]:
    url = seeded_database(workdir / "fanout.db", members=count, due=count)
    deps = deps_for(url, api_url)
    started = time.perf_counter()
    lines = weekly_prompts(deps, scheduler_gateway(deps), NOW, dry_run=False)
    elapsed = time.perf_counter() - started
    deps.db.dispose()
    return elapsed, sum(1 for line in lines if line.status == "sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    args = parser.parse_args()
    slack = SlackProcess()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plain = plain_loop(slack.api_url, args.prompts)
            plain_delivered = slack.ask("delivered")
            slack.ask("reset")
            ours, sent = benchmate_pass(slack.api_url, args.prompts, Path(tmp))
            delivered = slack.ask("delivered")
            stats = slack.ask("stats")
    finally:
        slack.close()
    assert len(plain_delivered) == args.prompts
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    lost = args.prompts - len(delivered)
    print(f"{args.prompts:,} weekly prompts to the local Web API server (no rate limit)")
    print(f"{'':28}{'wall s':>9}{'msg/s':>9}")
    print(f"{'plain chat_postMessage loop':28}{plain:9.2f}{args.prompts / plain:9.0f}")
    print(f"{'Benchmate pass':28}{ours:9.2f}{args.prompts / ours:9.0f}")
    print(f"ratio (Benchmate / plain): {ours / plain:.2f}  (target <= 1.2)")
    print(f"sent {sent:,}; duplicates {duplicates}; lost {lost}; violations {stats['violations']}")


if __name__ == "__main__":
    main()
