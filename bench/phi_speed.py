"""How long the patient-data guard takes per text: p50/p99 on 4,000-character texts and
on typical short wins, for this guard and (as the baseline, in the same run) the guard
of another git revision.

    .venv/bin/python bench/phi_speed.py [--texts 400] [--repeat 5] [--baseline main]

Texts are built from the shipped corpus (tests/phi_corpus/corpus.tsv), seeded:
- "long": corpus texts joined until 4,000 characters (names, numbers, dates, labels);
- "dense": 4,000 characters of capitalised words and numbers only (names, eponyms,
  vendors, IDs): the worst case for the name rule;
- "short": one corpus text each (the `/win` path).
The guard gets the corpus's members directory as colleagues. Target: < 2 ms p99 on
4,000 characters. The machine is shared: repeat and compare with the baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.rules import phi_corpus  # noqa: E402
from bot.rules.phi import Guard  # noqa: E402

CORPUS = ROOT / "tests" / "phi_corpus"
SIZE = 4000


def texts(kind: str, count: int, rng: random.Random) -> list[str]:
    examples = [e.text for e in phi_corpus.parse_corpus((CORPUS / "corpus.tsv").read_text())]
    if kind == "short":
        return [rng.choice(examples) for _ in range(count)]
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < SIZE:
            if kind == "long":
                parts.append(rng.choice(examples) + rng.choice([".", "!", "", ";"]))
            else:
                words = [
                    w for w in rng.choice(examples).split() if w[:1].isupper() or w[:1].isdigit()
                ]
                parts.append(" ".join(words or ["Maria", "Lopez", "00458213"]))
        out.append(" ".join(parts)[:SIZE])
    return out


def _git_show(ref: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def baseline_guard(ref: str, members: list[str]) -> Callable[[str], object] | None:
    """The guard at git revision `ref` (with its own name lists, and the same colleagues
    when it knows colleagues), or None when it is not there."""
    try:
        source = _git_show(ref, "bot/rules/phi.py")
        data = subprocess.run(
            ["git", "ls-tree", "--name-only", ref, "bot/rules/phi_data/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        lists = {Path(name).name: _git_show(ref, name) for name in data}
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "phi_baseline.py"
    path.write_text(source)
    (path.parent / "phi_data").mkdir()
    for name, text in lists.items():
        (path.parent / "phi_data" / name).write_text(text)
    spec = importlib.util.spec_from_file_location("phi_baseline", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["phi_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    if hasattr(module, "Guard") and hasattr(module.Guard, "with_colleagues"):
        return module.Guard().with_colleagues(members).find  # type: ignore[no-any-return]
    return module.find_phi  # type: ignore[no-any-return]


def measure(
    find: Callable[[str], object], samples: list[str], repeat: int
) -> tuple[list[float], list[float]]:
    """Milliseconds per call, wall-clock and this thread's CPU time, each text timed
    `repeat` times. On a busy shared machine the wall clock also counts the time other
    processes held the core; the CPU time is what the guard itself costs."""
    wall, cpu = [], []
    for _ in range(repeat):
        for text in samples:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            find(text)
            cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
            wall.append((time.perf_counter_ns() - start) / 1e6)
    return wall, cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", default="main", help="git revision of the baseline guard")
    args = parser.parse_args()

    members = phi_corpus.parse_members((CORPUS / "members.txt").read_text())
    guard = Guard().with_colleagues(members)
    guard.find("warm up: Maria Lopez MRN 00458213")  # loads the name lists once
    old = baseline_guard(args.baseline, members)
    if old is not None:
        old("warm up: Maria Lopez MRN 00458213")
    rng = random.Random(8)
    print(f"{args.texts} texts x {args.repeat} repeats per set; milliseconds per text")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'set':<7} {'guard':<16} {'p50':>7} {'p99':>7} {'max':>7} {'mean':>7}"
        f"   {'cpu p50':>7} {'cpu p99':>7}"
    )
    for kind in ("long", "dense", "short"):
        samples = texts(kind, args.texts, rng)
        runs = [("this guard", guard.find)]
        if old is not None:
            runs.append((f"{args.baseline} (old)", old))
        for label, find in runs:
            wall, cpu = measure(find, samples, args.repeat)
            print(
                f"{kind:<7} {label:<16} {pct(wall, 0.5):7.3f} {pct(wall, 0.99):7.3f}"
                f" {max(wall):7.3f} {statistics.fmean(wall):7.3f}"
                f"   {pct(cpu, 0.5):7.3f} {pct(cpu, 0.99):7.3f}"
            )


if __name__ == "__main__":
    main()
