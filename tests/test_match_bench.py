"""The `/program match` benchmark still runs (tiny sizes; its figures are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_match_benchmark_times_the_whole_command_and_the_matcher() -> None:
    run = subprocess.run(
        [sys.executable, "bench/match_bench.py", "--mentees", "60", "--mentors", "12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "/program match (load, propose, store, build modal):" in run.stdout
    assert "pure matcher" in run.stdout
    assert "peak traced memory: whole command" in run.stdout
