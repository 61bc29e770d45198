"""The jobs every pass runs, in order. Append new timed jobs here."""

from __future__ import annotations

from scheduler.announcements import announcements
from scheduler.base import Job
from scheduler.credentials import credential_nudges
from scheduler.departures import departures
from scheduler.digest import weekly_digest
from scheduler.directory import workspace_directory
from scheduler.goal_reviews import goal_reviews
from scheduler.housekeeping import prune_events, refresh_profiles
from scheduler.meetings import meeting_nudges
from scheduler.surveys import surveys
from scheduler.weekly_prompts import weekly_prompts

JOBS: list[Job] = [
    refresh_profiles,
    weekly_prompts,
    departures,
    goal_reviews,
    prune_events,
    meeting_nudges,
    announcements,
    surveys,
    weekly_digest,
    credential_nudges,
    workspace_directory,
]
