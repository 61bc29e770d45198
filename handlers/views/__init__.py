from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.views import (
    credentials,
    goal_modal,
    goal_retarget,
    meetings,
    mentor_profile,
    prefs_modal,
    program_announce,
    program_import,
    program_match,
    program_settings,
    survey,
    win_modal,
)


def register(app: App, deps: Deps) -> None:
    win_modal.register(app, deps)
    credentials.register(app, deps)
    goal_modal.register(app, deps)
    program_import.register(app, deps)
    program_match.register(app, deps)
    mentor_profile.register(app, deps)
    prefs_modal.register(app, deps)
    goal_retarget.register(app, deps)
    meetings.register(app, deps)
    program_announce.register(app, deps)
    program_settings.register(app, deps)
    survey.register(app, deps)
