"""`benchmate serve` as its own process, on a port the operating system picks.

Tests used to pick a free port, close it and pass it to `serve`; between the two, any
outgoing connection on this machine could take it ("Address already in use", seen in
CI). Now `serve` binds port 0 itself and the port is read from the line it prints.
"""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LISTENING = re.compile(r"Benchmate listening on http://[\d.]+:(\d+)/slack/events")


@dataclass
class Served:
    """One `benchmate serve` process, the port it bound and every line it printed."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    port: int = 0

    @classmethod
    def start(cls, command: list[str], env: dict[str, str], cwd: Path) -> Served:
        """Start `command` (ending in `serve`); it listens on 127.0.0.1, port 0."""
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", "0"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = cls(process)

        def read() -> None:  # drained always, so a chatty process never blocks on a pipe
            assert process.stdout is not None
            for line in process.stdout:
                served.lines.put(line)
            served.lines.put("")  # the process ended

        threading.Thread(target=read, daemon=True).start()
        return served

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_listening(self, timeout: float = 60) -> int:
        """Until it printed "listening on" (its socket is bound then); its port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if match := LISTENING.search(line):
                self.port = int(match.group(1))
                return self.port
            if line == "":
                self.lines.put("")  # the end, for output() and stop() too
                break
        raise AssertionError("serve did not come up:\n" + "".join(self.seen))

    def output(self, timeout: float = 30) -> str:
        """Everything it printed; waits for the process to end first."""
        self.process.wait(timeout=timeout)
        while (line := self.lines.get(timeout=timeout)) != "":
            self.seen.append(line)
        self.lines.put("")  # a second call finds the end again
        return "".join(self.seen)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no handler, no exit code runs
        self.process.wait(timeout=10)

    def stop(self) -> str:
        """SIGTERM, then everything it printed."""
        self.process.terminate()
        return self.output()
