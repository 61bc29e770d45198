"""programs: program settings set in Slack (review dates, digest day, hour and time
zone, default meeting cadence), and several programs per deployment

The new settings columns are nullable: NULL means "not set here", and the default
applies (BENCHMATE_REVIEW_DATES, Monday 14:00 UTC, every 2 weeks).

Several programs: a `programs` table; every team that already has rows gets one program
named "main", and every existing program row is attached to it, so an existing
deployment behaves exactly as before. Uniqueness moves from the team to the program
(one roster row, coordinator row and settings row per person or team *per program*).

Revision ID: 0021_programs
Revises: 0010_directory
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0021_programs"
down_revision = "0020_credentials"  # the migrations form one line: 0010, 0020, 0021
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_dates", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("digest_weekday", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("digest_hour", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tz", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("cadence_days", sa.Integer(), nullable=True))

    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_programs_team_id")),
    )
    teams = " UNION ".join(f"SELECT team_id FROM {t}" for t in (*PROGRAM_TABLES, "members"))
    op.get_bind().execute(
        sa.text(
            "INSERT INTO programs (team_id, name, created_by, created_at) "
            f"SELECT DISTINCT team_id, 'main', 'migration', :now FROM ({teams}) AS teams"
        ),
        {"now": datetime.now(UTC).replace(tzinfo=None)},
    )
    for table in PROGRAM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
        op.get_bind().execute(
            sa.text(
                f"UPDATE {table} SET program_id = (SELECT programs.id FROM programs "
                f"WHERE programs.team_id = {table}.team_id AND programs.name = 'main')"
            )
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "program_id", existing_type=sa.Integer(), nullable=table == "audit_log"
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_program_id_programs"), "programs", ["program_id"], ["id"]
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_program_id"), ["program_id"])
            for old, new in UNIQUE_MOVES.get(table, []):
                batch_op.drop_constraint(batch_op.f(old), type_="unique")
                batch_op.create_unique_constraint(batch_op.f(new[0]), list(new[1]))


# Tables whose rows belong to one program (meetings, action items and survey answers
# belong to a pair, and so to its program).
PROGRAM_TABLES = (
    "coordinators",
    "program_profiles",
    "pairs",
    "match_proposals",
    "announcements",
    "program_settings",
    "audit_log",
)
UNIQUE_MOVES: dict[str, list[tuple[str, tuple[str, tuple[str, ...]]]]] = {
    "coordinators": [
        ("uq_coordinators_team_id", ("uq_coordinators_program_id", ("program_id", "slack_user_id")))
    ],
    "program_profiles": [
        (
            "uq_program_profiles_member_id",
            ("uq_program_profiles_program_id", ("program_id", "member_id")),
        )
    ],
    "program_settings": [
        ("uq_program_settings_team_id", ("uq_program_settings_program_id", ("program_id",)))
    ],
}


def downgrade() -> None:
    """Back to one program: keeps only the "main" program's rows where two programs
    would collide on the old unique keys."""
    for table in reversed(PROGRAM_TABLES):
        if table in UNIQUE_MOVES:
            op.get_bind().execute(
                sa.text(
                    f"DELETE FROM {table} WHERE program_id NOT IN "
                    "(SELECT id FROM programs WHERE name = 'main')"
                )
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for old, new in UNIQUE_MOVES.get(table, []):
                batch_op.drop_constraint(batch_op.f(new[0]), type_="unique")
                columns = {
                    "uq_coordinators_team_id": ["team_id", "slack_user_id"],
                    "uq_program_profiles_member_id": ["member_id"],
                    "uq_program_settings_team_id": ["team_id"],
                }[old]
                batch_op.create_unique_constraint(batch_op.f(old), columns)
            batch_op.drop_index(batch_op.f(f"ix_{table}_program_id"))
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_program_id_programs"), type_="foreignkey"
            )
            batch_op.drop_column("program_id")
    op.drop_table("programs")
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for column in ("cadence_days", "tz", "digest_hour", "digest_weekday", "review_dates"):
            batch_op.drop_column(column)
