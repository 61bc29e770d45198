"""Credentials in the sandbox (the local Slack stand-in, the real `benchmate serve` and
scheduler behind it): add a credential from `/mentor credentials`, record a `/win` as a
CE credit in one click, and get the lapse-prevention reminders once each as the clock
moves."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from typing import Any

from sandbox.server import Sandbox
from tests.test_sandbox import BEN, PRIYA, SOFIA, Json, Page, bot_messages, page, running, stamp

__all__ = ["page", "running"]  # the sandbox fixtures, shared with tests/test_sandbox.py


def click(page: Page, member: str, message: Json, action_id: str) -> Json:
    block = next(
        b
        for b in message["blocks"]
        if any(
            e.get("action_id") == action_id
            for e in [*b.get("elements", []), b.get("accessory") or {}]
        )
    )
    return page.post(
        "/sandbox/action",
        {
            "member": member,
            "container": {"type": "message", "channel": message["channel"], "ts": message["ts"]},
            "action_id": action_id,
            "block_id": block["block_id"],
        },
    )


def select(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def add_credential(page: Page, member: str, code: str, cycle_end: str) -> None:
    answer = page.command(member, "/mentor", "credentials")
    assert answer["status"] == 200 and "No credential yet" in json.dumps(answer["response"])
    listed = page.wait_for(member, lambda s: bot_messages(s, "Your credentials"))[-1]
    assert click(page, member, listed, "credential_add")["status"] == 200
    form = page.modal(member, "credential_modal")
    saved = page.post(
        "/sandbox/submit",
        {
            "member": member,
            "view_id": form["id"],
            "values": {
                "code": select(code),
                "number": {"value": {"type": "plain_text_input", "value": "123456"}},
                "cycle_end": {"value": {"type": "datepicker", "selected_date": cycle_end}},
            },
        },
    )
    assert saved["status"] == 200 and saved["response"]["response_action"] == "update"


def test_credentials_in_the_sandbox(page: Page, running: Sandbox) -> None:
    add_credential(page, BEN, "MLS", "2027-06-30")

    page.command(BEN, "/win", "finished the 2-hour blood bank safety course (P.A.C.E.)")
    logged = page.wait_for(BEN, lambda s: bot_messages(s, "Logged", "D0BEN"))[-1]
    assert "Record as CE credit" in json.dumps(logged["blocks"])
    assert click(page, BEN, logged, "ce_credit_from_win")["status"] == 200
    page.wait_for(BEN, lambda s: bot_messages(s, "Recorded as a CE credit: 2 point(s)"))
    shown = json.dumps(page.command(BEN, "/mentor", "credentials")["response"])
    assert "Earned 2 of 36 points" in shown and "Blood banking: 1 of 2" in shown

    # Seven months before the end: the 12-month reminder is the one due, once.
    page.post("/sandbox/clock", {"plus": {"days": 1}})
    page.post("/sandbox/clock", {"plus": {"days": 1}})
    twelve = bot_messages(page.state(BEN), "cycle ends in about 12 months", "D0BEN")
    assert len(twelve) == 1 and "Still missing" in json.dumps(twelve[0]["blocks"])
    page.post("/sandbox/clock", {"to": "2027-01-02T00:00:00Z"})
    ben = page.state(BEN)
    assert len(bot_messages(ben, "cycle ends in about 6 months", "D0BEN")) == 1
    assert len(bot_messages(ben, "cycle ends in about", "D0BEN")) == 2
    assert page.request("/sandbox/export")[1]["violations"] == []


def test_the_seeded_credentials_reminder_comes_at_its_own_due_time(page: Page) -> None:
    """Priya's SBB cycle ends 12 months and 10 days after the start: "+2 weeks" runs a
    pass at her 12-month reminder's own instant (14:00 in New York on 10 December)."""
    seeded = json.dumps(page.command(PRIYA, "/mentor", "credentials")["response"])
    assert "Specialist in Blood Banking" in seeded and "Dec 10, 2027" in seeded
    assert not bot_messages(page.state(PRIYA), "cycle ends in about", "D0PRIYA")
    jumped = page.post("/sandbox/clock", {"plus": {"weeks": 2}})
    assert "2026-12-10T19:00:00Z" in jumped["ran_at"]
    [reminder] = bot_messages(page.state(PRIYA), "cycle ends in about 12 months", "D0PRIYA")
    assert stamp(reminder) == datetime(2026, 12, 10, 19, tzinfo=UTC)
    assert page.request("/sandbox/export")[1]["violations"] == []


def test_all_met_brings_the_transcript_files_with_download_links(
    page: Page, running: Sandbox
) -> None:
    """Benchmate uploads the transcript (files.getUploadURLExternal, the bytes, then
    files.completeUploadExternal into the DM): the DM shows both files, and each
    downloads from the page's link and, with the bot token, from url_private_download."""
    add_credential(page, SOFIA, "PBT", "2027-06-30")
    page.command(
        SOFIA, "/win", "finished the 9-hour phlebotomy safety and ethics course (P.A.C.E.)"
    )
    logged = page.wait_for(SOFIA, lambda s: bot_messages(s, "Logged", "D0SOFIA"))[-1]
    assert click(page, SOFIA, logged, "ce_credit_from_win")["status"] == 200
    page.wait_for(SOFIA, lambda s: bot_messages(s, "Recorded as a CE credit: 9 point(s)"))

    # A day on: the "all met" DM and its transcript went at 14:00 in Los Angeles, that
    # day's prompt time (a pass ran at that instant), not at the next pass.
    jumped = page.post("/sandbox/clock", {"plus": {"days": 1}})
    assert "2026-11-30T22:00:00Z" in jumped["ran_at"]
    sofia = page.state(SOFIA)
    [met] = bot_messages(sofia, "Your PBT requirements are met", "D0SOFIA")
    [shared] = [m for m in sofia["messages"] if m["files"] and m["channel"] == "D0SOFIA"]
    assert stamp(met) == stamp(shared) == datetime(2026, 11, 30, 22, tzinfo=UTC)
    names = sorted(f["name"] for f in shared["files"])
    assert [re.sub(r"-c\d+\.", ".", n) for n in names] == [
        "ce-transcript-PBT-2027-06-30.csv",
        "ce-transcript-PBT-2027-06-30.md",
    ]
    csv = next(f for f in shared["files"] if f["name"].endswith(".csv"))
    with urllib.request.urlopen(running.url + csv["url"], timeout=10) as answer:
        table = answer.read().decode()
    assert "phlebotomy safety and ethics course" in table
    request = urllib.request.Request(
        csv["url_private_download"],
        headers={"Authorization": f"Bearer {running.workspace.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.read().decode() == table
    assert {f["name"] for f in sofia["files"]} >= set(names)  # the sidebar's list
    assert page.request("/sandbox/export")[1]["violations"] == []
