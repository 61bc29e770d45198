"""The sandbox's scheduler worker: Benchmate's real pass (`scheduler.runner.run_pass`,
what `benchmate tick` and `benchmate clock` run) at the simulated instant, on request.

A child process of the sandbox with Benchmate's own configuration (see
sandbox/benchmate.py). It reads one line per pass on stdin and answers one JSON line on
stdout, so a clock jump costs a pass, not a Python start-up.
"""

from __future__ import annotations

import json
import sys

from bot.cli import deps_for
from bot.config import load_settings
from bot.logs import setup_logging
from scheduler.runner import run_pass, scheduler_gateway, summary


def main() -> int:
    settings = load_settings(env_file=None)
    setup_logging(settings.bot_token, settings.signing_secret, settings.app_token)
    deps = deps_for(settings)
    gateway = scheduler_gateway(deps)
    # stdout carries the answers: anything else printed goes to the log instead.
    out, sys.stdout = sys.stdout, sys.stderr
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    try:
        for line in sys.stdin:
            if line.strip() != "tick":
                continue
            now = deps.clock.now()
            sent = run_pass(deps, gateway, now)
            answer = {
                "now": now.isoformat(),
                "lines": [str(s) for s in sent],
                "summary": summary(sent),
            }
            out.write(json.dumps(answer) + "\n")
            out.flush()
    finally:
        deps.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
