"""Logging set-up. A filter scrubs anything shaped like a Slack token, and the configured
secrets themselves, from every record: its message, the traceback of an exception it
carries and its stack, so a library's debug line (slack_sdk logs requests at DEBUG) or
an exception whose message holds a token cannot leak one."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

TOKEN = re.compile(r"\bx(?:ox[abpre]|app)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    return TOKEN.sub(lambda m: m.group(0)[:5] + "***", text)


class RedactSecrets(logging.Filter):
    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def clean(self, text: str) -> str:
        cleaned = redact(text)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "***")
        return cleaned

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatted here so the handler's formatter prints this cleaned text
            # (`Formatter.format` uses `exc_text` when it is set).
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


def setup_logging(*secrets: str | None, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(*secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic reports every migration step at INFO ("Context impl SQLiteImpl." ...) each
    # time a command checks the schema: noise in ordinary output. Its warnings still show.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))


@contextmanager
def quieted(name: str) -> Iterator[None]:
    """Hold back one logger's records (all levels) for a moment, when the caller reports
    the outcome itself in one line: e.g. slack_sdk logs each failed try of a start-up
    check as an ERROR, and the command then says "cannot reach Slack" anyway."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)
