"""Logging set-up. A filter scrubs anything shaped like a Slack token from every record,
so a library's debug line (slack_sdk logs request headers at DEBUG) cannot leak one."""

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

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "***")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(*secrets: str | None, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(*secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
