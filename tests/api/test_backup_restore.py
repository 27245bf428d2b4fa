"""`mentormatch db backup` while the app serves, `db restore` into a fresh database, and
every run read back through the API as it was (its pairs through the checker): on SQLite
(online backup API) and on PostgreSQL (pg_dump / pg_restore). A restore refuses a
database that has tables."""

from __future__ import annotations

import secrets

import pytest
from api_helpers import KeyClient, finish, make_cohort
from click.testing import CliRunner

from api.store import load_result, solved_inputs
from api.tables import Run
from matcher.checker import check
from matcher.cli import main


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the same engine: a new SQLite file, or a new PostgreSQL one."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'mentormatch.db'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin_url = make_url(database_url).set(database="test")
    name = f"mm_restore_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def snapshot(client, cohort: str) -> dict:
    """Every run of ``cohort`` as the API shows it: the run and its assignments."""
    runs = client.get(f"/api/v1/cohorts/{cohort}/runs?per_page=100").get_json()["items"]
    shown = {}
    for run in runs:
        body = client.get(f"/api/v1/runs/{run['id']}").get_json()
        done = body["status"] == "succeeded"
        pairs = client.get(f"/api/v1/runs/{run['id']}/assignments").get_json() if done else None
        shown[run["id"]] = (body, pairs)
    return shown


def test_a_backup_taken_while_serving_restores_every_run(
    app, client, sessions, key, database_url, fresh_url, tmp_path, monkeypatch
):
    from api import create_app

    cohort = make_cohort(client)
    for objective in ("total", "fair", "total"):
        run = client.post(
            f"/api/v1/cohorts/{cohort}/runs", json={"solver": {"objective": objective}}
        )
        finish(sessions, run.get_json()["id"])
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    before = snapshot(client, cohort)
    assert len(before) == 4 and before[queued][0]["status"] == "queued"

    def mentormatch(url, *args):
        monkeypatch.setenv("DATABASE_URL", url)
        return CliRunner().invoke(main, ["db", *args], catch_exceptions=False)

    archive = tmp_path / "backups" / "mentormatch.backup"
    made = mentormatch(database_url, "backup", str(archive))  # the app's engine is still open
    assert made.exit_code == 0, made.output
    assert archive.stat().st_mode & 0o777 == 0o600
    again = mentormatch(database_url, "backup", str(archive))
    assert again.exit_code == 1 and "never overwrites" in again.stderr

    refused = mentormatch(database_url, "restore", str(archive))
    assert refused.exit_code == 1 and "already has tables" in refused.stderr
    restored = mentormatch(fresh_url, "restore", str(archive))
    assert restored.exit_code == 0, restored.output

    copy = create_app({"DATABASE_URL": fresh_url, "EXECUTOR": "none"})
    try:
        after = snapshot(KeyClient(copy.test_client(), key), cohort)  # the key came back too
        assert after == before
        assert all(pairs["items"] for run, (_, pairs) in after.items() if run != queued)
        with copy.extensions["mentormatch"].sessions() as session:  # results still hold
            for run_id in set(after) - {queued}:
                row = session.get(Run, run_id)
                assert check(*solved_inputs(session, row), load_result(session, row)) == []
    finally:
        copy.extensions["mentormatch"].close()


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    from api.backup import BackupError, restore

    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        restore(f"sqlite:///{tmp_path / 'new.db'}", junk)
    with pytest.raises(BackupError, match="no such backup file"):
        restore(f"sqlite:///{tmp_path / 'new2.db'}", tmp_path / "missing.backup")
