"""Revision 0021_programs on a database that already holds a program: the rows stay,
and every new setting reads as "not set", so the program behaves as before."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, select, text

from bot.store.db import Database, alembic_config, upgrade
from bot.store.models import ProgramSettings
from bot.usecases.program_settings import config_of

PREVIOUS = "0005_meetings"


def test_a_database_with_rows_upgrades_cleanly(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), PREVIOUS)
    engine = create_engine(any_db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO program_settings (team_id, channel_id, updated_by, updated_at) "
                "VALUES ('T0001', 'C0PROGRAM', 'U900', '2026-11-20 15:00:00')"
            )
        )
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
            config = config_of(row, ((6, 1),))
            assert (config.review_dates, config.digest_weekday, config.digest_hour) == (
                ((6, 1),),
                0,
                14,
            )
            assert (config.tz, config.cadence_days) == ("UTC", 14)
    finally:
        db.dispose()
