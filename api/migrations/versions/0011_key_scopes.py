"""API keys: scopes, expiry, last use, rotation

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00.000000

Existing keys keep working as before: they get every scope (read, write, admin), no
expiry and no recorded use.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ALL_SCOPES = "read write admin"


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(64), server_default=ALL_SCOPES, nullable=False)
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replaced_by", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        for column in ("replaced_by", "last_used_at", "expires_at", "scopes"):
            batch_op.drop_column(column)
