"""idempotency answers belong to their cohort; no names or emails in stored change sets

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 14:00:00.000000

Each stored Idempotency-Key answer is tied to the cohort it is about (deleted with it);
answers about cohorts deleted before this migration are deleted now. The names and emails
of people added by scenarios and rematches are removed from stored change sets, scenario
requests and answers: the matcher never used them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CONTACTS = {"name", "email"}


def _canonical(key) -> str:
    return "".join(ch for ch in str(key).strip().lower() if ch not in " _-\t")


def _without_contacts(change_set):
    if not isinstance(change_set, dict) or not isinstance(change_set.get("add"), list):
        return change_set
    added = [
        {k: v for k, v in r.items() if _canonical(k) not in CONTACTS} if isinstance(r, dict) else r
        for r in change_set["add"]
    ]
    return {**change_set, "add": added}


def _run_changes(changes):
    """A run's ``changes``: a scenario's change set, or a rematch's {changes, move_cost}."""
    if isinstance(changes, dict) and "move_cost" in changes:
        return {**changes, "changes": _without_contacts(changes.get("changes"))}
    return _without_contacts(changes)


def _spec(spec):
    request = spec.get("request") if isinstance(spec, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("scenarios"), list):
        return spec
    scenarios = [_without_contacts(s) for s in request["scenarios"]]
    return {**spec, "request": {**request, "scenarios": scenarios}}


def _rewrite(connection, table, column, clean) -> None:
    rows = connection.execute(sa.select(table.c.id, table.c[column])).all()
    for row_id, value in rows:
        cleaned = clean(value)
        if cleaned != value:
            statement = table.update().where(table.c.id == row_id).values({column: cleaned})
            connection.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_idempotency_keys_cohort_id"), ["cohort_id"])
        batch_op.create_index("ix_idempotency_keys_created_at", ["created_at"])
        batch_op.create_foreign_key(
            batch_op.f("fk_idempotency_keys_cohort_id_cohorts"),
            "cohorts",
            ["cohort_id"],
            ["id"],
            ondelete="CASCADE",
        )
    connection = op.get_bind()
    runs = sa.table("runs", sa.column("id", sa.String), sa.column("changes", sa.JSON))
    scenarios = sa.table("scenarios", sa.column("id", sa.String), sa.column("spec", sa.JSON))
    answers = sa.table(
        "idempotency_keys",
        sa.column("id", sa.Integer),
        sa.column("body", sa.JSON),
        sa.column("cohort_id", sa.String),
    )
    cohorts = sa.table("cohorts", sa.column("id", sa.String))
    _rewrite(connection, runs, "changes", _run_changes)
    _rewrite(connection, scenarios, "spec", _spec)
    existing = set(connection.execute(sa.select(cohorts.c.id)).scalars())
    for row_id, body in connection.execute(sa.select(answers.c.id, answers.c.body)).all():
        found = None
        if isinstance(body, dict):
            found = body.get("cohort_id") or body.get("id")
        if isinstance(found, str) and found.startswith("coh_"):
            if found not in existing:
                connection.execute(answers.delete().where(answers.c.id == row_id))
                continue
            cleaned = dict(body)
            if "changes" in cleaned:
                cleaned["changes"] = _run_changes(cleaned["changes"])
            statement = answers.update().where(answers.c.id == row_id)
            connection.execute(statement.values(cohort_id=found, body=cleaned))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_idempotency_keys_cohort_id_cohorts"), type_="foreignkey"
        )
        batch_op.drop_index("ix_idempotency_keys_created_at")
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_cohort_id"))
        batch_op.drop_column("cohort_id")
