"""HR integration: versioned rosters, run listing, stored comparisons, webhooks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00.000000

Every cohort starts at roster version 0 and every participant row and run belongs to it,
so existing runs solve exactly what they solved before. A participant's uniqueness now
includes the version its row starts at (people sync ends a row and adds its successor).
Scenarios get their stored comparison and completion time (existing scenarios compute
theirs on their next read). New tables: webhooks, webhook_deliveries.
Nothing here depends on tables other branches add.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# 0001 left the participants' unique constraint unnamed: PostgreSQL named it itself, and
# SQLite's batch mode names it through this convention when it copies the table.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_UNIQUE = {
    "postgresql": "participants_cohort_id_role_external_id_key",
    "sqlite": "uq_participants_cohort_id_role_external_id",
}


def _participants_batch(dialect: str):
    if dialect == "sqlite":
        return op.batch_alter_table(
            "participants", schema=None, naming_convention=SQLITE_NAMES, recreate="always"
        )
    return op.batch_alter_table("participants", schema=None)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    with _participants_batch(dialect) as batch_op:
        batch_op.drop_constraint(OLD_UNIQUE[dialect], type_="unique")
        batch_op.add_column(sa.Column("since", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("until", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_participants_since", ["cohort_id", "role", "external_id", "since"]
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cohort_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_runs_cohort_created", ["cohort_id", "created_at"])
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("comparison", sa.JSON(), nullable=True))

    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhooks_organization_id"), ["organization_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("webhook_id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("redelivery_of", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "available_at"])
        batch_op.create_index("ix_webhook_deliveries_hook_created", ["webhook_id", "created_at"])


def downgrade() -> None:
    """Back to 0004; rows of later roster versions are dropped (0004 has one roster)."""
    dialect = op.get_bind().dialect.name
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.drop_column("comparison")
        batch_op.drop_column("completed_at")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_cohort_created")
        batch_op.drop_column("cohort_version")
    op.execute("DELETE FROM participants WHERE until IS NOT NULL")
    with _participants_batch(dialect) as batch_op:
        batch_op.drop_constraint("uq_participants_since", type_="unique")
        batch_op.drop_column("until")
        batch_op.drop_column("since")
        batch_op.create_unique_constraint(OLD_UNIQUE[dialect], ["cohort_id", "role", "external_id"])
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("version")
