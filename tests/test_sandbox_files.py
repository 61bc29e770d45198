"""Files in the sandbox: a roster CSV a coordinator attaches in the app DM or in the
`/program import` form reaches the real Benchmate as from Slack (the `file_share`
message event, the view's `file_input` state) and is fetched from the stand-in with the
bot token, which serves it only with that token; what Benchmate uploads shows in the
DM with a download link."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

from sandbox import lab
from sandbox.server import Sandbox
from tests.test_sandbox import DANA, LENA, Json, Page, bot_messages, page, running

__all__ = ["page", "running"]  # the sandbox fixtures, shared with tests/test_sandbox.py

NEW_MENTEE = "U0NOAH"


def attach(page: Page, member: str, name: str, content: str, **where: Any) -> Json:
    body = {
        "member": member,
        "name": name,
        "content_base64": base64.b64encode(content.encode()).decode(),
        **where,
    }
    return page.post("/sandbox/upload", body)


def downloads(page: Page) -> list[Json]:
    return [c for c in page.request("/sandbox/export")[1]["calls"] if c["method"] == "download"]


def roster_with_a_new_mentee(running: Sandbox) -> str:
    """The seeded roster, plus someone new (a person in the workspace, not yet in it)."""
    running.workspace.add_user(NEW_MENTEE, "Noah Kim", "America/Chicago", "noah.kim@lab.org")
    return lab.roster_csv() + f"{NEW_MENTEE},mentee,entry,hematology,,,,,day\n"


def test_a_roster_csv_shared_in_the_app_dm_is_fetched_with_the_token_and_imported(
    page: Page, running: Sandbox
) -> None:
    roster = roster_with_a_new_mentee(running)
    shared = attach(page, DANA, "roster.csv", roster, channel="D0DANA", text="the new roster")
    assert shared["delivered"] and shared["status"] == 200
    # The message as Slack keeps it: the member's, with Slack's file object.
    [file] = shared["message"]["files"]
    assert shared["message"]["user"] == DANA and shared["message"]["text"] == "the new roster"
    assert file["filetype"] == "csv" and file["user"] == DANA and file["ims"] == ["D0DANA"]
    assert file["url_private_download"].startswith(running.url + "/files-pri/")

    done = page.wait_for(DANA, lambda s: bot_messages(s, "*roster.csv*: imported", "D0DANA"))
    assert "imported 10 people: 1 new, 9 updated" in done[-1]["text"]
    [fetched] = downloads(page)
    assert fetched["ok"] and fetched["args"] == {"file": file["id"]}
    export = page.request("/sandbox/export")[1]
    assert export["violations"] == []
    # Without the bot token the stand-in, like Slack, answers with its sign-in page.
    with urllib.request.urlopen(file["url_private_download"], timeout=10) as answer:
        assert answer.headers.get_content_type() == "text/html"
        assert b"user,role" not in answer.read()
    # The page's own link (the person looking at it) serves the bytes.
    assert page_bytes(running, file["url"]) == roster.encode()


def page_bytes(running: Sandbox, path: str) -> bytes:
    with urllib.request.urlopen(running.url + path, timeout=10) as answer:
        return bytes(answer.read())


def test_someone_elses_file_is_not_opened(page: Page) -> None:
    shared = attach(page, LENA, "notes.csv", "user,role\nU0LENA,mentor\n", channel="D0LENA")
    assert shared["delivered"]
    page.wait_for(LENA, lambda s: bot_messages(s, "Your file was not opened", "D0LENA"))
    assert downloads(page) == []


def test_a_file_posted_in_the_program_channel_is_not_sent_to_benchmate(page: Page) -> None:
    shared = attach(page, DANA, "roster.csv", lab.roster_csv(), channel="C0MENTORING")
    assert not shared["delivered"] and shared["status"] is None
    assert [f["name"] for f in page.state(LENA)["files"]] == ["roster.csv"]  # all see it


def test_the_import_forms_file_field_carries_the_uploaded_file(
    page: Page, running: Sandbox
) -> None:
    roster = roster_with_a_new_mentee(running)
    page.command(DANA, "/program", "import")
    form = page.modal(DANA, "program_import_modal")
    # The page uploads a picked file at once, as Slack's client does, and puts the file
    # object in the view's state.
    file = attach(page, DANA, "staff.csv", roster)["file"]
    values = {"csv_file": {"value": {"type": "file_input", "files": [file]}}}
    saved = page.post("/sandbox/submit", {"member": DANA, "view_id": form["id"], "values": values})
    assert saved["status"] == 200 and saved["response"]["response_action"] == "update"
    assert "Reading *staff.csv*" in json.dumps(saved["response"]["view"])
    done = page.wait_for(DANA, lambda s: bot_messages(s, "*staff.csv*: imported", "D0DANA"))
    assert "1 new, 9 updated" in done[-1]["text"]
    assert [c["ok"] for c in downloads(page)] == [True]


def test_a_long_problem_report_comes_as_a_file_with_a_download_link(
    page: Page, running: Sandbox
) -> None:
    bad = lab.roster_csv() + "".join(f"U0X{n:02d},boss,senior,,,,,,\n" for n in range(25))
    attach(page, DANA, "roster.csv", bad, channel="D0DANA")
    [report] = page.wait_for(DANA, lambda s: bot_messages(s, "nothing imported", "D0DANA"))
    [file] = report["files"]
    assert file["name"] == "roster-problems.txt" and file["user"] == "U0BENCHMATE"
    text = page_bytes(running, file["url"]).decode()
    assert "role 'boss' is not one of mentor, mentee, both" in text
    assert text.splitlines()[-1] == "nothing imported: 25 problem(s)"
