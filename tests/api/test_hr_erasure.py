"""Erasure of one person (by id or email) across cohorts, roster versions, results,
decisions, change sets and replayable answers; unreadable afterwards in the SQLite file
and in PostgreSQL's pages; other people and other organizations untouched; the export of
what is stored about a person, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import execute, make_cohort
from sqlalchemy import select, text, update

from api.erasure import redact
from api.store import load_result, solved_inputs
from api.tables import Assignment, Cohort, IdempotencyRecord, Organization, Participant, Run
from api.tables_web import Decision
from matcher.checker import check

EMAIL = "ada.lovelace@example.org"
NAME = "Ada Zqxlovelace"
JOINER = {"id": "E9", "role": "mentee", "seniority": 1, "skills": "python"}


def matched(app, client, cohort) -> str:
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    return run


def as_web_import(sessions, person_id: str) -> None:
    """Give the person's rows the name and email a web import stores."""
    with sessions.begin() as session:
        session.execute(
            update(Participant)
            .where(Participant.external_id == person_id)
            .values(name=NAME, email=EMAIL)
        )


def mentions(sessions, person_id: str, org: str = "acme") -> list[str]:
    """Where ``org`` still stores the person's id (participants, results, decisions, runs,
    replayable answers)."""
    found = []
    with sessions() as session:
        org_id = session.scalar(select(Organization.id).where(Organization.name == org))
        cohorts = select(Cohort.id).where(Cohort.organization_id == org_id)
        runs = select(Run.id).where(Run.organization_id == org_id)
        rows = select(Participant.id).where(
            Participant.external_id == person_id, Participant.cohort_id.in_(cohorts)
        )
        if session.scalar(rows):
            found.append("participants")
        pairs = select(Assignment.id).where(
            (Assignment.mentee_id == person_id) | (Assignment.mentor_id == person_id),
            Assignment.run_id.in_(runs),
        )
        if session.scalar(pairs):
            found.append("assignments")
        if session.scalar(select(Decision.id).where(Decision.mentee_id == person_id)):
            found.append("decisions")
        for run in session.scalars(select(Run).where(Run.organization_id == org_id)):
            if f'"{person_id}"' in json.dumps([run.changes, run.policy]):
                found.append(f"run {run.id}")
        for record in session.scalars(select(IdempotencyRecord)):
            if f'"{person_id}"' in json.dumps(record.body):
                found.append("idempotency")
    return found


def test_erasing_by_id_removes_them_everywhere_and_marks_edited_runs(app, client, other, sessions):
    first, second = make_cohort(client), make_cohort(client)
    kept = make_cohort(other)  # another organization's E1 is another person
    run = matched(app, client, first)
    execute(app, client.post(f"/api/v1/cohorts/{second}/runs", json={}).get_json()["id"])
    execute(app, other.post(f"/api/v1/cohorts/{kept}/runs", json={}).get_json()["id"])
    items = client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"]
    mentor = next(p["mentor_id"] for p in items if p["mentee_id"] == "E1")
    approve = {"action": "approve", "mentee_id": "E1", "mentor_id": mentor}
    assert client.post(f"/api/v1/runs/{run}/decisions", json=approve).status_code == 201
    joined = client.post(
        f"/api/v1/runs/{run}/rematch",
        json={"changes": {"add": [JOINER], "capacity": {"mentors": {"M1": 3}}}},
        headers={"Idempotency-Key": "add-e9"},
    )
    assert joined.status_code == 202
    assert (
        client.open(  # a new roster version: E1 has a row per version now
            f"/api/v1/cohorts/{first}/people",
            method="PATCH",
            json={"people": [{"id": "E1", "role": "mentee", "seniority": 3, "skills": "sql"}]},
        ).status_code
        == 200
    )

    response = client.post("/api/v1/erasures", json={"person_id": "E1"})
    assert response.status_code == 200, response.get_json()
    erasure = response.get_json()
    assert erasure["found"] and set(erasure["cohorts"]) == {first, second}
    assert erasure["rows"]["participants"] == 3 and erasure["rows"]["assignments"] >= 2
    assert run in erasure["runs_edited"]
    assert mentions(sessions, "E1") == [] and "participants" in mentions(sessions, "E1", "globex")
    with sessions() as session:
        others = session.scalars(
            select(Participant.external_id).where(Participant.cohort_id == kept)
        )
        assert "E1" in set(others)  # the other organization's person stays
    assert client.get(f"/api/v1/cohorts/{first}").get_json()["mentees"] == 2
    shown = client.get(f"/api/v1/runs/{run}").get_json()
    assert any(
        note.startswith("edited") and erasure["erasure_id"] in note for note in shown["notes"]
    )
    pairs = client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"]
    assert pairs and "E1" not in {p["mentee_id"] for p in pairs}
    assert client.get(f"/api/v1/runs/{run}/decisions").get_json()["items"] == []

    [entry] = client.get("/api/v1/audit?action=person.erased").get_json()["items"]
    assert entry["object_id"] == erasure["erasure_id"] and "E1" not in repr(entry)
    again = client.post("/api/v1/erasures", json={"person_id": "E1"}).get_json()
    assert again["found"] is False and again["rows"] == {}


def test_an_erased_mentor_leaves_the_other_pairs_valid(app, client, sessions):
    cohort = make_cohort(client)
    run = matched(app, client, cohort)
    client.post("/api/v1/erasures", json={"person_id": "M2"})
    with sessions() as session:
        stored = session.get(Run, run)
        cohort_now, policy = solved_inputs(session, stored)
        result = load_result(session, stored)
    assert result.pairs and all(pair.mentor_id != "M2" for pair in result.pairs)
    assert check(cohort_now, policy, result) == []
    assert result.status.value == "feasible" and "erasure" in result.notes[-1]


def test_a_rematch_change_set_and_its_replayable_answer_lose_the_person(app, client, sessions):
    cohort = make_cohort(client)
    run = matched(app, client, cohort)
    body = {"changes": {"add": [JOINER], "remove_mentees": ["E2"]}}
    queued = client.post(f"/api/v1/runs/{run}/rematch", json=body, headers={"Idempotency-Key": "k"})
    assert queued.status_code == 202, queued.get_json()
    assert "idempotency" in mentions(sessions, "E9")
    client.post("/api/v1/erasures", json={"person_id": "E9"})
    assert mentions(sessions, "E9") == []
    with sessions() as session:
        changes = [c for c in session.scalars(select(Run.changes)) if c]
    assert changes and all(c["changes"]["add"] == [] for c in changes)
    assert all(c["changes"]["remove_mentees"] == ["E2"] for c in changes)  # others' ids stay


def raw_bytes(sessions, url: str) -> bytes:
    """The SQLite file and its log; on PostgreSQL every page of the personal tables."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    out = []
    with sessions.begin() as session:
        session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        for table in ("participants", "assignments", "runs", "audit_log", "idempotency_keys"):
            pages = session.scalar(text(f"SELECT pg_relation_size('{table}') / 8192"))
            for page in range(pages):
                out.append(session.scalar(text(f"SELECT get_raw_page('{table}', {page})")))
    return b"".join(bytes(p) for p in out)


def test_erasing_by_email_leaves_nothing_readable_in_the_database(
    app, client, sessions, database_url
):
    people = [
        {"id": "M1", "role": "mentor", "skills": "python", "capacity": 2, "seniority": 5},
        {"id": "E1", "role": "mentee", "skills": "python", "seniority": 1},
        {"id": "E2", "role": "mentee", "skills": "python", "seniority": 1},
    ]
    cohort = make_cohort(client, people)
    matched(app, client, cohort)
    as_web_import(sessions, "E1")
    assert client.get(f"/api/v1/cohorts/{cohort}/participants").status_code == 200
    content = raw_bytes(sessions, database_url)
    assert EMAIL.encode() in content and NAME.encode() in content

    erased = client.post("/api/v1/erasures", json={"email": EMAIL.upper()}).get_json()
    assert erased["found"] and erased["rows"]["participants"] == 1
    content = raw_bytes(sessions, database_url)
    assert EMAIL.encode() not in content and NAME.encode() not in content
    assert mentions(sessions, "E1") == []


def test_the_erasure_route_asks_for_exactly_one_way_to_find_the_person(client):
    both = client.post("/api/v1/erasures", json={"email": EMAIL, "person_id": "E1"})
    assert both.status_code == 422
    assert client.post("/api/v1/erasures", json={}).status_code == 422
    assert client.post("/api/v1/erasures", data="x").status_code == 415


def test_an_export_lists_what_is_stored_about_a_person_and_is_audited(app, client, sessions):
    cohort = make_cohort(client)
    run = matched(app, client, cohort)
    as_web_import(sessions, "E1")
    response = client.get("/api/v1/people/export", query_string={"email": EMAIL})
    assert response.status_code == 200, response.get_json()
    found = response.get_json()
    assert found["ids"] == ["E1"]
    [where] = found["cohorts"]
    assert where["cohort_id"] == cohort
    [row] = where["participant_rows"]
    assert (row["id"], row["name"], row["email"]) == ("E1", NAME, EMAIL)
    [result] = where["runs"]
    assert result["run_id"] == run and result["pairs"][0]["mentee_id"] == "E1"
    missing = client.get("/api/v1/people/export?person_id=nobody")
    assert missing.status_code == 404
    audited = client.get("/api/v1/audit?action=person.exported").get_json()["items"]
    assert [e["detail"]["found"] for e in audited] == [True, False]
    assert EMAIL not in repr(audited)


def test_redact_drops_what_names_the_person_and_keeps_the_rest():
    import re

    pattern = re.compile(r"(?<!\w)(?:E1)(?!\w)", re.IGNORECASE)
    document = {
        "add": [{"id": "E1"}, {"id": "E10"}],
        "capacity": {"mentors": {"E1": 2, "M1": 3}},
        "org_chart": [["E1", "M1"], ["E2", "M1"]],
        "manager_id": "E1",
        "note": "E1 asked for python",
    }
    assert redact(document, pattern) == {
        "add": [{"id": "E10"}],
        "capacity": {"mentors": {"M1": 3}},
        "org_chart": [["E2", "M1"]],
        "note": "[erased]",
    }


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "cli"))


def test_the_erase_and_export_commands(app, client, sessions, cli_env):
    from click.testing import CliRunner

    from api.hr_commands import erase, export

    make_cohort(client)
    runner = CliRunner()
    shown = runner.invoke(export, ["--org", "acme", "--id", "E3"])
    assert shown.exit_code == 0, shown.output
    assert '"ids": [\n    "E3"\n  ]' in shown.stdout
    done = runner.invoke(erase, ["--org", "acme", "--id", "E3"])
    assert done.exit_code == 0 and '"participants": 1' in done.stdout
    assert mentions(sessions, "E3") == []
    assert runner.invoke(erase, ["--org", "acme"]).exit_code == 2
    assert runner.invoke(erase, ["--org", "nobody", "--id", "E3"]).exit_code == 1
    audited = client.get("/api/v1/audit?actor=cli").get_json()["items"]
    assert [e["action"] for e in audited] == ["person.exported", "person.erased"]


def test_pending_uploads_naming_them_or_unsearchable_are_discarded(app, client, sessions):
    from api.tables_web import Upload

    cohort = make_cohort(client)
    as_web_import(sessions, "E1")
    with sessions.begin() as session:
        org = session.scalar(select(Organization.id).where(Organization.name == "acme"))
        for upload_id, content in (
            ("upl_names", f"id,email\nE1,{EMAIL.upper()}\n".encode()),
            ("upl_other", b"id,email\nE2,grace@example.org\n"),
            ("upl_xlsx", b"PK\x03\x04\x14\x00\x06\x00\xff\xfe binary"),
        ):
            session.add(
                Upload(
                    id=upload_id,
                    organization_id=org,
                    name="next",
                    program="coaching",
                    filename="sheet",
                    content=content,
                )
            )
    erased = client.post("/api/v1/erasures", json={"email": EMAIL}).get_json()
    assert erased["rows"]["uploads"] == 2 and cohort in erased["cohorts"]
    with sessions() as session:
        assert list(session.scalars(select(Upload.id))) == ["upl_other"]


def test_an_email_used_as_the_id_is_found_by_email(app, client, sessions):
    people = [
        {"id": "M1", "role": "mentor", "skills": "python", "capacity": 2},
        {"id": EMAIL, "role": "mentee", "skills": "python"},
        {"id": "E2", "role": "mentee", "skills": "python"},
    ]
    cohort = make_cohort(client, people)
    run = matched(app, client, cohort)
    erased = client.post("/api/v1/erasures", json={"email": EMAIL.upper()}).get_json()
    assert erased["rows"]["participants"] == 1 and erased["runs_edited"] == [run]
    assert mentions(sessions, EMAIL) == []
    with sessions() as session:
        assert set(session.scalars(select(Participant.external_id))) == {"M1", "E2"}


def test_deleting_a_cohort_leaves_its_people_unreadable_in_the_database(
    app, client, sessions, database_url
):
    people = [
        {"id": "M1", "role": "mentor", "skills": "python", "capacity": 2, "seniority": 5},
        {"id": "E1", "role": "mentee", "skills": "python", "seniority": 1},
    ]
    cohort = make_cohort(client, people)
    matched(app, client, cohort)
    as_web_import(sessions, "E1")
    assert NAME.encode() in raw_bytes(sessions, database_url)

    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    content = raw_bytes(sessions, database_url)
    assert EMAIL.encode() not in content and NAME.encode() not in content
