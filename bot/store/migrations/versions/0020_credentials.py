"""credentials: member credentials, their ended cycles, and continuing-education credits

Revision ID: 0020_credentials
Revises: 0010_directory
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_credentials"
down_revision = "0010_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("cycle_end", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_credentials_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_credentials")),
        sa.UniqueConstraint("member_id", "code", name=op.f("uq_member_credentials_member_id")),
    )
    with op.batch_alter_table("member_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_credentials_cycle_end"), ["cycle_end"], unique=False
        )

    op.create_table(
        "credential_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("cycle_end", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("earned", sa.Float(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["member_credentials.id"],
            name=op.f("fk_credential_cycles_credential_id_member_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_credential_cycles_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_cycles")),
        sa.UniqueConstraint(
            "credential_id", "cycle_end", name=op.f("uq_credential_cycles_credential_id")
        ),
    )
    with op.batch_alter_table("credential_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_cycles_team_id"), ["team_id"], unique=False)

    op.create_table(
        "ce_credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("win_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("earned_on", sa.Date(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("allocation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ce_credits_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["win_id"], ["wins.id"], name=op.f("fk_ce_credits_win_id_wins"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ce_credits")),
        sa.UniqueConstraint("win_id", name=op.f("uq_ce_credits_win_id")),
    )
    with op.batch_alter_table("ce_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ce_credits_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ce_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ce_credits_member_id"))
    op.drop_table("ce_credits")
    with op.batch_alter_table("credential_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_cycles_team_id"))
    op.drop_table("credential_cycles")
    with op.batch_alter_table("member_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_credentials_cycle_end"))
    op.drop_table("member_credentials")
