from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.commands import goal, mentor, program, win


def register(app: App, deps: Deps) -> None:
    win.register(app, deps)
    goal.register(app, deps)
    program.register(app, deps)
    mentor.register(app, deps)
