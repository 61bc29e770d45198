"""The real Benchmate, as child processes of the sandbox: `benchmate serve` (waitress,
signed requests) and a scheduler worker running the real pass (`sandbox/ticker.py`).

Both get ordinary configuration only: a generated bot token and signing secret,
`SLACK_API_URL` pointing at the stand-in, a SQLite file in the sandbox folder,
the coordinator in `BENCHMATE_COORDINATORS`, and `BENCHMATE_CLOCK_FILE`, the file
holding the simulated instant.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from slack_sdk.signature import SignatureVerifier

PROJECT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"Benchmate listening on http://[\d.]+:(\d+)/slack/events")
START_SECONDS = 60.0


@dataclass(frozen=True)
class Config:
    folder: Path
    api_url: str
    token: str
    secret: str
    coordinators: str

    @property
    def clock_file(self) -> Path:
        return self.folder / "clock"

    @property
    def database(self) -> Path:
        return self.folder / "benchmate.db"

    def environ(self) -> dict[str, str]:
        """The parent's environment without any Slack or Benchmate setting (a developer's
        real token must never reach the sandbox), plus the sandbox's own."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "BENCHMATE_")) and k not in ("DATABASE_URL", "PORT")
        }
        env.update(
            SLACK_BOT_TOKEN=self.token,
            SLACK_SIGNING_SECRET=self.secret,
            SLACK_API_URL=self.api_url,
            DATABASE_URL=f"sqlite:///{self.database}",
            BENCHMATE_COORDINATORS=self.coordinators,
            BENCHMATE_CLOCK_FILE=str(self.clock_file),
            PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH")) if p),
            PYTHONUNBUFFERED="1",
        )
        return env


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the sandbox dies without stopping it (kill -9),
    so no `benchmate serve` is left running on its own. The signal comes when the
    *thread* that started the child ends, so children are started on one long-lived
    thread (`SPAWNER`), never on a request's thread."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# preexec_fn exists on POSIX only (Windows has no fork).
PREEXEC = _die_with_parent if sys.platform.startswith("linux") else None
SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")


def spawn(args: list[str], **options: Any) -> subprocess.Popen[Any]:
    return SPAWNER.submit(subprocess.Popen, args, preexec_fn=PREEXEC, **options).result()


class Benchmate:
    """`benchmate serve` on a free loopback port, plus the scheduler worker."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.log_path = config.folder / "benchmate.log"
        self.serve: subprocess.Popen[bytes] | None = None
        self.ticker: subprocess.Popen[str] | None = None
        self.url = ""
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        cwd = self.config.folder  # so no developer's .env is read
        self.serve = spawn(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            cwd=cwd,
            env=self.config.environ(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.ticker = spawn(
            [sys.executable, "-m", "sandbox.ticker"],
            cwd=cwd,
            env=self.config.environ(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        port = self._wait_for_port()
        self.url = f"http://127.0.0.1:{port}/slack/events"
        # The worker says "ready" once imported and connected.
        self._read_ticker()

    def _wait_for_port(self) -> int:
        assert self.serve is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            found = LISTENING.search(self.log_path.read_text(errors="replace"))
            if found:
                return int(found.group(1))
            if self.serve.poll() is not None:
                raise RuntimeError(f"benchmate serve stopped at start-up:\n{self.log_tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"benchmate serve did not start in {START_SECONDS:.0f} s")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def tick(self) -> dict[str, Any]:
        """One real scheduler pass at the simulated instant (the clock file)."""
        assert self.ticker is not None and self.ticker.stdin is not None
        self.ticker.stdin.write("tick\n")
        self.ticker.stdin.flush()
        return self._read_ticker()

    def _read_ticker(self) -> dict[str, Any]:
        assert self.ticker is not None and self.ticker.stdout is not None
        line = self.ticker.stdout.readline()
        if not line:
            raise RuntimeError(f"the scheduler worker stopped:\n{self.log_tail()}")
        return json.loads(line)

    def stop(self) -> None:
        """SIGTERM: serve writes its queued wins and exits the ordinary way."""
        for process in (self.ticker, self.serve):
            if process is None or process.poll() is not None:
                continue
            if process is self.ticker and process.stdin:
                process.stdin.close()
            process.terminate()
        for process in (self.ticker, self.serve):
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log:
            self._log.close()
            self._log = None

    # --- requests as Slack sends them -------------------------------------------------
    def send(self, body: bytes, content_type: str) -> tuple[int, bytes]:
        """POST a signed request to /slack/events; returns (status, body)."""
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(self.config.secret).generate_signature(
            timestamp=timestamp, body=body
        )
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
