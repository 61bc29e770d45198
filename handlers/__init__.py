"""Bolt listeners, grouped by Slack feature. Each package has `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import actions, commands, events, middleware, shortcuts, views


def register(app: App, deps: Deps) -> None:
    middleware.register(app, deps)  # first: it runs before every listener
    commands.register(app, deps)
    shortcuts.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    # Last: its catch-all answers buttons no other listener knows.
    actions.register(app, deps)
