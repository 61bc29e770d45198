"""win keys: a stable key per win, known before the row is written

Revision ID: 0004_win_keys
Revises: 0002_nudges
Create Date: 2026-11-22 00:21:29
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004_win_keys"
down_revision = "0002_nudges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=32), nullable=True))
    # Existing wins get a key each before the column becomes required and unique.
    wins = sa.table("wins", sa.column("id", sa.Integer), sa.column("key", sa.String))
    connection = op.get_bind()
    for (win_id,) in connection.execute(sa.select(wins.c.id)).all():
        connection.execute(sa.update(wins).where(wins.c.id == win_id).values(key=uuid.uuid4().hex))
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_wins_key"), ["key"])


def downgrade() -> None:
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_wins_key"), type_="unique")
        batch_op.drop_column("key")
