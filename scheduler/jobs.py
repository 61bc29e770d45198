"""The jobs every pass runs, in order. Append new timed jobs here."""

from __future__ import annotations

from scheduler.base import Job
from scheduler.weekly_prompts import weekly_prompts

JOBS: list[Job] = [weekly_prompts]
