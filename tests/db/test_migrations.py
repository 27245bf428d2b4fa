"""Migrations on both databases: an existing database takes 0002 (a run's moves), 0003
(the outbox, with a message for each run still queued) and 0004 (idempotency answers tied
to their cohort, added people's names and emails removed from what is stored) and 0005
(the web app's tables) and 0006 (roster versions, webhooks) with its other rows intact, the
newest schema is what api.tables declares, and they downgrade."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import inspect, text

from api.db import make_engine
from api.migrate import current, upgrade

PG_ADMIN_URL = os.environ.get("MENTORMATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with no tables: an SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin_url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    name = f"mm_migrate_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


ROWS = [
    "INSERT INTO organizations (id, name, created_at) VALUES (1, 'acme', CURRENT_TIMESTAMP)",
    "INSERT INTO cohorts (id, organization_id, name, program, n_mentors, n_mentees, org_chart,"
    " created_at) VALUES ('coh_1', 1, 'spring', 'coaching', 0, 0, '[]', CURRENT_TIMESTAMP)",
    "INSERT INTO runs (id, organization_id, cohort_id, kind, policy, status, attempt,"
    " cancel_requested, created_at) VALUES ('run_1', 1, 'coh_1', 'match', '{}', 'succeeded',"
    " 1, false, CURRENT_TIMESTAMP)",
    "INSERT INTO runs (id, organization_id, cohort_id, kind, policy, status, attempt,"
    " cancel_requested, created_at) VALUES ('run_2', 1, 'coh_1', 'match', '{}', 'queued',"
    " 0, false, CURRENT_TIMESTAMP)",
    "INSERT INTO runs (id, organization_id, cohort_id, kind, policy, changes, status, attempt,"
    " cancel_requested, created_at) VALUES ('run_3', 1, 'coh_1', 'rematch', '{}',"
    ' \'{"changes": {"add": [{"id": "E9", "Name": "Ada", "E-mail": "ada@example.org"}]},'
    " \"move_cost\": null}', 'succeeded', 1, false, CURRENT_TIMESTAMP)",
    "INSERT INTO scenarios (id, organization_id, cohort_id, spec, created_at) VALUES ('scn_1',"
    ' 1, \'coh_1\', \'{"request": {"scenarios": [{"add": [{"id": "E8", "email": "b@x.org"}]}]},'
    ' "variants": []}\', CURRENT_TIMESTAMP)',
    "INSERT INTO idempotency_keys (id, organization_id, key, request_hash, status_code, body,"
    ' created_at) VALUES (1, 1, \'k1\', \'h\', 202, \'{"id": "run_3", "cohort_id": "coh_1",'
    ' "changes": {"changes": {"add": [{"id": "E9", "email": "ada@example.org"}]},'
    ' "move_cost": null}}\', CURRENT_TIMESTAMP)',
    "INSERT INTO idempotency_keys (id, organization_id, key, request_hash, status_code, body,"
    ' created_at) VALUES (2, 1, \'k2\', \'h\', 202, \'{"id": "run_x", "cohort_id": "coh_gone"}\','
    " CURRENT_TIMESTAMP)",
]
HEAD = "0011"


def columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("runs")}
    finally:
        engine.dispose()


def test_0002_adds_moves_to_existing_runs_and_matches_the_tables(empty_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from api.migrate import alembic_config
    from api.tables import Base

    upgrade(empty_url, "0001")
    assert "moves" not in columns(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    engine.dispose()

    upgrade(empty_url)
    assert current(empty_url) == HEAD
    assert "moves" in columns(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status, moves FROM runs ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("run_1", "succeeded", None),
            ("run_2", "queued", None),
            ("run_3", "succeeded", None),
        ]
        stored = " ".join(
            str(value)
            for query in (
                "SELECT changes FROM runs",
                "SELECT spec FROM scenarios",
                "SELECT body FROM idempotency_keys",
            )
            for value in connection.execute(text(query)).scalars()
        )
        assert "E9" in stored and "E8" in stored
        assert "example.org" not in stored and "x.org" not in stored and "Ada" not in stored
        answers = connection.execute(text("SELECT key, cohort_id FROM idempotency_keys")).all()
        assert [tuple(row) for row in answers] == [("k1", "coh_1")]
        sent = connection.execute(text("SELECT run_id, sent_at, attempts FROM outbox")).all()
        assert [tuple(row) for row in sent] == [("run_2", None, 0)]
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()

    from alembic import command

    command.downgrade(alembic_config(empty_url), "0001")
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        assert "outbox" not in inspect(connection).get_table_names()
    engine.dispose()
    assert "moves" not in columns(empty_url) and current(empty_url) == "0001"
    upgrade(empty_url)
    assert "moves" in columns(empty_url)


def test_0011_gives_existing_keys_every_scope_and_no_expiry(empty_url):
    from alembic import command

    from api.migrate import alembic_config

    command.upgrade(alembic_config(empty_url), "0006")
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text(ROWS[0]))
        connection.execute(
            text(
                "INSERT INTO api_keys (id, organization_id, prefix, key_hash, created_at)"
                " VALUES (1, 1, 'abcd1234', 'h', CURRENT_TIMESTAMP)"
            )
        )
    upgrade(empty_url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT scopes, expires_at, last_used_at, replaced_by FROM api_keys")
        ).one()
    engine.dispose()
    assert tuple(row) == ("read write admin", None, None, None)
