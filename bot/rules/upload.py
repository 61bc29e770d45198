"""A roster file shared in Slack: whether to fetch it, and how to tell the result.

Pure: Slack's file object (or the downloaded bytes) in, a decision or text out. The
download and the import itself happen in bot/usecases/roster_upload.py.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.rules.mrkdwn import escape
from bot.rules.payloads import whole_number

# A 5,000-row roster with every column filled is well under 1 MB; 2 MB leaves room for
# long interest lists and still bounds what one upload holds in memory.
MAX_BYTES = 2 * 1024 * 1024
# The problems listed in the DM message itself; all of them go in the attached report.
SHOWN_PROBLEMS = 20

SAVE_AS_CSV = (
    "Save the spreadsheet as CSV (in Excel: File → Save As → “CSV UTF-8”) and upload that."
)


_FILE_ID = re.compile(r"F[A-Z0-9]{1,30}")


def program_choice(value: object) -> tuple[str, int] | None:
    """(file id, program id) from a "which program?" button's value; None when it is
    not one Benchmate made (the caller still checks the program and who clicked)."""
    text = str(value)
    if len(text) > 200:  # Benchmate's are ~40 characters; deep nesting would recurse
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    file_id, program_id = data.get("file"), whole_number(data.get("program"))
    if not isinstance(file_id, str) or not _FILE_ID.fullmatch(file_id) or program_id is None:
        return None
    return file_id, program_id


def is_csv(file: dict[str, Any]) -> bool:
    """Slack's `filetype` for a .csv file is "csv"; some clients send it as plain text."""
    name = str(file.get("name") or "").lower()
    return file.get("filetype") == "csv" or name.endswith(".csv")


def refusal(file: dict[str, Any], *, max_bytes: int = MAX_BYTES) -> str | None:
    """Why this shared file is not fetched at all, or None when it may be."""
    name = inert(str(file.get("name") or "that file"))
    if file.get("mode") in ("external", "tombstone") or file.get("is_external"):
        return f"*{name}* is not stored in Slack, so Benchmate cannot read it. {SAVE_AS_CSV}"
    if not is_csv(file):
        kind = inert(str(file.get("pretty_type") or file.get("filetype") or "another kind"))
        return f"*{name}* is {kind}, not a CSV file. {SAVE_AS_CSV}"
    size = file.get("size")
    if isinstance(size, int) and size > max_bytes:
        return (
            f"*{name}* is {megabytes(size)}; a roster file can be at most "
            f"{megabytes(max_bytes)}. Split it in two and upload each part."
        )
    return None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def decode(data: bytes, name: str) -> tuple[str | None, str | None]:
    """The file's text (UTF-8, with or without Excel's byte-order mark), or why not."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, f"*{inert(name)}* is not UTF-8 text. {SAVE_AS_CSV}"


def inert(text: str) -> str:
    """A file name (chosen by a person) shown in mrkdwn: no mention, link or markup."""
    for char in "*_~`":  # would end the bold around it early
        text = text.replace(char, " ")
    return escape(text)


def trusted_download_url(url: str, api_url: str) -> bool:
    """The bot token goes only to Slack: https on slack.com (files.slack.com), or the
    host the Web API is configured on (SLACK_API_URL: a proxy, GovSlack, a test stand-in)."""
    parts, api = urlsplit(url), urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(host) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def cli_report(problems: list[str]) -> str:
    """The problems exactly as `benchmate roster import` prints them (to stderr)."""
    return "\n".join([*problems, f"nothing imported: {len(problems)} problem(s)"]) + "\n"


def inert_code(text: str) -> str:
    """Text for inside a ``` block: Slack shows &amp; &lt; &gt; as & < >, and a backtick
    could close the block early."""
    return escape(text.replace("`", "'"))
