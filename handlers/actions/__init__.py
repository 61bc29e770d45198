from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.actions import (
    credentials,
    drafts,
    goal_review,
    goals,
    home,
    meetings,
    prompts,
    roster_upload,
    surveys,
    unknown,
    wins,
)


def register(app: App, deps: Deps) -> None:
    wins.register(app, deps)
    credentials.register(app, deps)
    drafts.register(app, deps)
    goals.register(app, deps)
    home.register(app, deps)
    prompts.register(app, deps)
    goal_review.register(app, deps)
    meetings.register(app, deps)
    roster_upload.register(app, deps)
    surveys.register(app, deps)
    unknown.register(app, deps)  # last: the catch-all
