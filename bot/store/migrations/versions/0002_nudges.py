"""nudges: ledger, prompt preferences, goal review dates, event dedupe

Existing members get the default prompt (Friday 14:00 local); the scheduler fills in
their next_prompt_at on its first pass.

Revision ID: 0002_nudges
Revises: 0003_program
Create Date: 2026-11-22 00:09:16.363050
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_nudges"
down_revision = "0003_program"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "slack_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_events")),
        sa.UniqueConstraint("team_id", "event_id", name=op.f("uq_slack_events_team_id")),
    )
    with op.batch_alter_table("slack_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_events_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("retry_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("ref", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nudges_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint(
            "team_id", "member_id", "kind", "period", name=op.f("uq_nudges_team_id")
        ),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudges_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_goals_review_due_on"), ["review_due_on"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prompt_weekday", sa.Integer(), nullable=False, server_default="4")
        )
        batch_op.add_column(
            sa.Column("prompt_time", sa.Time(), nullable=False, server_default="14:00:00")
        )
        batch_op.add_column(sa.Column("quiet_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("prompts_stopped", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("next_prompt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_prompt_period", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("deactivated_reason", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_members_next_prompt_at"), ["next_prompt_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_next_prompt_at"))
        batch_op.drop_column("deactivated_reason")
        batch_op.drop_column("next_prompt_period")
        batch_op.drop_column("next_prompt_at")
        batch_op.drop_column("prompts_stopped")
        batch_op.drop_column("paused_until")
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
        batch_op.drop_column("prompt_time")
        batch_op.drop_column("prompt_weekday")

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_review_due_on"))
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_due_on")

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_member_id"))

    op.drop_table("nudges")
    with op.batch_alter_table("slack_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_events_received_at"))

    op.drop_table("slack_events")
