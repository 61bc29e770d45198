"""programs: program settings set in Slack (review dates, digest day, hour and time
zone, default meeting cadence)

Every new column is nullable: NULL means "not set here", and the default applies
(BENCHMATE_REVIEW_DATES, Monday 14:00 UTC, every 2 weeks), so an existing deployment
behaves exactly as before until a coordinator changes something.

Revision ID: 0021_programs
Revises: 0005_meetings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_programs"
down_revision = "0005_meetings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_dates", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("digest_weekday", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("digest_hour", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tz", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("cadence_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("program_settings", schema=None) as batch_op:
        for column in ("cadence_days", "tz", "digest_hour", "digest_weekday", "review_dates"):
            batch_op.drop_column(column)
