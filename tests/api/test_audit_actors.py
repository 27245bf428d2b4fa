"""Audit entries of work done outside requests: a worker's run started and finished
(``system``, the run as object), the ``keys`` and ``users`` commands (``cli``: the key's
prefix, the user's id); ids only, never a key, a name or an email."""

from __future__ import annotations

from api_helpers import execute, make_cohort
from click.testing import CliRunner
from sqlalchemy import select

from api.tables_audit import AuditEntry


def entries(client, **query) -> list[dict]:
    response = client.get("/api/v1/audit", query_string={"per_page": 1000, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_worker_records_the_run_it_started_and_finished(app, client, other):
    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    assert entries(client, actor="system") == []
    execute(app, run)  # the workers' own code (checked by the independent checker there)
    assert client.get(f"/api/v1/runs/{run}").get_json()["status"] == "succeeded"
    made = entries(client, actor="system")
    assert [(e["action"], e["object_type"], e["object_id"]) for e in made] == [
        ("run.started", "run", run),
        ("run.finished", "run", run),
    ]
    assert made[0]["detail"] == {"attempt": 1, "kind": "match"}
    assert made[1]["detail"] == {"attempt": 1, "status": "succeeded"}
    assert all(e["request_id"] is None for e in made)
    assert entries(other, actor="system") == []  # the other organization sees none


def test_a_failed_run_is_recorded_as_finished_failed(app, client, sessions):
    from api.db import transaction
    from api.jobs.execute import execute_run
    from api.tables import Run

    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    with transaction(sessions) as session:
        session.get(Run, run).kind = "no-such-kind"  # the worker fails it: unknown kind
    settings = app.extensions["mentormatch"].settings
    assert execute_run(sessions, run, "test-worker", settings) == "failed"
    [finished] = entries(client, action="run.finished")
    assert finished["detail"] == {"attempt": 1, "status": "failed"}


def run_cli(group, *args, stdin=None):
    result = CliRunner().invoke(group, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def cli_entries(sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.actor == "cli")))


def test_keys_commands_are_recorded_by_prefix(sessions, database_url, tmp_path, monkeypatch):
    from api.key_commands import keys

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "cli"))
    key = run_cli(keys, "create", "--org", "acme", "--scope", "read").stdout.strip()
    prefix = key.split("_")[1]
    new_key = run_cli(keys, "rotate", "--org", "acme", "--key", prefix).stdout.strip()
    new_prefix = new_key.split("_")[1]
    run_cli(keys, "revoke", new_prefix)
    made = cli_entries(sessions)
    assert [(e.action, e.object_type, e.object_id) for e in made] == [
        ("key.created", "key", prefix),
        ("key.rotated", "key", new_prefix),
        ("key.revoked", "key", new_prefix),
    ]
    assert made[0].detail == {"scopes": ["read"], "expires": False}
    assert made[1].detail == {"replaces": prefix, "overlap": "24h"}
    assert len({e.organization_id for e in made}) == 1 and made[0].organization_id is not None
    assert key not in repr([e.__dict__ for e in made]) and new_key.split("_", 2)[2] not in repr(
        [e.__dict__ for e in made]
    )


def test_users_commands_are_recorded_by_user_id(sessions, database_url, tmp_path, monkeypatch):
    from api.commands import users
    from api.tables_web import User

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "cli"))
    password = "correct horse battery\n"
    run_cli(
        users,
        "create",
        "--org",
        "acme",
        "--email",
        "ada@example.org",
        "--password-stdin",
        stdin=password,
    )
    run_cli(users, "invite", "--org", "acme", "--email", "bob@example.org")
    run_cli(users, "invite", "--org", "acme", "--email", "ada@example.org")  # a reset
    with sessions() as session:
        ids = {u.email: str(u.id) for u in session.scalars(select(User))}
    made = cli_entries(sessions)
    assert [(e.action, e.object_id, e.detail) for e in made] == [
        ("user.created", ids["ada@example.org"], {"invited": False}),
        ("user.created", ids["bob@example.org"], {"invited": True}),
        ("user.invited", ids["bob@example.org"], {"purpose": "invite"}),
        ("user.invited", ids["ada@example.org"], {"purpose": "reset"}),
    ]
    assert all(e.object_type == "user" for e in made)
    assert "example.org" not in repr([(e.action, e.object_id, e.detail) for e in made])
