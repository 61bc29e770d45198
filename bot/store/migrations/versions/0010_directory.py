"""directory: the workspace's people from users.list, for the patient-data guard

Revision ID: 0010_directory
Revises: 0005_meetings
Create Date: 2026-12-01 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_directory"
down_revision = "0005_meetings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("names", sa.String(length=400), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_people")),
        sa.UniqueConstraint("team_id", "slack_user_id", name=op.f("uq_directory_people_team_id")),
    )
    with op.batch_alter_table("directory_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directory_people_team_id"), ["team_id"], unique=False)
    op.create_table(
        "directory_sync",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_directory_sync")),
    )


def downgrade() -> None:
    op.drop_table("directory_sync")
    with op.batch_alter_table("directory_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_people_team_id"))
    op.drop_table("directory_people")
