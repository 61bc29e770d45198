"""Roster import from a CSV file a coordinator uploads in the app DM: fetched with the
bot token from the fake Slack, imported all or nothing, answered with the CLI's own
per-line report; through the real HTTP endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.rules.upload import MAX_BYTES
from tests.conftest import COORDINATOR, Running, run_app
from tests.fakeslack import FakeSlack
from tests.program_helpers import ROSTER, audit, counts

_ts = itertools.count(1)


def shared(bench: Running, file: dict[str, Any], user: str = COORDINATOR, **kw: Any) -> Any:
    """The message.im event Slack sends when `user` uploads `file` in the app DM."""
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": "",
        "ts": f"{1800000000 + next(_ts)}.000100",
        "files": [file],
        "upload": False,
    }
    reply = bench.client.event(event, **kw)
    assert reply.status == 200
    return reply


def dms(bench: Running, user: str = COORDINATOR) -> list[str]:
    return [m["text"] for m in bench.slack.posted("D" + user[1:])]


def wait_for_answer(bench: Running, count: int = 2, timeout: float = 10.0) -> list[str]:
    """The coordinator's DM once `count` messages are in it (progress, then result)."""
    deadline = time.monotonic() + timeout
    while len(dms(bench)) < count:
        assert time.monotonic() < deadline, dms(bench)
        time.sleep(0.02)
    return dms(bench)


def big_roster(slack: FakeSlack, people: int) -> str:
    """`people` lab staff known to the fake Slack, half by user id and half by e-mail."""
    lines = ["user,role,career level,lab section,mentor capacity,shift"]
    for n in range(people):
        user = f"U7{n:05d}"
        email = f"tech{n}@lab.org"
        slack.add_user(user, f"Tech {n}", email=email)
        who = user if n % 2 else email
        if n % 3 == 0:
            lines.append(f"{who},mentor,senior,hematology,2,day")
        else:
            lines.append(f"{who},mentee,entry,chemistry,,night")
    return "\n".join(lines) + "\n"


def test_a_coordinators_csv_is_downloaded_with_the_token_and_imported(program: Running) -> None:
    file = program.slack.add_file("roster.csv", ROSTER, user=COORDINATOR)

    shared(program, file)

    progress, done = wait_for_answer(program)
    assert "Reading *roster.csv*" in progress
    assert done == ":white_check_mark: *roster.csv*: imported 4 people: 4 new, 0 updated."
    [download] = program.slack.sent("download")
    assert download.token == "xoxb-test-token"
    assert counts(program)["program_profiles"] == 4
    assert audit(program) == [(COORDINATOR, "roster_import")]
    assert program.slack.violations == []


def test_bad_rows_get_the_clis_report_and_nothing_is_imported(
    program: Running,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = ROSTER + "U501,boss,senior,,,,,,,\nnobody@lab.org,mentee,entry,,,,,,,\n<!here>,x,y\n"
    file = program.slack.add_file("roster.csv", bad)

    shared(program, file)

    done = wait_for_answer(program)[-1]
    # What the CLI prints for the same file, line for line.
    path = tmp_path / "roster.csv"
    path.write_text(bad)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", program.slack.api_url)
    monkeypatch.setenv("DATABASE_URL", program.db.url)
    assert main(["roster", "import", str(path)]) == 1
    cli = capsys.readouterr().err
    assert "line 6: role 'boss' is not one of mentor, mentee, both" in cli
    assert "<!here>" in cli
    shown = done.split("```")[1]
    plain = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert plain + "\n" == cli
    assert "<!here>" not in done  # inert in Slack
    assert counts(program)["program_profiles"] == 0
    assert counts(program)["members"] == 0
    assert program.slack.violations == []


def test_a_long_report_comes_whole_in_an_attached_file(program: Running) -> None:
    bad = ROSTER + "".join(f"U5{n:02d},boss,senior,,,,,,,\n" for n in range(30))
    file = program.slack.add_file("staff.csv", bad)

    shared(program, file)

    [done] = program.slack.wait_for("files.completeUploadExternal", timeout=10)
    comment = done.args["initial_comment"]
    assert "nothing imported: 30 problem(s)" in comment
    assert "Every problem is in the attached file (30 in all)" in comment
    [report] = program.slack.uploads.values()
    lines = report.decode().splitlines()
    assert len(lines) == 31
    assert lines[0] == "line 6: role 'boss' is not one of mentor, mentee, both"
    assert lines[-1] == "nothing imported: 30 problem(s)"
    assert counts(program)["program_profiles"] == 0


def refuses_a_non_coordinators_file(program: Running) -> None:
    """A roster shared in the app DM by someone who coordinates nothing: a short
    refusal, the file never downloaded, nothing imported."""
    file = program.slack.add_file("roster.csv", ROSTER, user="U401")

    shared(program, file, user="U401")

    program.slack.wait_for("chat.postMessage")
    [note] = dms(program, "U401")
    assert "Your file was not opened" in note
    assert program.slack.sent("download") == []
    assert counts(program)["program_profiles"] == 0


def test_a_non_coordinators_file_is_not_downloaded(program: Running) -> None:
    refuses_a_non_coordinators_file(program)


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        (
            "roster.xlsx",
            {"filetype": "xlsx", "mimetype": "application/vnd.ms-excel"},
            "not a CSV file",
        ),
        ("roster.csv", {"size": MAX_BYTES + 1}, "a roster file can be at most 2.0 MB"),
    ],
)
def test_a_spreadsheet_or_an_oversized_file_is_refused_before_download(
    program: Running, name: str, kwargs: dict[str, Any], expected: str
) -> None:
    file = program.slack.add_file(name, ROSTER, **kwargs)

    shared(program, file)

    program.slack.wait_for("chat.postMessage")
    [answer] = dms(program)
    assert expected in answer and "Nothing imported" in answer
    assert program.slack.sent("download") == []
    assert counts(program)["program_profiles"] == 0


def test_a_file_larger_than_it_claimed_is_cut_off(program: Running) -> None:
    padding = "U301,mentor,senior,,,,,,,\n" * (MAX_BYTES // 20)
    file = program.slack.add_file("roster.csv", ROSTER + padding, size=1000)

    shared(program, file)

    program.slack.wait_for("chat.postMessage")
    [answer] = dms(program)
    assert "over 2.0 MB" in answer
    assert counts(program)["program_profiles"] == 0


@pytest.mark.parametrize("status", [500, 404])
def test_a_failed_download_gets_a_friendly_answer(program: Running, status: int) -> None:
    program.slack.fail_download(status)
    file = program.slack.add_file("roster.csv", ROSTER)

    shared(program, file)

    program.slack.wait_for("chat.postMessage")
    [answer] = dms(program)
    assert answer.startswith(":warning: Nothing imported: Benchmate could not fetch *roster.csv*")
    assert f"HTTP {status}" in answer and "Upload it again" in answer
    assert counts(program)["program_profiles"] == 0


def test_slacks_sign_in_page_is_not_taken_for_the_roster(program: Running) -> None:
    """Without a token (or without files:read) Slack answers 200 with an HTML page."""
    from bot.usecases.roster_upload import DownloadFailed, download

    file = program.slack.add_file("roster.csv", ROSTER)
    with pytest.raises(DownloadFailed, match="sign-in page"):
        download(file["url_private_download"], "", max_bytes=MAX_BYTES)
    assert download(file["url_private_download"], "xoxb-test-token", max_bytes=MAX_BYTES) == (
        ROSTER.encode()
    )


def test_a_retried_event_imports_once(program: Running) -> None:
    file = program.slack.add_file("roster.csv", ROSTER)

    shared(program, file, event_id="EvUPLOAD1")
    shared(program, file, event_id="EvUPLOAD1", headers={"X-Slack-Retry-Num": "1"})

    wait_for_answer(program)
    time.sleep(0.3)  # a second import, if any, would have started by now
    assert len(dms(program)) == 2
    assert len(program.slack.sent("download")) == 1
    assert audit(program) == [(COORDINATOR, "roster_import")]


def test_the_bots_own_file_in_a_dm_is_ignored(program: Running) -> None:
    """The export and the long report are files Benchmate posts in DMs itself."""
    file = program.slack.add_file("wins.csv", "a,b\n", user="UBOT")

    shared(program, file, user="UBOT")

    time.sleep(0.3)
    assert program.slack.sent("download") == []
    assert program.slack.sent("chat.postMessage") == []


def test_an_event_with_only_the_file_id_is_completed_with_files_info(program: Running) -> None:
    file = program.slack.add_file("roster.csv", ROSTER)

    shared(program, {"id": file["id"]})

    assert wait_for_answer(program)[-1].endswith("imported 4 people: 4 new, 0 updated.")
    assert program.slack.sent("files.info")[0].args["file"] == file["id"]
    assert program.slack.violations == []


def test_rate_limited_lookups_are_waited_out(program: Running) -> None:
    """Three 429s in a row on one look-up: more than Bolt's client retries."""
    program.slack.fail("users.lookupByEmail", status=429, retry_after=0, times=3)
    file = program.slack.add_file("roster.csv", ROSTER)

    shared(program, file)

    assert wait_for_answer(program, timeout=20)[-1].endswith("4 new, 0 updated.")
    statuses = [c.status for c in program.slack.sent("users.lookupByEmail")]
    assert statuses.count(429) == 3


@pytest.fixture
def pg_program(slack: FakeSlack, postgres_url: str) -> Iterator[Running]:
    slack.add_user(COORDINATOR, "Cora Coordinator", "America/Chicago")
    yield from run_app(slack, postgres_url, coordinators=frozenset({COORDINATOR}))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_program(request: pytest.FixtureRequest) -> Running:
    if request.param == "sqlite":
        return request.getfixturevalue("program")
    return request.getfixturevalue("pg_program")


def test_five_thousand_rows_are_imported_in_one_transaction(any_program: Running) -> None:
    roster = big_roster(any_program.slack, 5000)
    file = any_program.slack.add_file("network.csv", roster)

    shared(any_program, file)

    done = wait_for_answer(any_program, timeout=180)[-1]
    assert done == ":white_check_mark: *network.csv*: imported 5000 people: 5000 new, 0 updated."
    assert counts(any_program)["program_profiles"] == 5000
    assert audit(any_program) == [(COORDINATOR, "roster_import")]  # one import, one audit
    if any_program.db.url.startswith("postgresql"):
        # Every row written by the one same transaction.
        with any_program.db.begin() as session:
            writers = session.execute(
                text("SELECT count(DISTINCT xmin::text) FROM program_profiles")
            ).scalar_one()
        assert writers == 1


def test_five_thousand_rows_with_one_bad_one_import_nothing(any_program: Running) -> None:
    roster = big_roster(any_program.slack, 5000)
    roster = roster.replace("\ntech4000@lab.org,", "\nnobody4000@lab.org,")
    file = any_program.slack.add_file("network.csv", roster)

    shared(any_program, file)

    done = wait_for_answer(any_program, timeout=180)[-1]
    assert "line 4002: nobody in this Slack workspace has the e-mail nobody4000@lab.org" in done
    assert "nothing imported: 1 problem(s)" in done
    assert counts(any_program)["program_profiles"] == 0
    assert counts(any_program)["members"] == 0


def test_the_import_form_takes_a_file_and_answers_in_the_dm(program: Running) -> None:
    program.client.command("/program", "import", user=COORDINATOR)
    view = program.slack.wait_for("views.open")[0].args["view"]
    file = program.slack.add_file("roster.csv", ROSTER, user=COORDINATOR)

    reply = program.client.submit(view, {"csv_file": [file]}, user=COORDINATOR)

    notice = reply.json()["view"]
    assert "Reading *roster.csv*" in notice["blocks"][0]["text"]["text"]
    assert wait_for_answer(program)[-1].endswith("imported 4 people: 4 new, 0 updated.")
    assert len(program.slack.sent("download")) == 1
    assert counts(program)["program_profiles"] == 4
    assert program.slack.violations == []


def test_the_import_form_asks_for_a_file_or_text(program: Running) -> None:
    program.client.command("/program", "import", user=COORDINATOR)
    view = program.slack.wait_for("views.open")[0].args["view"]

    reply = program.client.submit(view, {}, user=COORDINATOR)

    assert reply.json() == {
        "response_action": "errors",
        "errors": {"csv_file": "Upload the roster CSV file, or paste it below."},
    }


def test_the_token_goes_only_to_slack() -> None:
    from bot.rules.upload import trusted_download_url

    api = "https://slack.com/api/"
    assert trusted_download_url("https://files.slack.com/files-pri/T1-F1/download/r.csv", api)
    assert not trusted_download_url("http://files.slack.com/files-pri/T1-F1/r.csv", api)
    assert not trusted_download_url("https://files.slack.com.evil.org/r.csv", api)
    assert not trusted_download_url("https://evil.org/slack.com/r.csv", api)
    assert trusted_download_url("http://127.0.0.1:9/files-pri/x", "http://127.0.0.1:9/api/")
    assert not trusted_download_url("http://127.0.0.1:8/files-pri/x", "http://127.0.0.1:9/api/")


def test_a_file_name_with_markup_is_shown_inert(program: Running) -> None:
    file = program.slack.add_file("<!channel> *big*.csv", ROSTER)

    shared(program, file)

    done = wait_for_answer(program)[-1]
    assert "&lt;!channel&gt;  big .csv" in done
    assert "<!channel>" not in done


def test_a_database_failure_mid_import_leaves_nothing_and_says_so(program: Running) -> None:
    """The 4th profile's insert fails: the members and profiles before it roll back too."""
    with program.db.begin() as session:
        session.execute(
            text(
                "CREATE TRIGGER fail_4th BEFORE INSERT ON program_profiles "
                "WHEN (SELECT count(*) FROM program_profiles) >= 3 "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        )
    file = program.slack.add_file("roster.csv", ROSTER)

    shared(program, file)

    done = wait_for_answer(program)[-1]
    assert done.startswith(":warning: Nothing imported: Benchmate's database did not answer.")
    assert counts(program)["program_profiles"] == 0
    assert counts(program)["members"] == 0
    assert audit(program) == []
