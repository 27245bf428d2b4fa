"""Answer jobs: the answers of prices, alternatives and attrition asked of a run

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:45:00.000000

An answer job is a run of kind prices, alternatives or attrition (the runs' outbox,
claim, heartbeat and retry); its answer is stored in the new table run_answers, deleted
with the run. Nothing here depends on tables other branches add.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_answers",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )


def downgrade() -> None:
    op.drop_table("run_answers")
