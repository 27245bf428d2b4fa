"""HR data through the coordinator's web app: page reads of people are audited with the
coordinator's user id, and a person a web import stored with name and email can be
erased by email (results re-assembled, the checker still passes) and exported."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select
from test_web_flow import matched
from web_helpers import checked

from api.tables import Participant
from api.tables_audit import AuditEntry
from api.tables_web import User

EMAIL, NAME = "priya.raman@example.org", "Priya Raman"


def test_pages_are_audited_and_a_web_imported_person_is_erased_by_email(
    app, ada, sessions, monkeypatch, tmp_path, database_url
):
    from api.hr_commands import erase, export

    cohort, run = matched(ada, app)
    assert ada.get(f"/cohorts/{cohort}").status_code == 200
    assert ada.get(f"/runs/{run}").status_code == 200
    with sessions() as session:
        user = session.scalar(select(User.id).where(User.email == "ada@example.org"))
        reads = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.object_id).where(
                AuditEntry.action.startswith("read:")
            )
        ).all()
        made = session.scalar(select(AuditEntry).where(AuditEntry.object_id == cohort))
    assert (f"user:{user}", "read:web.cohort_page", cohort) in reads
    assert (f"user:{user}", "read:web.run_page", run) in reads
    assert made.actor == f"user:{user}"

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "cli"))
    runner = CliRunner()
    shown = runner.invoke(export, ["--org", "acme", "--email", EMAIL])
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    assert found["cohorts"][0]["participant_rows"][0]["name"] == NAME
    done = runner.invoke(erase, ["--org", "acme", "--email", EMAIL])
    assert done.exit_code == 0, done.output
    assert run in json.loads(done.stdout)["runs_edited"]
    with sessions() as session:
        emails = set(session.scalars(select(Participant.email)))
        names = set(session.scalars(select(Participant.name)))
    assert EMAIL not in emails and NAME not in names and len(names) == 39
    checked(sessions, run)
    page = ada.get(f"/runs/{run}").get_data(as_text=True)
    assert NAME not in page and "M01" not in page
