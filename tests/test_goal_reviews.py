"""The semiannual goal review: due six months after a goal was set (or on the program's
dates), one DM per member with each goal's wins since the last review and its buttons."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.store.models import Goal, Member, Nudge, Win
from scheduler.runner import run_pass, scheduler_gateway
from tests.conftest import Running
from tests.test_weekly_prompts import FRIDAY_14_CHICAGO, join, member, tick

SET_IN_MAY = datetime(2026, 5, 20, 15, 0, tzinfo=UTC)


def add_goal(bench: Running, title: str, created: datetime, **extra: object) -> int:
    who = member(bench, "U100")
    with bench.db.begin() as session:
        goal = Goal(
            team_id="T0001",
            member_id=who.id,
            title=title,
            status="active",
            created_at=created,
            **extra,
        )
        session.add(goal)
        session.flush()
        return goal.id


def reviews_sent(bench: Running) -> list[dict]:
    return [
        c.args
        for c in bench.slack.sent("chat.postMessage")
        if c.args.get("text") == "Time for your goal review"
    ]


def goal(bench: Running, goal_id: int) -> Goal:
    with bench.db.begin() as session:
        found = session.get(Goal, goal_id)
        assert found is not None
        return found


def test_review_six_months_later_lists_goals_and_their_wins(bench: Running) -> None:
    join(bench, "U100")
    sbb = add_goal(bench, "Earn my SBB certification", SET_IN_MAY)
    add_goal(bench, "Lead the LIS upgrade", SET_IN_MAY + timedelta(days=30))  # not due yet
    who = member(bench, "U100")
    with bench.db.begin() as session:
        session.add(
            Win(
                team_id="T0001",
                member_id=who.id,
                text="passed the SBB practice exam",
                source="slash",
                occurred_on=date(2026, 9, 1),
                logged_at=datetime(2026, 9, 1, tzinfo=UTC),
                goal_id=sbb,
            )
        )
    tick(bench)
    assert goal(bench, sbb).review_due_on == date(2026, 11, 20)
    assert reviews_sent(bench) == []  # due today, at their prompt time (14:00 Chicago)

    lines = tick(bench, FRIDAY_14_CHICAGO)

    assert ("goal_review", "U100", "2026-11-20", "sent") in {
        (line.kind, line.user, line.period, line.status) for line in lines
    }
    [review] = reviews_sent(bench)
    texts = str(review["blocks"])
    assert "Earn my SBB certification" in texts and "Lead the LIS upgrade" not in texts
    assert "passed the SBB practice exam" in texts
    buttons = [e["action_id"] for e in review["blocks"][-1]["elements"]]
    assert buttons == [
        "goal_review_ok",
        "goal_review_achieved",
        "goal_review_retarget",
        "goal_review_drop",
    ]
    assert tick(bench, FRIDAY_14_CHICAGO + timedelta(minutes=1)) == []
    assert len(reviews_sent(bench)) == 1
    assert goal(bench, sbb).review_due_on == date(2027, 5, 20)
    assert goal(bench, sbb).reviewed_at == FRIDAY_14_CHICAGO


def test_program_review_dates_replace_the_six_months(bench: Running) -> None:
    join(bench, "U100")
    set_on = add_goal(bench, "Cut troponin TAT", datetime(2026, 11, 2, tzinfo=UTC))
    settings = dataclasses.replace(bench.deps.settings, review_dates=((6, 1), (12, 1)))
    deps = dataclasses.replace(bench.deps, settings=settings)
    run_pass(deps, scheduler_gateway(deps), bench.clock.now())
    assert goal(bench, set_on).review_due_on == date(2026, 12, 1)


def test_a_review_missed_by_more_than_a_week_is_recorded_not_sent(bench: Running) -> None:
    join(bench, "U100")
    add_goal(bench, "Master PCR", SET_IN_MAY)
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO + timedelta(days=8))
    assert reviews_sent(bench) == []
    with bench.db.begin() as session:
        statuses = {(n.kind, n.status) for n in session.scalars(select(Nudge))}
    assert ("goal_review", "missed") in statuses


def test_review_buttons(bench: Running) -> None:
    join(bench, "U100")
    pcr = add_goal(bench, "Master PCR", SET_IN_MAY)
    qc = add_goal(bench, "Implement new QC rules", SET_IN_MAY)
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    assert len(reviews_sent(bench)) == 1

    bench.client.click("goal_review_ok", str(pcr))
    [answer] = bench.slack.wait_for_response()
    assert "on track" in answer["text"]

    bench.client.click("goal_review_retarget", str(pcr))
    view = bench.slack.wait_for("views.open")[0].args["view"]
    body = bench.client.submit(view, {"target_date": "2026-11-01"}).json()
    assert body["response_action"] == "errors"
    body = bench.client.submit(view, {"target_date": "2027-03-31"}).json()
    assert body["response_action"] == "update"
    assert goal(bench, pcr).target_date == date(2027, 3, 31)

    bench.client.click("goal_review_drop", f"dropped:{qc}")
    bench.slack.wait_for_response(2)
    assert goal(bench, qc).status == "dropped"

    bench.client.click("goal_review_achieved", f"achieved:{pcr}")
    offered = bench.slack.wait_for("views.open", 2)[-1].args["view"]
    assert offered["callback_id"] == "win_modal"
    assert goal(bench, pcr).status == "achieved"

    # Somebody else's goal is refused.
    bench.slack.add_user("U300", "Other Person", "America/Chicago")
    bench.client.click("goal_review_ok", str(pcr), user="U300")
    assert "can't find" in bench.slack.wait_for_response(3)[-1]["text"]


def test_inactive_members_get_no_review(bench: Running) -> None:
    join(bench, "U100")
    add_goal(bench, "Master PCR", SET_IN_MAY)
    with bench.db.begin() as session:
        session.scalars(select(Member)).one().is_active = False
    tick(bench)
    tick(bench, FRIDAY_14_CHICAGO)
    assert reviews_sent(bench) == []
