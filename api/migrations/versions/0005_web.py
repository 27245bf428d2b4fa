"""the coordinator's web app: users, sessions, one-time links, failed sign-ins, uploads,
imports, mapping templates, decisions, publications; names and emails of web imports

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00.000000

Existing rows are untouched: participants get empty ``name`` and ``email`` columns (the
JSON API never fills them; cohorts imported in the web app do).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _at(name: str, nullable: bool = False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(nullable: bool = True):
    return sa.Column("user_id", sa.Integer(), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("email", sa.Text(), nullable=True))

    op.create_table(
        "users",
        _id(),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        _at("created_at"),
        _at("disabled_at", nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_users_organization_id", "users", ["organization_id"])

    for table, extra in (
        ("web_sessions", []),
        (
            "user_tokens",
            [
                sa.Column("purpose", sa.String(length=10), nullable=False),
                _at("used_at", nullable=True),
            ],
        ),
    ):
        op.create_table(
            table,
            _id(),
            _user(nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            _at("created_at"),
            _at("expires_at"),
            *extra,
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_hash"),
        )
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])

    op.create_table(
        "login_failures",
        _id(),
        sa.Column("key", sa.String(length=64), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])

    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        _user(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("program", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        _at("created_at"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_uploads_organization_id", "uploads", ["organization_id"])

    op.create_table(
        "cohort_imports",
        sa.Column("cohort_id", sa.String(length=40), nullable=False),
        _user(),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("understood", sa.JSON(), nullable=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("cohort_id"),
    )

    op.create_table(
        "mapping_templates",
        _id(),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        _user(),
        _at("created_at"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "name"),
    )
    op.create_index(
        "ix_mapping_templates_organization_id", "mapping_templates", ["organization_id"]
    )

    op.create_table(
        "decisions",
        _id(),
        sa.Column("cohort_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("mentee_id", sa.String(length=200), nullable=False),
        sa.Column("mentor_id", sa.String(length=200), nullable=False),
        sa.Column("from_mentor_id", sa.String(length=200), nullable=True),
        _user(),
        _at("created_at"),
        sa.Column("applied_run_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["applied_run_id"], ["runs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_cohort_id", "decisions", ["cohort_id"])
    op.create_index("ix_decisions_run_id", "decisions", ["run_id"])

    op.create_table(
        "publications",
        _id(),
        sa.Column("cohort_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _user(),
        _at("published_at"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "version"),
    )
    op.create_index("ix_publications_cohort_id", "publications", ["cohort_id"])


def downgrade() -> None:
    for table in (
        "publications",
        "decisions",
        "mapping_templates",
        "cohort_imports",
        "uploads",
        "login_failures",
        "user_tokens",
        "web_sessions",
        "users",
    ):
        op.drop_table(table)
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_column("name")
