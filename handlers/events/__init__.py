from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.events import app_home_opened, dm_reply, roster_upload, user_change


def register(app: App, deps: Deps) -> None:
    app_home_opened.register(app, deps)
    user_change.register(app, deps)
    roster_upload.register(app, deps)  # before dm_reply, whose catch-all acks the rest
    dm_reply.register(app, deps)
