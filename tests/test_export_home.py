"""The Home tab's Export button: a brag document and a CSV, uploaded into the member's DM."""

from __future__ import annotations

import csv
import io

from tests.conftest import Running
from tests.scenario import open_modal


def log_some_wins(bench: Running) -> None:
    bench.client.command("/win", "cut TAT for troponin by 12 minutes")
    bench.client.command("/win")
    bench.client.submit(
        open_modal(bench),
        {
            "text": "Passed my MLS(ASCP) exam",
            "category": "development",
            "occurred_on": "2026-10-03",
        },
    )
    bench.client.command("/win", "Someone else's win, not mine", user="U200")


def test_export_dms_a_brag_document_and_a_csv(bench: Running) -> None:
    log_some_wins(bench)

    reply = bench.client.click("home_export", where="home")

    assert reply.status == 200
    [done] = bench.slack.wait_for("files.completeUploadExternal")
    [opened] = bench.slack.sent("conversations.open")
    assert opened.args["users"] == "U100"
    assert done.args["channel_id"] == "D100"
    assert "brag document" in done.args["initial_comment"]
    asked = {c.args["filename"]: c for c in bench.slack.sent("files.getUploadURLExternal")}
    assert set(asked) == {"wins-2026-11-20.md", "wins-2026-11-20.csv"}
    files = {f["id"]: f["title"] for f in done.args["files"]}
    assert sorted(files.values()) == ["Brag document", "Wins (CSV)"]
    by_title = {title: bench.slack.uploads[file_id].decode() for file_id, title in files.items()}
    for name, call in asked.items():
        assert int(call.args["length"]) == len(
            by_title["Brag document" if name.endswith(".md") else "Wins (CSV)"].encode()
        )

    markdown = by_title["Brag document"]
    assert markdown.startswith("# Brag document: Ada Tech\n")
    development = markdown.index("## Professional development and advancement")
    other = markdown.index("## Other wins")
    assert markdown.index("### October 2026", development) < other
    assert "- Oct 03: Passed my MLS(ASCP) exam" in markdown
    assert markdown.index("### November 2026", other) < markdown.index("cut TAT for troponin")
    assert "Someone else" not in markdown

    rows = list(csv.DictReader(io.StringIO(by_title["Wins (CSV)"])))
    assert [(r["date"], r["win"], r["source"]) for r in rows] == [
        ("2026-10-03", "Passed my MLS(ASCP) exam", "modal"),
        ("2026-11-20", "cut TAT for troponin by 12 minutes", "slash"),
    ]
    assert rows[0]["category"] == "Professional development and advancement"
    assert rows[1]["logged_at"] == "2026-11-20T15:00:00Z"


def test_export_with_nothing_logged_still_sends_a_document(bench: Running) -> None:
    bench.client.click("home_export", where="home")
    [done] = bench.slack.wait_for("files.completeUploadExternal")
    texts = [bench.slack.uploads[f["id"]].decode() for f in done.args["files"]]
    assert any("No wins logged yet." in t for t in texts)


def test_a_failed_export_is_explained_in_a_dm(bench: Running) -> None:
    bench.slack.fail("conversations.open", "missing_scope")
    bench.client.click("home_export", where="home")

    [told] = bench.slack.wait_for("chat.postMessage")
    assert told.args["channel"] == "U100"
    assert "export failed" in told.args["text"] and "lacks a Slack permission" in told.args["text"]
    assert bench.slack.sent("files.completeUploadExternal") == []
