"""Logging set-up. A filter scrubs anything shaped like a Slack token, and the configured
secrets themselves, from every record: its message, the traceback of an exception it
carries and its stack, so a library's debug line (slack_sdk logs requests at DEBUG) or
an exception whose message holds a token cannot leak one."""

from __future__ import annotations

import logging
import re

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
