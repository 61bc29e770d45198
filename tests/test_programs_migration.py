"""Revision 0021_programs on a database that already holds a program: the rows stay,
every one is attached to the team's "main" program, and every new setting reads as
"not set", so the program behaves as before."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, select, text

from bot.store.db import Database, alembic_config, upgrade
from bot.store.models import (
    AuditEntry,
    Coordinator,
    Pair,
    Program,
    ProgramProfile,
    ProgramSettings,
)
from bot.usecases.program_settings import config_of

PREVIOUS = "0020_credentials"


def test_a_database_with_rows_upgrades_cleanly(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), PREVIOUS)
    engine = create_engine(any_db_url)
    at = "'2026-11-20 15:00:00'"
    rows = [
        "INSERT INTO program_settings (team_id, channel_id, updated_by, updated_at) "
        f"VALUES ('T0001', 'C0PROGRAM', 'U900', {at})",
        *(
            "INSERT INTO members (id, team_id, slack_user_id, name, tz, is_active, created_at)"
            f" VALUES ({n}, '{team}', 'U30{n}', 'Person {n}', 'UTC', true, {at})"
            for n, team in ((1, "T0001"), (2, "T0001"), (3, "T0002"))
        ),
        "INSERT INTO coordinators (team_id, slack_user_id, added_by, added_at) "
        f"VALUES ('T0001', 'U800', 'U900', {at}), ('T0002', 'U800', 'U900', {at})",
        *(
            "INSERT INTO program_profiles (team_id, member_id, role, certifications, "
            f"interests, capacity, joined_at, updated_at) VALUES ('{team}', {n}, '{role}', "
            f"'', '', 1, {at}, {at})"
            for n, team, role in (
                (1, "T0001", "mentor"),
                (2, "T0001", "mentee"),
                (3, "T0002", "mentee"),
            )
        ),
        "INSERT INTO pairs (team_id, mentor_id, mentee_id, cadence_days, started_at, "
        f"created_by) VALUES ('T0001', 1, 2, 14, {at}, 'U900')",
        "INSERT INTO audit_log (team_id, actor, action, details, at) "
        f"VALUES ('T0001', 'U900', 'pair', '{{}}', {at})",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))
    engine.dispose()

    upgrade(any_db_url)

    db = Database(any_db_url)
    try:
        with db.begin() as session:
            row = session.scalars(select(ProgramSettings)).one()
            assert (row.team_id, row.channel_id) == ("T0001", "C0PROGRAM")
            assert (row.review_dates, row.digest_weekday, row.tz, row.cadence_days) == (
                None,
                None,
                None,
                None,
            )
            programs = {p.team_id: (p.id, p.name) for p in session.scalars(select(Program))}
            assert {team: name for team, (_, name) in programs.items()} == {
                "T0001": "main",
                "T0002": "main",
            }
            main = programs["T0001"][0]
            assert row.program_id == main
            for model in (Coordinator, ProgramProfile, Pair, AuditEntry):
                found = {(r.team_id, r.program_id) for r in session.scalars(select(model))}
                assert all(program == programs[team][0] for team, program in found), model
            assert len(session.scalars(select(ProgramProfile)).all()) == 3
            config = config_of(row, ((6, 1),))
            assert (config.review_dates, config.digest_weekday, config.digest_hour) == (
                ((6, 1),),
                0,
                14,
            )
            assert (config.tz, config.cadence_days) == ("UTC", 14)
    finally:
        db.dispose()
