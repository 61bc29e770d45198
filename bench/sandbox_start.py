"""How long `benchmate sandbox` takes to start, and a clock jump with the demo lab.

    .venv/bin/python bench/sandbox_start.py [--repeat 3]

Each round starts `benchmate sandbox` as a user would (a fresh folder; the real serve,
the scheduler worker, the demo lab seeded through Benchmate's own commands) and times
launch -> the "Open http://..." line. Then it times, over HTTP as the page does, clock
jumps: "+1 day" (nothing due yet at 09:00), "next Friday 14:00" (the active pair's
meeting reminder and the weekly prompts), "+2 weeks" (a pass at each instant something
can fall due: the prompts in each zone, follow-ups, surveys, the digest), and a reset.

Baselines, measured in the same round: a bare Python start that imports Benchmate (the
floor of any process start), and a jump of one minute (one scheduler pass, nothing due).
Targets (issue 10): start under 60 s, a jump under 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

COUNTS = (":sent", ":passes")  # rows that are counts, not seconds
START = "2026-11-30T15:00:00Z"  # Monday 09:00 in Chicago, as in tests/test_sandbox.py


def post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def timed_post(url: str, body: dict[str, object]) -> tuple[float, dict[str, object]]:
    began = time.perf_counter()
    answer = post(url, body)
    return time.perf_counter() - began, answer


def bare_start() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bot.app, scheduler.jobs, handlers"], check=True)
    return time.perf_counter() - began


def one_round(folder: Path) -> dict[str, float]:
    figures: dict[str, float] = {"bare python + imports": bare_start()}
    began = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "sandbox",
            "--port",
            "0",
            "--folder",
            str(folder),
            "--start",
            START,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            if line.startswith("Open "):
                url = line.split()[1].rstrip("/")
                break
        if not url:
            raise SystemExit("the sandbox did not start")
        figures["sandbox start (launch -> URL)"] = time.perf_counter() - began
        clock = url + "/sandbox/clock"
        jumps = [
            ("jump +1 minute (baseline: one pass)", {"plus": {"minutes": 1}}),
            ("jump +1 day", {"plus": {"days": 1}}),
            ("jump to Friday 14:00", {"next": {"weekday": "friday", "time": "14:00"}}),
            ("jump +2 weeks", {"plus": {"weeks": 2}}),
        ]
        for name, body in jumps:
            seconds, answer = timed_post(clock, body)
            figures[name] = seconds
            figures[name + " :sent"] = float(answer["sent"])  # type: ignore[arg-type]
            ran_at = answer.get("ran_at")  # absent before the sandbox reported it: 0
            figures[name + " :passes"] = float(len(ran_at) if isinstance(ran_at, list) else 0)
        figures["reset"] = timed_post(url + "/sandbox/reset", {})[0]
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.repeat):
            rounds.append(one_round(Path(tmp) / f"round{n}"))
    print(f"{'what':<38} {'median':>8} {'min':>8} {'max':>8}   (seconds, {args.repeat} rounds)")
    for name in rounds[0]:
        values = [r[name] for r in rounds]
        if name.endswith(COUNTS):
            what = "  messages sent" if name.endswith(":sent") else "  scheduler passes"
            print(f"{what:<38} {statistics.median(values):>8.0f}")
            continue
        print(
            f"{name:<38} {statistics.median(values):>8.3f} {min(values):>8.3f} {max(values):>8.3f}"
        )
    start = max(r["sandbox start (launch -> URL)"] for r in rounds)
    jump = max(r[k] for r in rounds for k in r if k.startswith("jump") and not k.endswith(COUNTS))
    print(f"slowest start {start:.2f} s (target < 60 s): {'met' if start < 60 else 'NOT met'}")
    print(f"slowest jump {jump:.3f} s (target < 1 s): {'met' if jump < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
