"""HR integration, cycles: cohort settings (request expiry, pairing history) and requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 13:00:00.000000

Two new tables, nothing else changes: ``cohort_settings`` (one row per cohort that has
settings) and ``mentor_requests`` (a mentee's request for a mentor: ids, statuses and
times only).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_settings",
        sa.Column("cohort_id", sa.String(length=40), nullable=False),
        sa.Column("request_expiry_hours", sa.Float(), nullable=True),
        sa.Column("history", sa.String(length=10), nullable=False),
        sa.Column("history_run_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cohort_id"),
    )
    op.create_table(
        "mentor_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.String(length=40), nullable=False),
        sa.Column("mentee_id", sa.String(length=200), nullable=False),
        sa.Column("mentor_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("follows_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentor_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_requests_organization_id"), ["organization_id"])
        batch_op.create_index("ix_mentor_requests_cohort_created", ["cohort_id", "created_at"])
        batch_op.create_index("ix_mentor_requests_due", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("mentor_requests")
    op.drop_table("cohort_settings")
