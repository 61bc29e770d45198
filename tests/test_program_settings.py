"""`/program settings` end to end: the form (validated, inline errors, audited), and
what reads it: the weekly digest's day, hour and time zone, goal review dates, the
default meeting cadence; and survey results filtered by a date range."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.rules.digest import due_digest
from bot.rules.program_settings import DateRange, parse_cadence, parse_range, parse_review_dates
from bot.store.models import AuditEntry, Goal, Member, Pair, ProgramSettings, SurveyResponse
from bot.usecases.program_settings import next_review_after_change
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import COORDINATOR, Running
from tests.program_helpers import audit, counts, ephemeral_text, import_roster
from tests.scenario import block
from tests.test_digest import log_win, posts_to
from tests.test_weekly_prompts import join

# The clock starts Fri Nov 20 2026 15:00 UTC, 09:00 in Chicago.
GOOD = {
    "review_dates": "12-01, 06-01",
    "digest_weekday": "4",  # Friday
    "digest_hour": "9",
    "tz": "America/Chicago",
    "cadence": "every 3 weeks",
}


def open_settings(bench: Running, user: str = COORDINATOR) -> dict[str, Any]:
    opened = len(bench.slack.sent("views.open"))
    bench.client.command("/program", "settings", user=user)
    return bench.slack.wait_for("views.open", opened + 1)[-1].args["view"]


def save_settings(bench: Running, values: dict[str, Any]) -> dict[str, Any]:
    return dict(bench.client.submit(open_settings(bench), values, user=COORDINATOR).json())


def stored(bench: Running) -> tuple[Any, ...] | None:
    with bench.db.begin() as session:
        row = session.scalars(select(ProgramSettings)).first()
        if row is None:
            return None
        return (row.review_dates, row.digest_weekday, row.digest_hour, row.tz, row.cadence_days)


def tick(bench: Running, at: datetime) -> list[tuple[str, str, str]]:
    bench.clock.current = at
    lines = run_pass(bench.deps, scheduler_gateway(bench.deps), at)
    return [(line.status, line.user, line.period) for line in lines if line.kind == "weekly_digest"]


# --- the pure rules ----------------------------------------------------------------


def test_reading_the_forms_words() -> None:
    assert parse_review_dates("12-01, 6-1 06-01") == ((6, 1), (12, 1))
    assert parse_review_dates("02-29") == ((2, 29),)
    assert "not a date" in str(parse_review_dates("02-30"))
    assert "month-day" in str(parse_review_dates("June 1"))
    assert parse_cadence("every 3 weeks") == 21
    assert parse_cadence("10 days") == 10
    assert isinstance(parse_cadence("every 14 weeks"), str)
    assert parse_range("from 2026-01-01 to 2026-06-30") == DateRange(
        date(2026, 1, 1), date(2026, 6, 30)
    )
    assert parse_range("since 2026-01-01") == DateRange(date(2026, 1, 1), None)
    assert parse_range("") == DateRange(None, None)
    assert "after" in str(parse_range("from 2026-06-30 to 2026-01-01"))
    assert "YYYY-MM-DD" in str(parse_range("from 30/06/2026"))
    assert "couldn't read" in str(parse_range("last month"))


def test_the_digest_day_hour_and_zone() -> None:
    # Default: Monday 14:00 UTC, the ISO week just ended (as before settings existed).
    monday = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    week = due_digest(monday)
    assert week is not None and week.period == "2026-W47"
    assert week.start == datetime(2026, 11, 16, tzinfo=UTC)
    # Friday 09:00 in Chicago (15:00 UTC in November): the seven local days before.
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    kw = {"weekday": 4, "hour": 9, "tz": "America/Chicago"}
    assert due_digest(friday - timedelta(minutes=1), **kw) != due_digest(friday, **kw)
    week = due_digest(friday, **kw)
    assert week is not None and week.period == "2026-W47"
    assert (week.start, week.end) == (
        datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 6, 0, tzinfo=UTC),
    )
    assert due_digest(friday + timedelta(days=3), **kw) is None


def test_changed_review_dates_never_land_in_the_past() -> None:
    today = date(2026, 11, 20)
    dates = ((6, 1), (12, 1))
    assert next_review_after_change(date(2026, 11, 2), today, dates) == date(2026, 12, 1)
    assert next_review_after_change(date(2026, 3, 1), today, dates) == date(2026, 12, 1)
    assert next_review_after_change(date(2026, 9, 1), today, ()) == date(2027, 3, 1)
    assert next_review_after_change(date(2026, 3, 1), today, ()) == date(2026, 11, 21)


# --- the form ----------------------------------------------------------------------


def test_the_form_shows_the_defaults_then_saves_and_audits(program: Running) -> None:
    view = open_settings(program)
    assert block(view, "review_dates")["element"].get("initial_value") is None
    assert block(view, "digest_weekday")["element"]["initial_option"]["value"] == "0"
    assert block(view, "digest_hour")["element"]["initial_option"]["value"] == "14"
    assert block(view, "tz")["element"]["initial_value"] == "UTC"
    assert block(view, "cadence")["element"]["initial_value"] == "every 2 weeks"
    assert "six months after each goal" in json.dumps(view)

    done = program.client.submit(view, GOOD, user=COORDINATOR).json()

    assert done["response_action"] == "update"
    assert "Saved" in json.dumps(done["view"])
    assert stored(program) == ("06-01, 12-01", 4, 9, "America/Chicago", 21)
    assert audit(program)[-1] == (COORDINATOR, "program_settings")
    with program.db.begin() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        changed = json.loads(entry.details)["changed"]
    assert changed["digest_hour"] == [14, 9]
    assert changed["review_dates"] == [[], [[6, 1], [12, 1]]]
    again = open_settings(program)
    assert block(again, "review_dates")["element"]["initial_value"] == "06-01, 12-01"
    assert block(again, "cadence")["element"]["initial_value"] == "every 3 weeks"


def test_wrong_fields_get_their_own_error_and_nothing_is_saved(program: Running) -> None:
    before = counts(program)
    answer = save_settings(
        program,
        {**GOOD, "review_dates": "13-01", "tz": "Mars/Olympus", "cadence": "fortnightly"},
    )
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"review_dates", "tz", "cadence"}
    assert "months go 01–12" in answer["errors"]["review_dates"]
    assert stored(program) is None
    assert counts(program) == before


def test_only_coordinators_change_settings(program: Running) -> None:
    reply = program.client.command("/program", "settings", user="U301")
    assert "only for the mentorship program's coordinators" in ephemeral_text(reply)
    view = open_settings(program)
    forged = program.client.submit(view, GOOD, user="U301").json()
    assert forged["response_action"] == "update"
    assert "Coordinators only" in json.dumps(forged["view"])
    assert stored(program) is None


# --- what reads the settings -------------------------------------------------------


def test_the_digest_goes_out_on_the_programs_day_hour_and_zone(program: Running) -> None:
    import_roster(program)
    program.client.command("/program", "channel <#C0PROGRAM|mentoring>", user=COORDINATOR)
    save_settings(program, GOOD)
    log_win(program, "U301", {"text": "Cut troponin TAT by 12 min", "digest": True})

    # Not the default Monday 14:00 UTC any more. (Saved on a Friday at 09:00 Chicago:
    # the week before it is due at once, and settled without a post, as it was empty.)
    monday = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert tick(program, monday) == [("empty", "C0PROGRAM", "2026-W46")]
    assert posts_to(program, "C0PROGRAM") == []
    friday_9_chicago = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert tick(program, friday_9_chicago - timedelta(minutes=1)) == []
    assert tick(program, friday_9_chicago) == [("sent", "C0PROGRAM", "2026-W47")]
    assert tick(program, friday_9_chicago + timedelta(hours=1)) == []
    [post] = posts_to(program, "C0PROGRAM")
    assert "Cut troponin TAT" in json.dumps(post["blocks"])


def test_goal_reviews_follow_the_dates_set_in_slack(program: Running) -> None:
    join(program, "U100")

    def add_goal(title: str, created: datetime, due: date | None = None) -> int:
        with program.db.begin() as session:
            who = session.scalars(select(Member).where(Member.slack_user_id == "U100")).one()
            goal = Goal(
                team_id="T0001",
                member_id=who.id,
                title=title,
                status="active",
                created_at=created,
                review_due_on=due,
            )
            session.add(goal)
            session.flush()
            return goal.id

    # Scheduled six months on before the change: saving the dates reschedules it.
    old = add_goal("Cut TAT", datetime(2026, 9, 1, tzinfo=UTC), date(2027, 3, 1))
    save_settings(program, GOOD)
    # Set after the change: the scheduler gives it the program's next date.
    new = add_goal("Master PCR", datetime(2026, 11, 2, tzinfo=UTC))
    run_pass(program.deps, scheduler_gateway(program.deps), program.clock.now())

    with program.db.begin() as session:
        due = [session.get(Goal, i).review_due_on for i in (old, new)]  # type: ignore[union-attr]
    assert due == [date(2026, 12, 1), date(2026, 12, 1)]


def test_new_pairs_meet_at_the_programs_default_cadence(program: Running) -> None:
    import_roster(program)
    save_settings(program, GOOD)
    program.client.command("/program", "pair <@U301> <@U401>", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage")
    program.client.command("/program", "pair <@U302> <@U402> every 10 days", user=COORDINATOR)
    program.slack.wait_for("chat.postMessage", 2)
    with program.db.begin() as session:
        cadences = session.scalars(select(Pair.cadence_days).order_by(Pair.id)).all()
    assert cadences == [21, 10]
    intro = program.slack.sent("chat.postMessage")[0].args["text"]
    assert "every 3 weeks" in intro


# --- survey results by date range --------------------------------------------------


def seed_answers(bench: Running, when: list[datetime]) -> None:
    import_roster(bench)
    bench.client.command("/program", "pair <@U301> <@U401>", user=COORDINATOR)
    bench.slack.wait_for("chat.postMessage")
    with bench.db.begin() as session:
        pair = session.scalars(select(Pair)).one()
        for n, at in enumerate(when):
            person = Member(
                team_id="T0001", slack_user_id=f"U70{n}", name=f"Person {n}", created_at=at
            )
            session.add(person)
            session.flush()
            session.add(
                SurveyResponse(
                    team_id="T0001",
                    pair_id=pair.id,
                    member_id=person.id,
                    period="pulse-30",
                    satisfaction=5 if at.month == 6 else 3,
                    comment="",
                    anonymous=False,
                    answered_at=at,
                )
            )


def test_survey_results_for_a_date_range(program: Running) -> None:
    june = [datetime(2026, 6, d, 18, 0, tzinfo=UTC) for d in (1, 2, 3, 4, 5)]
    # 04:00 UTC on July 1 is still June 30 in Chicago: in the June range there.
    july = [datetime(2026, 7, 1, 4, 0, tzinfo=UTC)] + [
        datetime(2026, 7, d, 18, 0, tzinfo=UTC) for d in (2, 3, 4)
    ]
    seed_answers(program, june + july)

    def results(text: str) -> str:
        return json.dumps(program.client.command("/program", text, user=COORDINATOR).json())

    assert "9 answers from 9 people" in results("surveys")
    june_only = results("surveys from 2026-06-01 to 2026-06-30")
    assert "2026-06-01 to 2026-06-30" in june_only
    assert "*All surveys*: 5.0 / 5 (5 answers from 5 people)" in june_only
    # Four answers in July: too few people, only the counts, as for all time.
    july_only = results("surveys since 2026-07-01")
    assert "4 answer(s); shown once at least 5" in july_only
    assert audit(program)[-1] == (COORDINATOR, "surveys")

    save_settings(program, GOOD)  # the program's zone is now America/Chicago
    june_chicago = results("surveys from 2026-06-01 to 2026-06-30")
    assert "(6 answers from 6 people)" in june_chicago

    before = counts(program)
    wrong = program.client.command("/program", "surveys from 2026-06-31", user=COORDINATOR)
    assert "YYYY-MM-DD" in ephemeral_text(wrong)
    assert counts(program) == before


@pytest.mark.parametrize("text", ["surveys from yesterday", "surveys to 2026-02-30"])
def test_unreadable_ranges_get_a_friendly_answer(program: Running, text: str) -> None:
    reply = program.client.command("/program", text, user=COORDINATOR)
    assert "`/program surveys from 2026-01-01 to 2026-06-30`" in ephemeral_text(reply)
