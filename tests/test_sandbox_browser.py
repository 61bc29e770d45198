"""The sandbox page in a real browser: headless Chromium (Debian's `chromium`) driven by
Playwright for Python.

Two parts:
- the Block Kit renderer (sandbox/static/blockkit.js) on views and messages Benchmate's
  own builders produce: labels, Slack's `view.state.values` shapes read back by
  bot/blocks/state.py, inline errors, mrkdwn, and people's text staying inert;
- the full story against a real `benchmate sandbox` (see test_story_*).

Marked `browser`: deselect with `-m "not browser"`. Without Chromium (no root to
`make browser`) or without the playwright package they skip with the reason; under CI
(CI set) a missing browser fails instead, so the proof cannot silently disappear.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import state as view_state
from tests.blockkit_examples import HOSTILE, examples

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "sandbox" / "static"
CHROMIUM = os.environ.get("BENCHMATE_CHROMIUM", "/usr/bin/chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # skipped below, with the reason
    expect = sync_playwright = None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_playwright is None:
        _unavailable("playwright is not installed (make install)")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no Chromium at {CHROMIUM}: `make browser` as root installs Debian's")
    with sync_playwright() as playwright:
        # Debian's build, never a downloaded one (`playwright install` is not used).
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A blank page with the renderer and the styles loaded; JS errors fail the test."""
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content('<html><body><main id="root"></main></body></html>')
    page.add_style_tag(path=str(STATIC / "sandbox.css"))
    page.add_script_tag(path=str(STATIC / "blockkit.js"))
    yield page
    context.close()
    assert not errors, errors


def _examples() -> dict[str, Any]:
    return json.loads(json.dumps(examples(), default=str))


def render(page: Any, blocks: list[dict[str, Any]], users: dict[str, str] | None = None) -> None:
    """Renders into #root (replacing what was there); actions land in window.actions."""
    page.evaluate(
        """([blocks, users]) => {
            window.actions = [];
            const root = document.getElementById('root');
            root.textContent = '';
            root.append(BlockKit.render(blocks, {
                users, channels: {}, inView: true, onAction: (a) => window.actions.push(a),
            }));
        }""",
        [blocks, users or {}],
    )


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("BlockKit.stateValues(document.getElementById('root'))")


MODALS = [
    "win_modal",
    "win_modal_phi",
    "goal_modal",
    "prefs_modal",
    "profile_modal",
    "announce_modal",
    "log_modal",
    "survey_modal",
    "match_modal",
    "import_modal",
]


@pytest.mark.parametrize("name", MODALS)
def test_every_field_of_benchmates_forms_renders_with_a_label(page: Any, name: str) -> None:
    view = _examples()[name]
    render(page, view["blocks"])
    assert page.locator(".bk-unsupported").count() == 0
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('#root input, #root select, #root textarea'))
            .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                && !c.getAttribute('aria-labelledby')
                && !c.closest('[role=group],[role=radiogroup]')?.getAttribute('aria-labelledby'))
            .map((c) => c.outerHTML)"""
    )
    assert unlabelled == []
    # Every input block reports a state entry under its block id, as Slack does.
    input_ids = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert set(state(page)) == input_ids


def test_the_win_form_state_reads_back_through_benchmates_own_readers(page: Any) -> None:
    view = _examples()["win_modal"]
    render(page, view["blocks"])
    page.get_by_label("Your win").fill("Validated the new coag analyzer")
    page.get_by_label("Category").select_option(label="Technical proficiency")
    page.get_by_label("Date").fill("2026-12-02")
    page.get_by_label("Toward a goal").select_option(label="Cut troponin TAT")
    page.get_by_label("Share with my mentor").check()

    values = state(page)
    assert values["text"] == {
        "value": {"type": "plain_text_input", "value": "Validated the new coag analyzer"}
    }
    assert values["occurred_on"] == {"value": {"type": "datepicker", "selected_date": "2026-12-02"}}
    assert values["digest"] == {"value": {"type": "checkboxes", "selected_options": []}}
    submitted = {"state": {"values": values}}
    assert view_state.text(submitted, "text") == "Validated the new coag analyzer"
    assert view_state.selected(submitted, "category") == "technical"
    assert str(view_state.picked_date(submitted, "occurred_on")) == "2026-12-02"
    assert view_state.selected(submitted, "goal") == "2"
    assert view_state.checked(submitted, "share") is True
    assert view_state.checked(submitted, "digest") is False


def test_the_roster_file_field_uploads_a_picked_file_into_the_state(
    page: Any, tmp_path: Path
) -> None:
    """As in Slack, the file is uploaded when picked and the view's state holds its
    file object (here a stand-in for the upload), read back by bot/blocks/state.py."""
    page.evaluate(
        """(blocks) => {
            const root = document.getElementById('root');
            root.append(BlockKit.render(blocks, { inView: true, onUpload: async (f) =>
                ({ id: 'F1', name: f.name, size: f.size, url_private_download: 'x' }) }));
        }""",
        _examples()["import_modal"]["blocks"],
    )
    field = page.get_by_label("Roster CSV file")
    assert field.get_attribute("accept") == ".csv" and field.get_attribute("multiple") is None
    roster = tmp_path / "roster.csv"
    roster.write_text("user,role\nU1,mentor\n")
    field.set_input_files(str(roster))
    page.evaluate("BlockKit.uploadsDone(document.getElementById('root'))")
    values = state(page)
    assert values["csv_file"]["value"]["type"] == "file_input"
    files = view_state.files({"state": {"values": values}}, "csv_file")
    assert files == [{"id": "F1", "name": "roster.csv", "size": 20, "url_private_download": "x"}]


def test_pickers_and_multi_selects_give_slacks_shapes(page: Any) -> None:
    ex = _examples()
    render(page, ex["prefs_modal"]["blocks"])
    assert state(page)["at"] == {"value": {"type": "timepicker", "selected_time": "14:00"}}
    page.get_by_label("Quiet hours from").fill("07:30")
    submitted = {"state": {"values": state(page)}}
    assert str(view_state.picked_time(submitted, "quiet_start")) == "07:30:00"
    assert view_state.picked_time(submitted, "quiet_end") is None
    assert view_state.selected(submitted, "weekday") == "4"

    render(page, ex["profile_modal"]["blocks"], users={"U1": "Dana Lee", "U2": "Sam Ortiz"})
    page.get_by_label("Quality and compliance").check()
    page.get_by_label("My supervisor (never matched as my mentor)").select_option("U1")
    page.get_by_label("As a mentor, how many mentees at most?").fill("2")
    values = state(page)
    submitted = {"state": {"values": values}}
    assert view_state.multi_selected(submitted, "interests") == ["technical", "quality"]
    assert view_state.selected_user(submitted, "supervisor") == "U1"
    assert values["capacity"] == {"value": {"type": "number_input", "value": "2"}}


def test_buttons_and_menus_send_block_actions(page: Any) -> None:
    ex = _examples()
    render(page, ex["messages"]["reminder"])
    page.get_by_role("button", name="Log a meeting").click()
    [action] = page.evaluate("window.actions")
    assert action["type"] == "button"
    assert action["action_id"] == "meeting_log"
    assert action["value"] == "7"
    assert action["block_id"] == ""  # unnamed by Benchmate: the stand-in finds it by action_id

    render(page, ex["home"]["blocks"])
    page.get_by_label("More actions").first.select_option(label="🏆 Mark achieved")
    [action] = page.evaluate("window.actions")
    assert action["action_id"] == "goal_menu"
    assert action["selected_option"]["value"] == "achieved:1"


def test_peoples_text_stays_inert(page: Any) -> None:
    ex = _examples()
    render(page, ex["home"]["blocks"] + ex["messages"]["logged"])
    text = page.locator("#root").inner_text()
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert "<script>window.__pwned=2</script>" in text
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#root img, #root script").count() == 0


def test_mrkdwn_basics(page: Any) -> None:
    blocks = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*bold* _it_ ~gone~ `code` snake_case_word 14:00: :white_check_mark: "
                "<https://example.org/a|a link> <javascript:alert(1)|not a link> "
                "<@U1> &lt;b&gt; &amp; :unknown_thing:",
            },
        }
    ]
    render(page, blocks, users={"U1": "Dana Lee"})
    root = page.locator("#root")
    assert root.locator("strong").inner_text() == "bold"
    assert root.locator("em").inner_text() == "it"
    assert root.locator("s").inner_text() == "gone"
    assert root.locator("code").inner_text() == "code"
    links = root.locator("a")
    assert links.count() == 1
    assert links.get_attribute("href") == "https://example.org/a"
    text = root.inner_text()
    shown = [
        "snake_case_word",
        "14:00:",
        "✅",
        "not a link",
        "@Dana Lee",
        "<b> &",
        ":unknown_thing:",
    ]
    for piece in shown:
        assert piece in text


def test_inline_errors_and_required_fields(page: Any) -> None:
    render(page, _examples()["win_modal"]["blocks"])
    missing = page.evaluate("BlockKit.missingRequired(document.getElementById('root'))")
    assert missing == {"text": "Please complete this required field."}
    page.get_by_label("Your win").fill("   ")
    assert page.evaluate("BlockKit.missingRequired(document.getElementById('root'))") == {}

    page.evaluate(
        """BlockKit.showErrors(document.getElementById('root'),
            {text: 'Write your win first.', occurred_on: "A win can't be in the future."})"""
    )
    win = page.get_by_label("Your win")
    assert win.get_attribute("aria-invalid") == "true"
    assert page.get_by_role("alert").filter(has_text="Write your win first.").is_visible()
    assert page.get_by_role("alert").filter(has_text="can't be in the future").is_visible()
    assert page.evaluate("document.activeElement.id") == win.get_attribute("id")
    # Accessible: the error is part of the field's description.
    described = win.get_attribute("aria-describedby") or ""
    error_id = page.get_by_role("alert").first.get_attribute("id")
    assert error_id in described.split()

    page.evaluate("BlockKit.showErrors(document.getElementById('root'), {})")
    assert page.get_by_role("alert").filter(has_text="Write your win").count() == 0


@pytest.fixture
def dead_sandbox() -> Iterator[str]:
    """Serves the page's files and answers every /sandbox/ request 503, like a stand-in
    that lost its back end."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            file = STATIC / ("index.html" if path == "/" else path.removeprefix("/static/"))
            if path.startswith("/sandbox/") or not file.is_file():
                self.send_response(503)
                body = b'{"error": "Benchmate is not running"}'
                self.send_header("Content-Type", "application/json")
            else:
                self.send_response(200)
                body = file.read_bytes()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_page_says_when_the_sandbox_does_not_answer(browser: Any, dead_sandbox: str) -> None:
    page = browser.new_page()
    page.goto(f"{dead_sandbox}/?member=U0LENA")
    expect(page.get_by_role("status")).to_contain_text(
        "The sandbox isn't answering (Benchmate is not running)"
    )
    page.close()


# --- the story, against a real sandbox ---------------------------------------------------

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 09:00 in the lab (Chicago)
MENTEE = "U0LENA"  # the seeded lab's mentee in its one active pair
COORDINATOR = "U0DANA"
WAIT_MS = 20_000  # Benchmate runs in its own processes on a small shared machine


@pytest.fixture(scope="module")
def sandbox(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`benchmate sandbox` in-process on a free port: the stand-in for Slack, the real
    Benchmate behind it (its own processes), the seeded demo lab."""
    try:
        from sandbox.server import Sandbox
    except ImportError:
        pytest.skip("the stand-in (sandbox/server.py) is not on this branch yet")
    box = Sandbox(tmp_path_factory.mktemp("sandbox"), port=0, start=START)
    try:
        box.start()
        yield box
    finally:
        box.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: BENCHMATE_SCREENSHOTS (`make screenshots` sets docs/img),
    else a temporary folder, so a test run leaves the repository alone."""
    folder = Path(os.environ.get("BENCHMATE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def say(page: Any, text: str) -> None:
    """Types into the message box and presses Enter, as a person does."""
    box = page.get_by_label("Message Benchmate")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("", timeout=WAIT_MS)


def be(page: Any, member: str) -> None:
    page.get_by_label("You are").select_option(member)
    close_modals(page)
    page.get_by_role("button", name="💬 Benchmate", exact=True).click()


def close_modals(page: Any) -> None:
    """Closes whatever modal is open (Escape, as a person would)."""
    dialog = page.locator("dialog#modal")
    page.wait_for_timeout(700)  # a poll, so a modal left open by the seed is on screen
    while dialog.evaluate("d => d.open"):
        page.keyboard.press("Escape")
        expect(dialog).not_to_be_visible(timeout=WAIT_MS)
        page.wait_for_timeout(700)


def shot(page: Any, path: Path) -> None:
    """A screenshot of what a person sees, without a notice left over the messages."""
    dismiss = page.get_by_role("button", name="Dismiss this notice")
    if dismiss.is_visible() and not page.locator("dialog#modal").evaluate("d => d.open"):
        dismiss.click()
    page.screenshot(path=str(path))


def unlabelled_controls(page: Any) -> list[str]:
    """Form controls on screen without an accessible name."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
            .filter((c) => c.offsetParent !== null)
            .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                && !c.getAttribute('aria-labelledby') && !c.textContent.trim()
                && !c.closest('[role=group],[role=radiogroup]')?.getAttribute('aria-labelledby'))
            .map((c) => c.outerHTML)"""
    )


def clock(page: Any, button: str) -> None:
    before = page.locator("#now").inner_text()
    page.get_by_role("button", name=button).click()
    expect(page.locator("#now")).not_to_have_text(before, timeout=60_000)
    expect(page.get_by_role("status")).to_contain_text("Clock moved to", timeout=WAIT_MS)


def test_story_in_a_real_browser(browser: Any, sandbox: Any, shots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    expect.set_options(timeout=WAIT_MS)
    page.goto(f"{sandbox.url}/?member={MENTEE}")
    main = page.locator("#messages")
    expect(main).to_contain_text("Logged your win")  # the seeded lab's
    page.wait_for_timeout(700)  # a poll more: no modal left open by the seed shows up
    expect(page.locator("dialog#modal")).not_to_be_visible()

    # The keyboard: the first Tab reaches "Skip to the message box", which goes there.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Message Benchmate")).to_be_focused()

    # /win logs a win: the answer only the member sees, with Edit and Undo.
    win = "Validated the new coagulation analyzer ahead of the CAP inspection"
    say(page, f"/win {win}")
    answer = main.locator("li.ephemeral").filter(has_text=win)
    expect(answer).to_contain_text("Logged your win")
    expect(answer).to_contain_text("Only visible to you")
    expect(answer.get_by_role("button", name="Undo")).to_be_visible()

    # The Home tab shows it.
    page.get_by_role("button", name="Benchmate · Home").click()
    home = page.locator("#home")
    expect(home).to_contain_text("Your wins")
    expect(home).to_contain_text(win)
    shot(page, shots / "sandbox-home.png")
    home.get_by_role("button", name="Log a win").click()  # a Home tab button: block_actions
    expect(page.get_by_role("dialog", name="Log a win")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Log a win")).not_to_be_visible()

    # A person's text that looks like markup is shown as typed and never runs.
    page.get_by_role("button", name="💬 Benchmate", exact=True).click()
    say(page, f"/win {HOSTILE}")
    expect(main.locator("li.ephemeral").last).to_contain_text('<img src=x onerror="window')
    assert page.evaluate("window.__pwned") is None
    assert main.locator("img[src='x'], script").count() == 0
    # Undo (a button on an ephemeral answer, through response_url) takes it back.
    hostile = main.locator("li.ephemeral").last
    hostile.get_by_role("button", name="Undo").click()
    expect(hostile).to_contain_text("Removed 1 win. Nothing else changed.")

    # Friday 14:00 on her clock: the weekly prompt; a reply in its thread is logged, ✅.
    clock(page, "Next Friday 14:00")
    expect(page.locator("#now")).to_contain_text("Fri")
    expect(page.locator("#now")).to_contain_text("14:00")
    prompt = main.locator("li").filter(has_text="What went well this week?").last
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Reply in thread").click()
    reply = "Trained two new hires on peripheral smear review"
    thread = page.locator("#thread")
    thread.get_by_label("Reply in thread").fill(reply)
    thread.get_by_label("Reply in thread").press("Enter")
    replied = thread.locator("li").filter(has_text=reply)
    expect(replied.locator(".reaction")).to_have_text("✅ 1")
    expect(prompt).to_contain_text("1 reply")
    prompt.scroll_into_view_if_needed()
    shot(page, shots / "sandbox-dm-win.png")
    page.get_by_role("button", name="Close the thread").click()

    # The win form: an empty win is refused in the page (as Slack's client does), a
    # blank one by Benchmate (response_action: errors), both inline under the field.
    say(page, "/win")
    dialog = page.get_by_role("dialog", name="Log a win")
    expect(dialog).to_be_visible()
    field = dialog.get_by_label("Your win")
    expect(field).to_be_focused()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_have_text("Please complete this required field.")
    field.fill("   ")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_have_text("A win needs some words: what went well?")
    expect(field).to_have_attribute("aria-invalid", "true")
    shot(page, shots / "sandbox-win-form-error.png")
    assert unlabelled_controls(page) == []
    # Filled in, it is saved: the form closes and Benchmate republishes the Home tab.
    first = "document.querySelector('#messages > li')"
    page.evaluate(f"{first}.probe = 'kept'")
    field.fill("Calibrated the backup hematology analyzer")
    dialog.get_by_label("Category").select_option(label="Technical proficiency")
    dialog.get_by_label("Share with my mentor").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).not_to_be_visible()
    page.wait_for_function(
        "() => JSON.stringify(Sandbox.state.home).includes('Calibrated the backup')"
    )
    # The conversation was not redrawn for it: the messages there stay (so aria-live
    # announces only what is new).
    assert page.evaluate(f"{first}.probe") == "kept"

    # The coordinator proposes pairs and approves them.
    be(page, COORDINATOR)
    # (The program channel is there too; Benchmate does not read it, and the page says so.)
    page.get_by_role("button", name="# lab-mentoring").click()
    box = page.get_by_label("Message #lab-mentoring")
    box.fill("Welcome to the mentorship program, everyone!")
    box.press("Enter")
    expect(main).to_contain_text("Welcome to the mentorship program, everyone!")
    expect(page.get_by_role("status")).to_contain_text("Benchmate reads only its own DMs")
    page.get_by_role("button", name="💬 Benchmate", exact=True).click()
    say(page, "/program match")
    dialog = page.get_by_role("dialog", name="Proposed pairs")
    expect(dialog).to_contain_text("proposed pair(s)")
    expect(dialog.get_by_role("checkbox").nth(1)).to_be_focused()  # past the JSON box
    # A proposed mentor whose 14:00 reminder is due two weeks on at 14:00 in Chicago (one
    # further west gets it an hour or more later, on their own clock).
    members = {m["name"]: m for m in page.evaluate("Sandbox.state.members")}
    mentors = [t.split(" → ")[0] for t in dialog.locator(".bk-choice label").all_inner_texts()]
    mentor = next(
        members[name]["id"]
        for name in mentors
        if members[name]["tz"] in ("America/New_York", "America/Chicago")
    )
    shot(page, shots / "sandbox-match.png")
    dialog.get_by_role("button", name="Approve").click()
    expect(dialog).to_contain_text("Approved")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).not_to_be_visible()

    # Two weeks on, the new mentor is reminded to meet.
    clock(page, "+2 weeks")
    be(page, mentor)
    reminder = main.locator("li").filter(has_text="Time to meet").last
    expect(reminder).to_be_visible()
    expect(reminder.get_by_role("button", name="Log a meeting")).to_be_visible()
    reminder.scroll_into_view_if_needed()
    shot(page, shots / "sandbox-meeting-reminder.png")

    # The coordinator's report, its chart in the DM, downloaded.
    be(page, COORDINATOR)
    say(page, "/program report")
    chart = main.locator(".file").last
    expect(chart.locator("img")).to_be_visible()
    expect(main).to_contain_text("Mentorship program report")
    chart.scroll_into_view_if_needed()
    shot(page, shots / "sandbox-report-chart.png")
    with page.expect_download() as download:
        chart.get_by_role("link", name="Download").click()
    saved = Path(download.value.path())
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Every message keeps its raw JSON one click away: one message, or all of them.
    toggle = chart.locator("xpath=ancestor::li").get_by_role("button", name="Raw JSON of")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    raw = json.loads(main.locator("pre.raw").last.inner_text())
    assert raw["files"][0]["name"].endswith(".png")
    assert main.locator("pre.raw").count() == 1
    page.get_by_role("checkbox", name="Raw JSON").check()
    assert main.locator("pre.raw").count() == main.locator(":scope > li").count()
    page.get_by_role("checkbox", name="Raw JSON").uncheck()
    toggle = chart.locator("xpath=ancestor::li").get_by_role("button", name="Raw JSON of")
    toggle.click()
    expect(main.locator("pre.raw")).to_have_count(0)

    # A chosen instant, on the member's own clock (Dana's: Chicago).
    page.get_by_label("Jump to (Chicago)").fill("2026-12-21T08:30")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#now")).to_contain_text("Mon, 21 Dec 2026, 08:30")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert win in json.dumps([m for m in exported["messages"] if m["channel"] == "D0LENA"])
    assert unlabelled_controls(page) == []

    # Reset: the seeded lab again, at the start instant.
    page.get_by_role("button", name="Reset").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("back to the seeded demo lab", timeout=90_000)
    expect(page.locator("#now")).to_contain_text("1 Dec 2026, 09:00")
    be(page, MENTEE)
    expect(main).to_contain_text("Logged your win")  # the seeded ones
    expect(main).not_to_contain_text(win)

    context.close()
    assert not errors, errors


def test_a_roster_file_attached_on_the_page_reaches_benchmate(
    browser: Any, sandbox: Any, tmp_path: Path
) -> None:
    """The coordinator attaches a roster CSV to a message in the app DM, then picks one
    in the `/program import` form's file field: both reach Benchmate as from Slack."""
    from sandbox import lab

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expect.set_options(timeout=WAIT_MS)
    roster = tmp_path / "roster.csv"
    roster.write_text(lab.roster_csv())
    page.goto(f"{sandbox.url}/?member={COORDINATOR}")
    main = page.locator("#messages")
    be(page, COORDINATOR)

    page.get_by_label("Attach a file").set_input_files(str(roster))
    box = page.get_by_label("Message Benchmate")
    box.fill("this term's roster")
    box.press("Enter")
    expect(box).to_have_value("")
    mine = main.locator("li").filter(has_text="this term's roster").last
    expect(mine.get_by_role("link", name="Download roster.csv")).to_be_visible()
    expect(main).to_contain_text("roster.csv: imported 9 people: 0 new, 9 updated")
    assert page.get_by_label("Attach a file").input_value() == ""

    say(page, "/program import")
    dialog = page.locator("dialog#modal")
    expect(dialog).to_be_visible()
    staff = tmp_path / "staff.csv"
    staff.write_text(lab.roster_csv())
    dialog.get_by_label("Roster CSV file").set_input_files(str(staff))
    dialog.get_by_role("button", name="Import").click()
    expect(dialog).to_contain_text("Reading staff.csv")
    expect(main).to_contain_text("staff.csv: imported 9 people: 0 new, 9 updated")
    assert unlabelled_controls(page) == []
    state = page.evaluate("fetch('/sandbox/export').then(r => r.json())")
    fetched = [c for c in state["calls"] if c["method"] == "download"]
    assert len(fetched) == 2 and all(c["ok"] for c in fetched)
    assert state["violations"] == []
    context.close()
    assert not errors, errors
