"""Retention and organization deletion: `mentormatch purge [--dry-run]` removes stale
cohorts, old records and old audit entries (and says what), recent data stays; the
scheduled purge runs in the in-process executor and is a Celery beat entry;
`mentormatch orgs delete ORG --yes` removes everything of ORG and nothing of others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import count, execute, make_cohort
from click.testing import CliRunner
from sqlalchemy import select, text, update

from api.tables import ApiKey, Cohort, Organization, Participant, Run, utcnow
from api.tables_audit import AuditEntry


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "cli"))
    monkeypatch.setenv("MENTORMATCH_RETENTION_DAYS", "30")
    monkeypatch.setenv("MENTORMATCH_AUDIT_RETENTION_DAYS", "90")


def age(sessions, cohort_id: str, days: int) -> None:
    """Make the cohort and its runs look ``days`` old."""
    then = utcnow() - timedelta(days=days)
    with sessions.begin() as session:
        session.execute(update(Cohort).where(Cohort.id == cohort_id).values(created_at=then))
        session.execute(
            update(Run).where(Run.cohort_id == cohort_id).values(created_at=then, finished_at=then)
        )


def age_audit(sessions, days: int) -> None:
    """Backdate every audit entry (the database refuses UPDATEs: insert old copies)."""
    then = utcnow() - timedelta(days=days)
    with sessions.begin() as session:
        session.add(AuditEntry(organization_id=1, actor="cli", action="old.entry", at=then))


def test_purge_removes_stale_cohorts_and_old_entries_and_says_what(app, client, sessions, cli_env):
    from api.hr_commands import purge

    old, recent = make_cohort(client), make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{old}/runs", json={}).get_json()["id"]
    execute(app, run)
    age(sessions, old, 45)
    age(sessions, recent, 45)
    client.post(f"/api/v1/cohorts/{recent}/runs", json={})  # a run today: touched
    age_audit(sessions, 120)
    runner = CliRunner()

    dry = runner.invoke(purge, ["--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would remove cohort ids: {old}" in dry.stdout
    assert "would remove audit entries: 1" in dry.stdout
    assert count(sessions, Cohort) == 2

    done = runner.invoke(purge, [])
    assert done.exit_code == 0, done.output
    assert "removed cohorts: 1" in done.stdout and "removed audit entries: 1" in done.stdout
    with sessions() as session:
        assert list(session.scalars(select(Cohort.id))) == [recent]
        assert session.scalar(select(Run.id).where(Run.id == run)) is None
        assert not session.scalar(select(Participant.id).where(Participant.cohort_id == old))
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "old.entry" not in actions
    assert actions[-2:] == ["retention.cohort_purged", "retention.purged"]
    purged = client.get("/api/v1/audit?action=retention.").get_json()["items"]
    assert [(e["actor"], e["object_id"]) for e in purged] == [("system", old)]
    again = runner.invoke(purge, [])
    assert again.exit_code == 0 and again.stdout.startswith("nothing to remove")


def test_retention_zero_keeps_cohorts(app, client, sessions):
    from api.retention import purge

    cohort = make_cohort(client)
    age(sessions, cohort, 4000)
    settings = {**app.extensions["mentormatch"].settings, "RETENTION_DAYS": 0.0}
    with sessions.begin() as session:
        assert "cohorts" not in purge(session, settings)
    assert count(sessions, Cohort) == 1


def test_the_purge_is_scheduled_in_process_and_for_celery_beat(app, sessions):
    import threading

    from api.jobs.celery_app import PURGE_TASK, celery_config
    from api.retention import Schedule

    settings = dict(app.extensions["mentormatch"].settings)
    beat = celery_config({**settings, "PURGE_SECONDS": 600})["beat_schedule"]
    assert beat == {"purge": {"task": PURGE_TASK, "schedule": 600.0}}
    assert celery_config({**settings, "PURGE_SECONDS": 0})["beat_schedule"] == {}
    assert Schedule(sessions, {**settings, "PURGE_SECONDS": 0})._thread is None
    schedule = Schedule(sessions, {**settings, "PURGE_SECONDS": 0.05, "AUDIT_RETENTION_DAYS": 1})
    try:
        age_audit(sessions, 5)
        deadline = threading.Event()
        for _ in range(200):
            with sessions() as session:
                if not session.scalar(
                    select(AuditEntry.id).where(AuditEntry.action == "old.entry")
                ):
                    break
            deadline.wait(0.05)
        with sessions() as session:
            assert (
                session.scalar(select(AuditEntry.action).where(AuditEntry.action == "old.entry"))
                is None
            )
            assert session.scalar(
                select(AuditEntry.action).where(AuditEntry.action == "retention.purged")
            )
    finally:
        schedule.stop()


def test_the_celery_purge_task_applies_retention(app, client, sessions, monkeypatch):
    from api.jobs import celery_app

    cohort = make_cohort(client)
    age(sessions, cohort, 45)
    settings = {**app.extensions["mentormatch"].settings, "RETENTION_DAYS": 30.0}
    monkeypatch.setitem(celery_app._state, "settings", settings)
    monkeypatch.setitem(celery_app._state, "pid", None)
    monkeypatch.setitem(celery_app._state, "engine", None)
    try:
        assert celery_app.purge() == {"cohorts": 1}  # the task body, run here
    finally:
        celery_app._state["engine"].dispose()
    assert count(sessions, Cohort) == 0


def test_deleting_an_organization_removes_all_of_it_and_nothing_else(
    app, client, other, sessions, cli_env, database_url
):
    from api.hr_commands import orgs

    mine, theirs = make_cohort(client), make_cohort(other)
    execute(app, client.post(f"/api/v1/cohorts/{mine}/runs", json={}).get_json()["id"])
    execute(app, other.post(f"/api/v1/cohorts/{theirs}/runs", json={}).get_json()["id"])
    runner = CliRunner()
    refused = runner.invoke(orgs, ["delete", "acme"])
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert runner.invoke(orgs, ["delete", "nobody", "--yes"]).exit_code == 1
    done = runner.invoke(orgs, ["delete", "acme", "--yes"])
    assert done.exit_code == 0, done.output
    assert "cohorts 1" in done.stdout
    with sessions() as session:
        assert list(session.scalars(select(Organization.name))) == ["globex"]
        assert list(session.scalars(select(Cohort.id))) == [theirs]
        assert session.scalar(select(Run.cohort_id)) == theirs
        assert {k.organization_id for k in session.scalars(select(ApiKey))} == {
            session.scalar(select(Organization.id))
        }
        entries = list(session.scalars(select(AuditEntry)))
    assert {(e.organization_id is None, e.action) for e in entries} >= {
        (True, "organization.deleted")
    }
    assert all(e.organization_id != 1 for e in entries)
    from api.hr_commands import audit_log

    shown = runner.invoke(audit_log, ["--service", "--action", "organization."])
    assert shown.exit_code == 0 and '"name": "acme"' in shown.stdout
    assert runner.invoke(audit_log, ["--org", "acme"]).exit_code == 1  # it is gone
    assert runner.invoke(audit_log, []).exit_code == 2
    mine_now = runner.invoke(audit_log, ["--org", "globex", "--since", "2000-01-01"])
    assert mine_now.exit_code == 0 and '"action": "cohorts.create_cohort"' in mine_now.stdout
    assert client.get(f"/api/v1/cohorts/{mine}").status_code == 401  # its keys went too
    assert other.get(f"/api/v1/cohorts/{theirs}/participants").status_code == 200
    if database_url.startswith("sqlite"):
        with sessions() as session:
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
