"""`benchmate sandbox` over HTTP: the stand-in, the real `benchmate serve` and scheduler
behind it, the seeded demo lab, the clock and reset, driven as the page drives them."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox import lab
from sandbox.forms import fill_state
from sandbox.server import Sandbox
from sandbox.spec import spec_path
from sandbox.workspace import PROGRAM_CHANNEL

START = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday 09:00 in Chicago
LENA, MARCUS, PRIYA, SOFIA, BEN, DANA = (
    "U0LENA",
    "U0MARCUS",
    "U0PRIYA",
    "U0SOFIA",
    "U0BEN",
    lab.COORDINATOR,
)
Json = dict[str, Any]


class Page:
    """Talks to the sandbox as the page does: JSON over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, path: str, body: Json | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def post(self, path: str, body: Json) -> Json:
        status, answer = self.request(path, body)
        assert status == 200, answer
        return answer

    def state(self, member: str, since: int = 0, wait: float = 0) -> Json:
        status, answer = self.request(f"/sandbox/state?member={member}&since={since}&wait={wait}")
        assert status == 200, answer
        return answer

    def wait_for(self, member: str, found: Callable[[Json], Any], timeout: float = 10) -> Any:
        """Poll the member's state until `found(state)` is truthy; returns that value."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(member)
            value = found(state)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not found in {member}'s state: {state['messages'][-5:]}")
            time.sleep(0.05)

    def command(self, member: str, command: str, text: str = "", **kw: Any) -> Json:
        return self.post(
            "/sandbox/command", {"member": member, "command": command, "text": text, **kw}
        )

    def modal(self, member: str, callback_id: str) -> Json:
        def top(state: Json) -> Json | None:
            views = state["views"]
            return views[-1] if views and views[-1]["view"]["callback_id"] == callback_id else None

        return self.wait_for(member, top)


def texts(state: Json, channel: str | None = None) -> list[str]:
    return [
        m["text"] + " " + json.dumps(m["blocks"])
        for m in state["messages"]
        if channel is None or m["channel"] == channel
    ]


def bot_messages(state: Json, needle: str, channel: str | None = None) -> list[Json]:
    return [
        m
        for m in state["messages"]
        if m["bot"] and needle in m["text"] and (channel is None or m["channel"] == channel)
    ]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("sandbox") / ".sandbox", start=START)
    box.start()
    box.seeded_seq = box.workspace.latest_seq()  # type: ignore[attr-defined]
    yield box
    box.close()


@pytest.fixture
def page(running: Sandbox) -> Page:
    """The sandbox, back to the seeded lab."""
    if running.workspace.latest_seq() != getattr(running, "seeded_seq", None):
        running.reset()
        running.seeded_seq = running.workspace.latest_seq()  # type: ignore[attr-defined]
    return Page(running.url)


def stored_wins(box: Sandbox, user: str) -> list[tuple[str, str]]:
    """The member's wins in Benchmate's own SQLite file: (text, date)."""
    with sqlite3.connect(box.folder / "benchmate.db") as db:
        return db.execute(
            "SELECT w.text, w.occurred_on FROM wins w JOIN members m ON m.id = w.member_id "
            "WHERE m.slack_user_id = ? ORDER BY w.id",
            (user,),
        ).fetchall()


def test_the_command_starts_everything_and_prints_the_url(tmp_path: Path) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--port", "0", "--folder", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Open "):
                break
        url = lines[-1].split()[1]
        assert url.startswith("http://127.0.0.1:"), lines
        mode = "slack-spec" if spec_path().is_file() else "implemented-methods"
        assert f"Slack Web API checks: {mode}" in "".join(lines)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"<html" in response.read()
        state = Page(url.rstrip("/")).state(LENA)
        assert state["spec_mode"] == mode
        assert (tmp_path / "benchmate.db").is_file()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0


def test_the_seeded_lab_is_there(page: Page, running: Sandbox) -> None:
    dana = page.state(DANA)
    assert dana["now"] == "2026-11-30T15:00:00Z"
    people = {m["id"]: m for m in dana["members"]}
    assert len(people) == 10 and people[DANA]["is_coordinator"]
    sections = {m["lab_section"] for m in dana["members"]}
    assert {"hematology", "chemistry", "microbiology", "blood_bank", "phlebotomy"} <= sections
    lena = page.state(LENA)
    kinds = {(c["kind"], tuple(c["members"])) for c in lena["channels"]}
    assert ("dm", (LENA, MARCUS)) in kinds  # the one active pair's group DM
    assert bot_messages(lena, "Meet your mentoring partner")
    home = json.dumps(lena["home"])
    assert "bone marrow differential" in home and "SH(ASCP)" in home  # a win, a goal
    assert stored_wins(running, LENA)[0][0].startswith("Ran my first bone marrow")
    # The pair was made 13 days before the start (seeding waited for Benchmate's work
    # after the answer before moving the clock), so its first meeting is due tomorrow.
    mentor = json.dumps(page.command(LENA, "/mentor")["response"])
    assert "since Nov 17, 2026" in mentor and "Next meeting:* Tuesday, Dec 01" in mentor
    export = page.request("/sandbox/export")[1]
    assert export["violations"] == []
    assert [c for c in export["calls"] if not c["ok"]] == []


def test_a_win_by_command_is_stored_answered_and_on_the_home_tab(
    page: Page, running: Sandbox
) -> None:
    result = page.command(BEN, "/win", "Validated the new MALDI-TOF library")
    assert result["status"] == 200
    ben = page.wait_for(BEN, lambda s: bot_messages(s, "Logged", "D0BEN") and s)
    answer = bot_messages(ben, "Logged", "D0BEN")[-1]
    assert answer["ephemeral"] and answer["visible_to"] == BEN
    assert not bot_messages(page.state(LENA), "MALDI-TOF library")
    page.post("/sandbox/home", {"member": BEN})
    page.wait_for(BEN, lambda s: "MALDI-TOF library" in json.dumps(s["home"]))
    assert ("Validated the new MALDI-TOF library", "2026-11-30") in stored_wins(running, BEN)


def test_friday_prompt_goes_out_at_local_time_and_a_thread_reply_logs_a_win(
    page: Page, running: Sandbox
) -> None:
    jumped = page.post(
        "/sandbox/clock",
        {"next": {"weekday": "friday", "time": "14:00", "tz": "America/Chicago"}},
    )
    assert jumped["now"] == "2026-12-04T20:00:00Z"
    assert jumped["sent"] >= 1
    lena = page.state(LENA)
    prompts = bot_messages(lena, "What went well this week?", "D0LENA")
    assert len(prompts) == 1
    assert not bot_messages(page.state(SOFIA), "What went well")  # 12:00 in Los Angeles

    prompt = prompts[0]
    reply = page.post(
        "/sandbox/message",
        {
            "member": LENA,
            "channel": "D0LENA",
            "text": "Passed my hematology competency",
            "thread_ts": prompt["ts"],
        },
    )
    assert reply["delivered"] and reply["status"] == 200
    ts = reply["message"]["ts"]

    def checked(state: Json) -> bool:
        mine = [m for m in state["messages"] if m["ts"] == ts]
        return bool(mine and any(r["name"] == "white_check_mark" for r in mine[0]["reactions"]))

    page.wait_for(LENA, checked)
    assert ("Passed my hematology competency", "2026-12-04") in stored_wins(running, LENA)


def test_an_empty_win_form_gets_inline_errors(page: Page) -> None:
    page.command(LENA, "/win")
    form = page.modal(LENA, "win_modal")
    field = next(b for b in form["view"]["blocks"] if b["type"] == "input")
    answer = page.post(
        "/sandbox/submit",
        {
            "member": LENA,
            "view_id": form["id"],
            "values": {field["block_id"]: {"value": {"type": "plain_text_input", "value": ""}}},
        },
    )
    assert answer["status"] == 200
    assert answer["response"]["response_action"] == "errors"
    assert field["block_id"] in answer["response"]["errors"]
    assert page.state(LENA)["views"][-1]["id"] == form["id"]  # the form stays open


def test_match_and_approve_pairs_people_then_a_meeting_reminder_comes(page: Page) -> None:
    friday = {"next": {"weekday": "friday", "time": "14:00", "tz": "America/Chicago"}}
    page.post("/sandbox/clock", friday)
    page.command(DANA, "/program", "match")
    form = page.modal(DANA, "program_match_modal")
    answer = page.post("/sandbox/submit", {"member": DANA, "view_id": form["id"], "values": {}})
    assert answer["status"] == 200
    intro = page.wait_for(PRIYA, lambda s: bot_messages(s, "Meet your mentoring partner"))
    assert intro[0]["channel"].startswith("G")

    # Due two weeks on, at the mentor's own prompt time (14:00 in New York): reached.
    jumped = page.post("/sandbox/clock", {"plus": {"weeks": 2}})
    assert jumped["now"] == "2026-12-18T20:00:00Z"
    priya = page.state(PRIYA)
    assert bot_messages(priya, "Your mentoring meeting with", "D0PRIYA")


def test_the_report_chart_downloads_as_png(page: Page, running: Sandbox) -> None:
    page.command(DANA, "/program", "report")
    files = page.wait_for(DANA, lambda s: [f for m in s["messages"] for f in m["files"]])
    chart = next(f for f in files if f["name"].endswith(".png"))
    with urllib.request.urlopen(running.url + chart["url"], timeout=10) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.read().startswith(b"\x89PNG\r\n\x1a\n")
    assert chart["url"] in [f["url"] for f in page.state(DANA)["files"]]
    assert page.state(LENA)["files"] == []  # in Dana's DM: nobody else's page lists it


def test_reset_restores_the_seed(page: Page, running: Sandbox) -> None:
    seeded = page.state(DANA)
    page.command(BEN, "/win", "Something only this test logged")
    page.post("/sandbox/clock", {"plus": {"days": 1}})
    page.post("/sandbox/reset", {})  # on the HTTP server's thread, as from the page
    after = page.state(DANA)
    assert after["now"] == seeded["now"]
    assert len(after["messages"]) == len(seeded["messages"])
    assert "Something only this test logged" not in [w[0] for w in stored_wins(running, BEN)]
    # Benchmate was restarted and stays up after the request that reset it.
    time.sleep(0.5)
    assert page.command(BEN, "/win", "After the reset")["status"] == 200


def test_bad_calls_get_slacks_error_codes(page: Page, running: Sandbox) -> None:
    token = running.workspace.token

    def call(method: str, body: Json, auth: str | None = token) -> Json:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        request = urllib.request.Request(
            f"{running.url}/api/{method}", data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    section = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
    too_many = call("chat.postMessage", {"channel": LENA, "text": "x", "blocks": [section] * 51})
    assert too_many["error"] == "invalid_blocks"
    assert "no more than 50 items" in too_many["response_metadata"]["messages"][0]
    assert call("chat.postMessage", {"channel": "C0NOWHERE", "text": "x"})["error"] == (
        "channel_not_found"
    )
    assert call("chat.postMessage", {"channel": LENA, "text": "x" * 40_001})["error"] == (
        "msg_too_long"
    )
    assert call("chat.postMessage", {"channel": LENA})["error"] == "no_text"
    title = {"type": "plain_text", "text": "A title much longer than 24"}
    long_title = call(
        "views.publish",
        {"user_id": LENA, "view": {"type": "home", "blocks": [section] * 101, "title": title}},
    )
    assert long_title["error"] == "invalid_arguments"
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    assert call("views.open", {"trigger_id": "nope", "view": modal})["error"] == (
        "invalid_trigger_id"
    )
    # The view is checked before the trigger.
    assert call("views.open", {"trigger_id": "nope", "view": {}})["error"] == "invalid_arguments"
    assert call("auth.test", {}, auth=None)["error"] == "not_authed"
    assert call("auth.test", {}, auth="xoxb-wrong")["error"] == "invalid_auth"
    assert call("chat.fly", {})["error"] == "unknown_method"
    # The page sees the failed calls that were about Lena.
    errors = {e["error"] for e in page.state(LENA)["errors"]}
    assert {"invalid_blocks", "msg_too_long", "no_text", "invalid_arguments"} <= errors
    running.workspace.violations.clear()  # chat.fly was refused on purpose


def test_bad_requests_from_the_page_get_an_explicit_error(page: Page) -> None:
    cases = [
        ("/sandbox/command", {"member": "U0NOBODY", "command": "/win", "text": "x"}),
        ("/sandbox/command", {"member": LENA, "command": "/fly", "text": "x"}),
        ("/sandbox/clock", {"to": "2020-01-01T00:00:00Z"}),
        ("/sandbox/clock", {"next": {"weekday": "someday", "time": "14:00"}}),
        ("/sandbox/submit", {"member": LENA, "view_id": "V0NONE", "values": {}}),
        ("/sandbox/message", {"member": LENA, "channel": "D0MARCUS", "text": "hi"}),
    ]
    for path, body in cases:
        status, answer = page.request(path, body)
        assert status == 400 and answer["error"], (path, body, answer)


def test_a_win_after_a_jump_is_dated_at_the_simulated_time(page: Page, running: Sandbox) -> None:
    page.post("/sandbox/clock", {"plus": {"weeks": 2}})
    page.command(SOFIA, "/win", "Drew a full tray with no misses")
    page.wait_for(SOFIA, lambda s: bot_messages(s, "Logged", "D0SOFIA"))
    assert ("Drew a full tray with no misses", "2026-12-14") in stored_wins(running, SOFIA)


def test_the_stand_in_escapes_the_commands_the_manifest_says() -> None:
    yaml = pytest.importorskip("yaml")
    from sandbox.server import ESCAPED_COMMANDS

    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
    commands = manifest["features"]["slash_commands"]
    assert {c["command"] for c in commands if c.get("should_escape")} == ESCAPED_COMMANDS


def test_buttons_send_block_actions_from_the_home_tab_and_from_messages(
    page: Page, running: Sandbox
) -> None:
    home = page.state(LENA)["home"]
    page.post(
        "/sandbox/action",
        {
            "member": LENA,
            "container": {"type": "view", "view_id": home["id"]},
            "action_id": "home_log_win",
            "block_id": "home_buttons",
        },
    )
    form = page.modal(LENA, "win_modal")
    closed = page.post("/sandbox/close", {"member": LENA, "view_id": form["id"]})
    assert closed["status"] is None  # the form did not ask to hear about it
    assert page.state(LENA)["views"] == []

    page.command(LENA, "/win", "Set up the new slide stainer")
    answer = page.wait_for(LENA, lambda s: bot_messages(s, "Logged", "D0LENA"))[-1]
    undo = next(b for b in answer["blocks"] if b["type"] == "actions")
    result = page.post(
        "/sandbox/action",
        {
            "member": LENA,
            "container": {"type": "message", "channel": "D0LENA", "ts": answer["ts"]},
            "action_id": "win_undo",
            "block_id": undo["block_id"],  # Slack gives blocks without one an id
        },
    )
    assert result["status"] == 200
    # respond(replace_original=True) through the response_url: the answer itself changes.
    page.wait_for(
        LENA,
        lambda s: [m for m in s["messages"] if m["ts"] == answer["ts"] and m["text"] == "Undone"],
    )
    assert "Set up the new slide stainer" not in [w[0] for w in stored_wins(running, LENA)]


def test_in_a_clone_without_slacks_description_the_lab_still_runs_checked(
    tmp_path: Path,
) -> None:
    box = Sandbox(tmp_path / ".sandbox", start=START, spec_path=tmp_path / "absent.json")
    box.start()
    try:
        page = Page(box.url)
        assert page.state(LENA)["spec_mode"] == "implemented-methods"
        page.command(LENA, "/win", "Checked without the description")
        page.wait_for(LENA, lambda s: bot_messages(s, "Logged", "D0LENA"))
        export = page.request("/sandbox/export")[1]
        assert export["violations"] == []
        assert [c for c in export["calls"] if not c["ok"]] == []
    finally:
        box.close()


def test_only_the_page_served_here_can_drive_the_sandbox(page: Page, running: Sandbox) -> None:
    def status(path: str, data: bytes | None, headers: dict[str, str]) -> int:
        request = urllib.request.Request(running.url + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # A form post from another site (no preflight needed) is refused...
    reset = b'{"member": "U0LENA"}'
    assert status("/sandbox/reset", reset, {"Content-Type": "text/plain"}) == 415
    # ...and so is a page reaching us under another name (DNS rebinding).
    assert status("/sandbox/state?member=U0LENA", None, {"Host": "evil.example:80"}) == 403
    assert status("/sandbox/state?member=U0LENA", None, {}) == 200


def test_the_message_shortcut_and_messages_benchmate_does_not_read(page: Page) -> None:
    group = next(c["id"] for c in page.state(LENA)["channels"] if c["id"].startswith("G"))
    said = page.post(
        "/sandbox/message",
        {"member": MARCUS, "channel": group, "text": "Great catch on that smear today, @lena!"},
    )
    # Benchmate subscribes to message.im only: a group DM message goes nowhere.
    assert said["delivered"] is False
    assert said["message"]["text"] == "Great catch on that smear today, <@U0LENA>!"
    page.post(
        "/sandbox/shortcut",
        {"member": LENA, "channel": group, "ts": said["message"]["ts"]},
    )
    form = page.modal(LENA, "win_modal")
    assert "Great catch on that smear today" in json.dumps(form["view"])


def test_the_sandbox_never_wipes_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a lab manager's notes")
    with pytest.raises(RuntimeError, match="not a sandbox folder"):
        Sandbox(tmp_path, start=START)
    assert (tmp_path / "notes.txt").read_text() == "a lab manager's notes"
    import subprocess
    import sys

    refused = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--port", "0", "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "not a sandbox folder" in refused.stderr
    assert (tmp_path / "notes.txt").is_file()


# --- the clock: each message stamped at its own due time ------------------------------


def stamp(message: Json) -> datetime:
    """When the stand-in took the message (its ts is the simulated instant)."""
    return datetime.fromtimestamp(int(float(message["ts"])), UTC)


def test_a_two_week_jump_sends_each_meeting_nudge_at_the_mentors_prompt_time(
    page: Page,
) -> None:
    # Marcus (Chicago) mentors Lena; their meeting is due Tue Dec 1 (seeded pair).
    jumped = page.post("/sandbox/clock", {"plus": {"weeks": 2}})
    assert jumped["now"] == "2026-12-14T15:00:00Z"
    marcus = page.state(MARCUS)
    [reminder] = bot_messages(marcus, "Your mentoring meeting with", "D0MARCUS")
    assert stamp(reminder) == datetime(2026, 12, 1, 20, tzinfo=UTC)  # 14:00 in Chicago
    [lena_reminder] = bot_messages(page.state(LENA), "A meeting with your mentor", "D0LENA")
    assert stamp(lena_reminder) == datetime(2026, 12, 1, 20, tzinfo=UTC)
    followups = bot_messages(marcus, "Did you meet", "D0MARCUS")
    assert [stamp(m).isoformat() for m in followups] == [
        "2026-12-02T20:00:00+00:00",
        "2026-12-04T20:00:00+00:00",
        "2026-12-06T20:00:00+00:00",
    ]
    [flagged] = bot_messages(page.state(DANA), "haven't", "D0DANA")
    assert stamp(flagged) == datetime(2026, 12, 8, 20, tzinfo=UTC)


def test_next_friday_prompts_each_member_at_their_own_14_00(page: Page) -> None:
    friday = {"next": {"weekday": "friday", "time": "14:00", "tz": "America/Chicago"}}
    assert page.post("/sandbox/clock", friday)["now"] == "2026-12-04T20:00:00Z"
    [priya] = bot_messages(page.state(PRIYA), "What went well", "D0PRIYA")
    assert stamp(priya) == datetime(2026, 12, 4, 19, tzinfo=UTC)  # 14:00 in New York
    [lena] = bot_messages(page.state(LENA), "What went well", "D0LENA")
    assert stamp(lena) == datetime(2026, 12, 4, 20, tzinfo=UTC)
    assert not bot_messages(page.state(SOFIA), "What went well")  # 12:00 in Los Angeles
    # Three hours on: Los Angeles' 14:00 came on the way, and was kept.
    page.post("/sandbox/clock", {"plus": {"hours": 3}})
    [sofia] = bot_messages(page.state(SOFIA), "What went well", "D0SOFIA")
    assert stamp(sofia) == datetime(2026, 12, 4, 22, tzinfo=UTC)


def test_the_digest_goes_out_monday_at_14_00_utc(page: Page) -> None:
    page.command(BEN, "/win")
    form = page.modal(BEN, "win_modal")
    values = fill_state(form["view"], {"text": "Cut the blood culture TAT", "digest": True})
    assert (
        page.post("/sandbox/submit", {"member": BEN, "view_id": form["id"], "values": values})[
            "status"
        ]
        == 200
    )
    page.wait_for(BEN, lambda s: bot_messages(s, "Logged"))
    monday = {"next": {"weekday": "monday", "time": "09:00", "tz": "America/Chicago"}}
    assert page.post("/sandbox/clock", monday)["now"] == "2026-12-07T15:00:00Z"
    [digest] = bot_messages(page.state(DANA), "Wins of the week", PROGRAM_CHANNEL)
    assert "Cut the blood culture TAT" in json.dumps(digest)
    assert stamp(digest) == datetime(2026, 12, 7, 14, tzinfo=UTC)


def test_a_closing_survey_due_at_once_goes_at_the_instant_the_pair_ended(page: Page) -> None:
    # Monday 16:00 in Chicago: past the day's prompt time, so the survey is due at once.
    assert page.post("/sandbox/clock", {"plus": {"hours": 7}})["now"] == "2026-11-30T22:00:00Z"
    page.command(DANA, "/program", "unpair @marcus @lena")
    page.wait_for(DANA, lambda s: bot_messages(s, "ended") or bot_messages(s, "Unpaired"))
    jumped = page.post("/sandbox/clock", {"plus": {"hours": 1}})
    assert jumped["ran_at"] == ["2026-11-30T22:00:00Z", "2026-11-30T23:00:00Z"]
    [survey] = bot_messages(page.state(LENA), "has ended. How did it go?", "D0LENA")
    assert stamp(survey) == datetime(2026, 11, 30, 22, tzinfo=UTC)
