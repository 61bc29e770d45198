"""A roster CSV shared with Benchmate in Slack (the app DM, or the import form's file
field): fetch it with the bot token, then import it exactly as `benchmate roster
import` does (bot/usecases/roster.py: every row checked, all rows or none) and answer
in the coordinator's DM with the CLI's own per-line report.

Who may import is checked by the caller, before anything is downloaded.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from bot.deps import Deps
from bot.rules import upload
from bot.slack.gateway import SlackGateway, in_words, make_client
from bot.usecases.roster import ImportReport, import_roster

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 30  # seconds; a 2 MB file from Slack takes well under one
# Each of a large roster's look-ups waits out Slack's 429s (Retry-After) this many
# times before its row is reported as not checked.
LOOKUP_RATE_LIMIT_RETRIES = 20


class DownloadFailed(Exception):
    """Why the file could not be fetched, in words for the coordinator."""


@dataclass(frozen=True)
class Upload:
    """Where the answer goes, and what to fetch with which token."""

    team_id: str
    user_id: str
    file: dict[str, Any]
    token: str
    api_url: str
    program_id: int | None = None  # the import form's program; None: the team's `main`
    # Named by a button click (a value can be forged): only a file its clicker shared.
    sharer_only: bool = False


def patient_gateway(client: WebClient) -> SlackGateway:
    """Bolt's client, but patient with rate limits: thousands of look-ups in a row."""
    return SlackGateway(
        make_client(client.token, client.base_url, rate_limit_retries=LOOKUP_RATE_LIMIT_RETRIES)
    )


def upload_job(
    team_id: str,
    user_id: str,
    file: dict[str, Any],
    client: WebClient,
    program_id: int | None = None,
    *,
    sharer_only: bool = False,
) -> Upload:
    return Upload(
        team_id, user_id, file, str(client.token), str(client.base_url), program_id, sharer_only
    )


def download(url: str, token: str, *, max_bytes: int, timeout: float = DOWNLOAD_TIMEOUT) -> bytes:
    """The file's bytes (at most `max_bytes`), fetched with the bot token."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            # Without a token Slack still answers 200, with its sign-in page.
            if response.headers.get_content_type() == "text/html":
                raise DownloadFailed(
                    "Slack sent its sign-in page instead of the file (Benchmate needs the "
                    "files:read permission: reinstall the app from manifest.yml)"
                )
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"Slack answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadFailed(f"Slack could not be reached ({reason})") from None
    except ValueError:  # http.client.InvalidURL: not a URL Slack would send
        raise DownloadFailed("its address is not a valid URL") from None
    if len(data) > max_bytes:
        raise DownloadFailed(
            f"it is over {upload.megabytes(max_bytes)}: split it in two and upload each part"
        )
    return data


def refuse_non_coordinator(gateway: SlackGateway, user_id: str) -> None:
    gateway.dm(
        user_id,
        "Benchmate reads files here only to import the mentorship program's roster, which "
        "program coordinators do. Your file was not opened. To log a win, type it here "
        "or use `/win`.",
    )


def import_upload(
    deps: Deps, gateway: SlackGateway, job: Upload, *, max_bytes: int = upload.MAX_BYTES
) -> ImportReport | None:
    """Fetch, check and import one shared roster file, answering in the sharer's DM.
    Returns the import's report, or None when the file was refused or not fetched."""
    file = job.file
    if not file.get("url_private_download") and file.get("id"):
        try:  # some events carry only the file's id
            file = {**file, **gateway.file_info(str(file["id"]))}
        except SlackApiError as exc:
            gateway.dm(job.user_id, f"Benchmate could not see that file: {in_words(exc)}.")
            return None
    if job.sharer_only and file.get("user") != job.user_id:
        log.warning("%s chose a program for a file they did not share", job.user_id)
        gateway.dm(job.user_id, ":warning: Nothing imported: that is not a file you shared.")
        return None
    name = str(file.get("name") or "roster.csv")
    shown = upload.inert(name)
    if why := upload.refusal(file, max_bytes=max_bytes):
        gateway.dm(job.user_id, f":warning: Nothing imported. {why}")
        return None
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not upload.trusted_download_url(url, job.api_url):
        log.warning("not sending the bot token to %s (not Slack)", url.split("/")[2:3])
        gateway.dm(job.user_id, f":warning: Nothing imported: *{shown}* is not a Slack file.")
        return None
    try:
        data = download(url, job.token, max_bytes=max_bytes)
    except DownloadFailed as exc:
        log.warning("roster download failed: %s", exc)
        gateway.dm(
            job.user_id,
            f":warning: Nothing imported: Benchmate could not fetch *{shown}* from Slack: "
            f"{upload.inert(str(exc))}. Upload it again in a moment.",
        )
        return None
    text, why = upload.decode(data, name)
    if text is None:
        gateway.dm(job.user_id, f":warning: Nothing imported. {why}")
        return None
    gateway.dm(
        job.user_id,
        f":hourglass: Reading *{shown}*: checking every row, and every person with Slack. "
        "A large roster takes a few minutes; the result comes here.",
    )
    try:
        report = import_roster(
            deps.db,
            gateway,
            team_id=job.team_id,
            text=text,
            actor=job.user_id,
            now=deps.clock.now(),
            program_id=job.program_id,
        )
    except OSError as exc:  # Slack went away mid-lookup; nothing was written yet
        gateway.dm(
            job.user_id,
            f":warning: Nothing imported: lost the connection to Slack while checking people "
            f"({upload.inert(str(exc))}). Upload *{shown}* again in a moment.",
        )
        return None
    except DBAPIError:  # the one transaction rolled back: still nothing imported
        log.exception("roster import from %s failed in the database", job.user_id)
        gateway.dm(
            job.user_id,
            f":warning: Nothing imported: Benchmate's database did not answer. Upload *{shown}* "
            "again in a few minutes.",
        )
        return None
    answer(gateway, job.user_id, name, report)
    return report


def answer(gateway: SlackGateway, user_id: str, name: str, report: ImportReport) -> None:
    shown = upload.inert(name)
    if report.ok:
        gateway.dm(
            user_id,
            f":white_check_mark: *{shown}*: imported {report.added + report.updated} people: "
            f"{report.added} new, {report.updated} updated.",
        )
        return
    full = upload.cli_report(report.problems)
    lines = full.splitlines()
    listed = lines[: upload.SHOWN_PROBLEMS]
    body = "\n".join(listed)
    if len(lines) > len(listed):  # the summary line is always the last one
        body += f"\n…\n{lines[-1]}"
    text = (
        f":warning: *{shown}*: nothing imported. Fix these rows and upload the file again:\n"
        f"```{upload.inert_code(body)}```"
    )
    if len(lines) <= len(listed):
        gateway.dm(user_id, text)
        return
    text += f"\nEvery problem is in the attached file ({len(report.problems)} in all)."
    stem = name.rsplit(".", 1)[0] or "roster"
    try:
        gateway.upload_to_dm(user_id, [(f"{stem}-problems.txt", "Roster problems", full)], text)
    except SlackApiError as exc:
        log.warning("could not attach the roster report: %s", in_words(exc))
        gateway.dm(user_id, text + f"\n(The file could not be attached: {in_words(exc)}.)")
