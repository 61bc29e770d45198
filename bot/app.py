"""Building the Bolt app: thin on purpose. Settings in, listeners registered, app out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse

import handlers
from bot.deps import Deps
from bot.rules import phi
from bot.rules.mrkdwn import escape
from bot.slack.gateway import make_client

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again in "
    "a minute; if it keeps happening, tell your Benchmate admin."
)


class _QuietTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client (ours
    carries the token and our API URL) and then warns the token is unused. It is not:
    drop that one misleading line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


bolt_log = logging.getLogger("slack_bolt")
bolt_log.addFilter(_QuietTokenNotice())


def build_app(
    deps: Deps,
    *,
    verify_token: bool = True,
    executor: Executor | None = None,
    listeners: Callable[[App, Deps], None] = handlers.register,
) -> App:
    """The Bolt app for HTTP or Socket Mode.

    `listeners` registers the listeners; bench/win_latency.py swaps in a trivial one to
    compare against a bare app that is otherwise built exactly like Benchmate.

    `process_before_response=True`: each listener's quick part runs in the request
    thread and the ack goes back as soon as it returns (well under a millisecond of
    framework cost), while anything that calls Slack runs in a lazy listener after it.
    """
    settings = deps.settings
    phi.name_lists()  # read now, not by the first requests (bot/rules/phi.py)
    app = App(
        signing_secret=settings.signing_secret or None,
        client=make_client(settings.bot_token, settings.slack_api_url),
        process_before_response=True,
        # HTTP requests are verified by bot/server.py before Bolt sees them (it answers
        # garbled ones with a 401, not Bolt's 500); Socket Mode needs no signature.
        request_verification_enabled=False,
        token_verification_enabled=verify_token,
        logger=bolt_log,
        # Lazy listeners (the Slack calls after an ack) run on this pool.
        listener_executor=executor or ThreadPoolExecutor(max_workers=8),
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        kind = body.get("type") or body.get("command") or "request"
        log.error("unhandled error in %s listener: %r", kind, error, exc_info=error)
        if body.get("command"):
            # Slack would show its own cryptic "failed with the error" line: say it kindly,
            # and give back what they typed so nothing is lost.
            typed = str(body.get("text") or "").strip()
            echo = f"\nWhat you typed: `{body['command']} {escape(typed)}`" if typed else ""
            return BoltResponse(
                status=200,
                body=json.dumps({"response_type": "ephemeral", "text": SORRY + echo}),
                headers={"content-type": "application/json"},
            )
        return None  # a 500: Slack keeps a form open, so nothing typed is lost

    listeners(app, deps)
    return app
