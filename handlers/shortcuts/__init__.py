from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.shortcuts import log_as_win


def register(app: App, deps: Deps) -> None:
    log_as_win.register(app, deps)
