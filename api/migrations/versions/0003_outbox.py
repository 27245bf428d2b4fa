"""the outbox: a queued run's message to the job queue, committed with the run

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 09:00:00.000000

Runs that are queued when this migration runs get a message each, so a dispatcher sends
them like any run queued afterwards.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["sent_at", "available_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_run_id"), ["run_id"], unique=False)
    op.execute(
        "INSERT INTO outbox (run_id, created_at, available_at, attempts)"
        " SELECT id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0 FROM runs WHERE status = 'queued'"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_run_id"))
        batch_op.drop_index("ix_outbox_pending")
    op.drop_table("outbox")
