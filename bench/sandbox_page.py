"""How fast the sandbox page shows a clock jump with the demo lab, in headless Chromium.

    .venv/bin/python bench/sandbox_page.py [--repeat 5]

Needs Debian's chromium (`make browser`). Starts the sandbox in-process (the stand-in,
the real Benchmate behind it, the seeded lab), opens the page as the coordinator, then
per round:
- "+1 day" and "+2 weeks" clicked -> the page shows the new time and every message sent
  (click to screen: the jump on the server, which runs the real scheduler passes, plus
  the page's fetch and render), with the server's own figure for the jump beside it;
- switching member -> that member's whole DM fetched and rendered from scratch (the
  page's heaviest render), and the same switch with the coordinator's long history;
- a long DM: Lena logs --wins wins (200 answers in her DM), and switching to her
  fetches and draws them all;
- baseline: a poll with nothing new (fetch + apply of an empty change).
Target (issue 10): a clock jump renders in under a second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from sandbox.server import Sandbox

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CHROMIUM = "/usr/bin/chromium"


def post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{url}/sandbox/command",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()


def latest_seq(url: str, member: str) -> int:
    with urllib.request.urlopen(f"{url}/sandbox/state?member={member}&since=0") as answer:
        return int(json.loads(answer.read())["seq"])


def shown(page: Any, seq: int) -> None:
    page.wait_for_function("(seq) => Sandbox.state.since >= seq", arg=seq, timeout=60_000)


def close_modals(page: Any) -> None:
    """The seed can leave a member's last form open (its confirmation): Escape closes it."""
    page.wait_for_timeout(700)
    while page.evaluate("() => document.querySelector('dialog#modal').open"):
        page.keyboard.press("Escape")
        page.wait_for_timeout(700)


def jump(page: Any, url: str, member: str, button: str) -> tuple[float, float]:
    """Seconds from the click to the page showing it all, and the server's jump time."""
    began = time.perf_counter()
    with page.expect_response("**/sandbox/clock") as response:
        page.get_by_role("button", name=button).click()
    server = float(response.value.json()["seconds"])
    shown(page, latest_seq(url, member))
    page.wait_for_function("() => !document.querySelector('#now').textContent.includes('…')")
    return time.perf_counter() - began, server


def switch(page: Any, url: str, member: str) -> float:
    began = time.perf_counter()
    page.get_by_label("You are").select_option(member)
    shown(page, latest_seq(url, member))
    return time.perf_counter() - began


def idle_poll(page: Any) -> float:
    began = time.perf_counter()
    page.evaluate("() => Sandbox.refresh()")
    page.wait_for_function("() => true")
    return time.perf_counter() - began


def line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<48} median {statistics.median(ms):7.0f} ms   "
        f"min {min(ms):7.0f}   max {max(ms):7.0f}   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--wins", type=int, default=200, help="wins Lena logs for the long DM")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        box = Sandbox(Path(folder) / "sandbox", port=0, start=START)
        box.start()
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{box.url}/?member=U0DANA")
            shown(page, latest_seq(box.url, "U0DANA"))
            close_modals(page)
            for _ in range(args.repeat):
                for button in ("+1 day", "+2 weeks"):
                    total, server = jump(page, box.url, "U0DANA", button)
                    figures.setdefault(f"{button}: click -> shown (total)", []).append(total)
                    figures.setdefault(f"{button}: the server's jump alone", []).append(server)
                    figures.setdefault(f"{button}: the page's share (total - server)", []).append(
                        total - server
                    )
                for member in ("U0LENA", "U0DANA"):
                    figures.setdefault(f"switch to {member}: fetch + render all", []).append(
                        switch(page, box.url, member)
                    )
                    close_modals(page)
                figures.setdefault("baseline: a poll with nothing new", []).append(idle_poll(page))
            messages = page.locator("#messages > li").count()
            # A long DM: Lena logs many wins (each answered in her DM), then the page
            # fetches and draws it all from scratch on a switch.
            for number in range(args.wins):
                post(box.url, {"member": "U0LENA", "command": "/win", "text": f"Win {number}"})
            page.get_by_label("You are").select_option("U0DANA")
            shown(page, latest_seq(box.url, "U0DANA"))
            for _ in range(args.repeat):
                figures.setdefault("switch to U0LENA, long DM: fetch + render all", []).append(
                    switch(page, box.url, "U0LENA")
                )
                long_dm = page.locator("#messages > li").count()
                switch(page, box.url, "U0DANA")
            browser.close()
        finally:
            box.close()
    print(
        f"sandbox page, headless Chromium, {args.repeat} rounds; {messages} messages in "
        f"Dana's DM; Lena's long DM: {long_dm}"
    )
    for name, values in figures.items():
        print(line(name, values))


if __name__ == "__main__":
    main()
