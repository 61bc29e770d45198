"""Running a pass: once (`benchmate tick`), every minute in its own process
(`benchmate clock`), or beside Socket Mode (`benchmate socket`)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.deps import Deps
from bot.slack.gateway import SlackGateway, make_client
from scheduler.base import Job, Sent
from scheduler.jobs import JOBS

log = logging.getLogger(__name__)
# APScheduler logs every run at INFO; a pass a minute would flood the log.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

PASS_SECONDS = 60


def scheduler_gateway(deps: Deps) -> SlackGateway:
    """A gateway whose client does not retry by itself: deliveries wait out 429s
    together and retry 5xx themselves, and the ledger records the outcome."""
    settings = deps.settings
    return SlackGateway(make_client(settings.bot_token, settings.slack_api_url, retries=0))


def run_pass(
    deps: Deps,
    gateway: SlackGateway,
    now: datetime,
    *,
    dry_run: bool = False,
    jobs: Sequence[Job] = JOBS,
) -> list[Sent]:
    """Every job once at `now`. A job that raises is logged; the others still run."""
    lines: list[Sent] = []
    for job in jobs:
        try:
            lines += job(deps, gateway, now, dry_run=dry_run)
        except Exception:
            log.exception("scheduler job %s failed", getattr(job, "__name__", job))
    return lines


def summary(lines: Sequence[Sent]) -> str:
    counts = Counter(line.status for line in lines)
    if not counts:
        return "nothing due"
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _tick(deps: Deps, gateway: SlackGateway) -> None:
    lines = run_pass(deps, gateway, deps.clock.now())
    for line in lines:
        log.info("%s", line)
    if lines:
        log.info("pass done: %s", summary(lines))


def schedule_passes(scheduler: BaseScheduler, deps: Deps) -> BaseScheduler:
    gateway = scheduler_gateway(deps)
    scheduler.add_job(
        _tick,
        "interval",
        seconds=PASS_SECONDS,
        args=(deps, gateway),
        id="benchmate-pass",
        next_run_time=deps.clock.now(),  # a first pass at start-up: catch up at once
    )
    return scheduler


# One pass a minute; a pass that overruns is not started twice, and runs missed while
# the process was busy collapse into one (the ledger makes late passes safe anyway).
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def clock(deps: Deps) -> BlockingScheduler:
    """The clock process (Procfile `clock`): blocks, a pass every minute."""
    scheduler = BlockingScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS)
    schedule_passes(scheduler, deps)
    return scheduler


def background(deps: Deps) -> BackgroundScheduler:
    """The same passes on a thread, beside Socket Mode in one process."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS, daemon=True)
    schedule_passes(scheduler, deps)
    return scheduler
