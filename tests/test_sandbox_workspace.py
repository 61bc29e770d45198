"""The stand-in's Web API rules, method by method (no HTTP: see tests/test_sandbox.py
for the same over the wire)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.spec import IMPLEMENTED_MODE, SLACK_SPEC_MODE, load_spec, spec_path
from sandbox.workspace import BOT_USER, Workspace

TOKEN = "xoxb-sandbox-test"
NOW = datetime(2026, 11, 30, 15, tzinfo=UTC)


def workspace(spec: dict[str, set[str]] | None = None) -> Workspace:
    ws = Workspace(token=TOKEN, now=lambda: NOW, spec=spec, base_url="http://127.0.0.1:1")
    ws.add_user("U0ADA", "Ada Tech", "America/Chicago", "ada@lab.example.org")
    ws.add_user("U0BOB", "Bob Lead", "America/Denver", "bob@lab.example.org")
    ws.add_channel("C0LAB", "lab")
    return ws


def call(ws: Workspace, method: str, **args: Any) -> dict[str, Any]:
    return ws.call(method, args, TOKEN)


def section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "Log a win", blocks: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [section()] * blocks,
        **extra,
    }


def test_without_slacks_description_the_implemented_methods_are_the_reference() -> None:
    ws = workspace(spec=None)
    assert ws.spec_mode == IMPLEMENTED_MODE
    assert call(ws, "chat.fly")["error"] == "unknown_method"
    assert call(ws, "chat.postMessage", channel="U0ADA", text="hi", colour="red")["ok"]
    assert ws.violations == [
        "chat.fly: not a Slack Web API method",
        "chat.postMessage: unknown arguments ['colour']",
    ]


def test_with_slacks_description_its_methods_are_the_reference(tmp_path: Path) -> None:
    if not spec_path().is_file():
        pytest.skip(f"Slack's Web API description is not at {spec_path()}")
    ws = workspace(spec=load_spec())
    assert ws.spec_mode == SLACK_SPEC_MODE
    # In Slack's description but not something the stand-in does.
    assert call(ws, "emoji.list")["error"] == "unknown_method"
    assert load_spec(tmp_path / "nope.json", required_in_ci=False) is None


def test_posting_to_a_user_posts_into_their_dm_and_limits_are_slacks() -> None:
    ws = workspace()
    posted = call(ws, "chat.postMessage", channel="U0ADA", text="hello", blocks=[section()])
    assert posted["channel"] == "D0ADA" and posted["ts"].startswith(str(int(NOW.timestamp())))
    assert ws.messages[-1]["user"] == BOT_USER and ws.messages[-1]["blocks"][0]["block_id"]
    assert call(ws, "chat.postMessage", channel="U0NOBODY", text="x")["error"] == (
        "channel_not_found"
    )
    long_section = call(ws, "chat.postMessage", channel="C0LAB", blocks=[section("x" * 3001)])
    assert long_section["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in long_section["response_metadata"]["messages"][0]
    assert call(ws, "chat.postMessage", channel="C0LAB", blocks="[not json")["error"] == (
        "invalid_blocks_format"
    )
    assert call(ws, "chat.postMessage", channel="C0LAB", text="ok", blocks=[section()] * 50)["ok"]


def test_views_follow_slacks_rules() -> None:
    ws = workspace()
    trigger = ws.new_trigger("U0ADA")
    assert call(ws, "views.open", trigger_id=trigger, view=modal("x" * 25))["error"] == (
        "invalid_arguments"
    )
    opened = call(ws, "views.open", trigger_id=trigger, view=modal())
    assert opened["ok"] and ws.stacks["U0ADA"] == [opened["view"]["id"]]
    assert call(ws, "views.open", trigger_id=trigger, view=modal())["error"] == (
        "trigger_exchanged"
    )
    assert call(ws, "views.open", trigger_id="1.2.x", view=modal())["error"] == (
        "invalid_trigger_id"
    )
    with_input = modal(blocks=0)
    with_input["blocks"] = [{"type": "input", "block_id": "text", "label": {}, "element": {}}]
    refused = call(ws, "views.open", trigger_id=ws.new_trigger("U0ADA"), view=with_input)
    assert refused["error"] == "invalid_arguments"  # inputs need a submit button
    home = {"type": "home", "blocks": [section()] * 101}
    assert call(ws, "views.publish", user_id="U0ADA", view=home)["error"] == "invalid_arguments"
    home["blocks"] = [section()] * 100
    assert call(ws, "views.publish", user_id="U0ADA", view=home)["ok"]


def test_a_submission_answer_changes_the_modal_stack_as_slack_does() -> None:
    ws = workspace()
    first = call(ws, "views.open", trigger_id=ws.new_trigger("U0ADA"), view=modal())["view"]["id"]
    pushed = call(ws, "views.push", trigger_id=ws.new_trigger("U0ADA"), view=modal("Two"))
    second = pushed["view"]["id"]
    ws.view_response("U0ADA", second, {"response_action": "errors", "errors": {"a": "b"}})
    assert ws.stacks["U0ADA"] == [first, second]
    ws.view_response("U0ADA", second, {"response_action": "update", "view": modal("Done")})
    assert ws.views[second].view["title"]["text"] == "Done"
    ws.view_response("U0ADA", second, None)  # a plain ack closes the submitted view
    assert ws.stacks["U0ADA"] == [first]
    ws.view_response("U0ADA", first, {"response_action": "clear"})
    assert ws.stacks["U0ADA"] == []


def test_response_urls_answer_only_the_member_or_change_the_original() -> None:
    ws = workspace()
    posted = call(ws, "chat.postMessage", channel="U0ADA", text="prompt")
    url = ws.new_response_url("U0ADA", "D0ADA", posted["ts"])
    rid = url.rsplit("/", 1)[-1]
    assert ws.respond(rid, {"text": "only you"})["ok"]
    assert ws.messages[-1]["ephemeral"] and ws.messages[-1]["visible_to"] == "U0ADA"
    assert ws.respond(rid, {"replace_original": True, "text": "changed"})["ok"]
    assert ws.find("D0ADA", posted["ts"])["text"] == "changed"
    assert ws.respond("R0NONE", {"text": "x"})["error"] == "invalid_response_url"
    assert [m["text"] for m in ws.state("U0BOB")["messages"]] == []


def test_group_dms_and_reactions() -> None:
    ws = workspace()
    group = call(ws, "conversations.open", users="U0ADA,U0BOB")["channel"]["id"]
    assert call(ws, "conversations.open", users="U0BOB,U0ADA")["channel"]["id"] == group
    assert call(ws, "conversations.open", users="U0ADA")["channel"]["id"] == "D0ADA"
    ts = call(ws, "chat.postMessage", channel=group, text="meet")["ts"]
    assert call(ws, "reactions.add", channel=group, timestamp=ts, name="tada")["ok"]
    assert call(ws, "reactions.add", channel=group, timestamp=ts, name="tada")["error"] == (
        "already_reacted"
    )
    ada = ws.state("U0ADA")
    assert {c["id"] for c in ada["channels"]} == {"D0ADA", "C0LAB", group}
    assert ada["messages"][-1]["reactions"] == [{"name": "tada", "users": [BOT_USER]}]
    assert ws.call("auth.test", {}, "xoxb-other")["error"] == "invalid_auth"


def test_history_finds_a_posted_message_by_its_metadata_newest_first() -> None:
    """What a worker taking over a crashed send reads (bot/rules/once.py)."""
    ws = workspace()
    key = {"event_type": "benchmate_ledger", "event_payload": {"key": "nudge/T/1/weekly/W48"}}
    first = call(ws, "chat.postMessage", channel="U0ADA", text="one")
    second = call(ws, "chat.postMessage", channel="U0ADA", text="two", metadata=key)
    call(ws, "chat.postMessage", channel="U0ADA", text="reply", thread_ts=first["ts"])
    call(ws, "chat.postEphemeral", channel="U0ADA", user="U0ADA", text="only you")

    plain = call(ws, "conversations.history", channel=second["channel"])
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]
    assert all("metadata" not in m for m in plain["messages"])

    full = call(ws, "conversations.history", channel=second["channel"], include_all_metadata=True)
    assert full["messages"][0]["metadata"] == key

    paged = call(ws, "conversations.history", channel=second["channel"], limit=1)
    assert paged["has_more"] and [m["text"] for m in paged["messages"]] == ["two"]
    rest = call(
        ws,
        "conversations.history",
        channel=second["channel"],
        limit=1,
        cursor=paged["response_metadata"]["next_cursor"],
    )
    assert [m["text"] for m in rest["messages"]] == ["one"] and not rest["has_more"]
    assert call(ws, "conversations.history", channel="C0NOPE")["error"] == "channel_not_found"


def test_users_list_pages_through_everyone_with_a_cursor() -> None:
    ws = workspace(spec=None)
    first = call(ws, "users.list", limit=1)
    assert first["ok"] and [u["id"] for u in first["members"]] == ["U0ADA"]
    cursor = first["response_metadata"]["next_cursor"]
    second = call(ws, "users.list", limit=1, cursor=cursor)
    assert [u["id"] for u in second["members"]] == ["U0BOB"]
    assert second["response_metadata"]["next_cursor"] == ""  # the last page
    assert call(ws, "users.list", cursor="nope")["error"] == "invalid_cursor"
    assert ws.violations == []


def slack_schema(name: str) -> dict[str, Any]:
    if not spec_path().is_file():
        pytest.skip(f"Slack's Web API description is not at {spec_path()}")
    return dict(json.loads(spec_path().read_text())["definitions"][name])


def slack_method_answer(method: str) -> dict[str, Any]:
    """The schema of a method's successful answer in Slack's description."""
    if not spec_path().is_file():
        pytest.skip(f"Slack's Web API description is not at {spec_path()}")
    paths = json.loads(spec_path().read_text())["paths"]
    return dict(paths[f"/{method}"]["get"]["responses"]["200"]["schema"])


def test_a_members_file_has_slacks_file_object_and_files_info_answers_it() -> None:
    ws = workspace(spec=load_spec())
    file_id = ws.add_file("U0ADA", "roster.csv", b"user,role\nU0BOB,mentor\n")
    message = ws.share_file(file_id, "D0ADA", user="U0ADA", text="", thread_ts=None)
    answer = call(ws, "files.info", file=file_id)
    assert answer["ok"] and answer["comments"] == []
    file = answer["file"]
    assert file["name"] == "roster.csv" and file["filetype"] == "csv" and file["size"] == 23
    assert file["user"] == "U0ADA" and file["ims"] == ["D0ADA"] and file["mode"] == "hosted"
    assert file["url_private_download"] == (
        f"http://127.0.0.1:1/files-pri/T0LAB-{file_id}/download/roster.csv"
    )
    assert message["files"] == [{**file, "url": f"/sandbox/files/{file_id}"}]
    # Every field is one Slack's description names for a file and for files.info.
    assert set(file) <= set(slack_schema("objs_file")["properties"])
    info = json.loads(spec_path().read_text())["paths"]["/files.info"]["get"]
    schema = info["responses"]["200"]["schema"]
    assert set(answer) <= set(schema["properties"]) and set(schema["required"]) <= set(answer)
    assert call(ws, "files.info", file="F404")["error"] == "file_not_found"
    assert ws.violations == []


def test_a_file_downloads_only_with_the_bot_token_as_from_slack() -> None:
    ws = workspace()
    file_id = ws.add_file("U0ADA", "roster names.csv", b"user,role\n")
    path = f"/files-pri/T0LAB-{file_id}/download/roster%20names.csv"
    assert ws.download(path, f"Bearer {TOKEN}") == (200, b"user,role\n", "text/csv")
    status, body, kind = ws.download(path, None)  # Slack's sign-in page, not the file
    assert status == 200 and kind.startswith("text/html") and b"user,role" not in body
    assert ws.download(path, "Bearer xoxb-someone-else")[2].startswith("text/html")
    assert ws.download("/files-pri/T0LAB-F404/download/x.csv", f"Bearer {TOKEN}")[0] == 404
    assert [c["ok"] for c in ws.calls if c["method"] == "download"] == [True, False, False, True]


def test_benchmates_upload_is_shared_in_the_dm_with_its_file_object() -> None:
    ws = workspace()
    got = call(ws, "files.getUploadURLExternal", filename="ce-transcript.md", length=5)
    assert got["upload_url"].endswith("/upload/" + got["file_id"])
    assert ws.upload(got["file_id"], b"# CE\n")
    done = call(
        ws,
        "files.completeUploadExternal",
        files=json.dumps([{"id": got["file_id"], "title": "CE transcript"}]),
        channel_id="D0ADA",
        initial_comment="Your transcript",
    )
    assert done["files"] == [{"id": got["file_id"], "title": "CE transcript"}]
    [message] = [m for m in ws.messages if m["channel"] == "D0ADA"]
    [file] = message["files"]
    assert message["user"] == BOT_USER and message["text"] == "Your transcript"
    assert file["title"] == "CE transcript" and file["filetype"] == "markdown"
    assert file["url"] == f"/sandbox/files/{got['file_id']}" and file["ims"] == ["D0ADA"]
    assert call(ws, "files.info", file=got["file_id"])["file"]["size"] == 5


def test_files_list_finds_a_conversations_files_since_an_instant_as_slack_pages_them() -> None:
    """What a pass taking over a crashed transcript upload reads (docs/promises.md)."""
    ws = workspace(spec=load_spec())
    ids = []
    for name in ("ce-transcript-MLS-2027-06-30.md", "ce-transcript-MLS-2027-06-30.csv"):
        got = call(ws, "files.getUploadURLExternal", filename=name, length=2)
        assert ws.upload(got["file_id"], b"ok")
        ids.append(got["file_id"])
    call(
        ws,
        "files.completeUploadExternal",
        files=json.dumps([{"id": i, "title": "CE"} for i in ids]),
        channel_id="D0ADA",
    )
    since = int(NOW.timestamp())
    listed = call(ws, "files.list", channel="D0ADA", ts_from=since, count=1, page=1)
    assert listed["ok"] and listed["paging"]["pages"] == 2 and len(listed["files"]) == 1
    both = call(ws, "files.list", channel="D0ADA", ts_from=since)
    assert {f["name"] for f in both["files"]} == {
        "ce-transcript-MLS-2027-06-30.md",
        "ce-transcript-MLS-2027-06-30.csv",
    }
    assert call(ws, "files.list", channel="D0BOB", ts_from=since)["files"] == []
    assert call(ws, "files.list", channel="D0ADA", ts_from=since + 60)["files"] == []
    assert ws.violations == []
    # Slack's description, where it is (a stranger's clone has none: skipped then).
    required = slack_method_answer("files.list")["required"]
    assert set(required) <= set(both)
