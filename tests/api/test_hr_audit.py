"""The audit log: each change recorded in its own transaction with who, what, which object
and the request id; reads of personal data recorded; ids only; append-only in the
database; an organization sees only its own entries, filtered and paged."""

from __future__ import annotations

import pytest
from api_helpers import count, make_cohort
from sqlalchemy import select, text

from api.tables_audit import AuditEntry


def entries(client, **query) -> list[dict]:
    response = client.get("/api/v1/audit", query_string={"per_page": 1000, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_change_is_recorded_with_who_what_which_and_the_request_id(client, key):
    response = client.post(
        "/api/v1/cohorts",
        json={
            "name": "spring",
            "program": "coaching",
            "participants": [
                {"id": "M1", "role": "mentor", "skills": "python", "capacity": 1},
                {"id": "E1", "role": "mentee", "skills": "python", "name": "Ada Lovelace"},
            ],
        },
        headers={"X-Request-ID": "req-audit-1"},
    )
    cohort = response.get_json()["id"]
    [entry] = entries(client)
    prefix = key.removeprefix("mm_").split("_")[0]
    assert entry["actor"] == f"key:{prefix}" and key not in repr(entry)
    assert entry["action"] == "cohorts.create_cohort"
    assert (entry["object_type"], entry["object_id"]) == ("cohort", cohort)
    assert entry["request_id"] == "req-audit-1"
    assert entry["detail"]["tables"] == {"cohorts": ["insert"], "participants": ["insert"]}
    assert "Ada" not in repr(entry) and "E1" not in repr(entry)


def test_a_queued_run_is_one_entry_about_the_run_and_a_rejected_request_none(client, sessions):
    cohort = make_cohort(client)
    before = count(sessions, AuditEntry)
    run = client.post(
        f"/api/v1/cohorts/{cohort}/runs", json={}, headers={"Idempotency-Key": "r1"}
    ).get_json()["id"]
    assert count(sessions, AuditEntry) == before + 1  # the idempotency answer is not audited
    [entry] = entries(client, action="runs.start")
    assert (entry["object_type"], entry["object_id"]) == ("run", run)
    assert entry["detail"]["from"] == f"cohort:{cohort}"
    bad = client.post(f"/api/v1/cohorts/{cohort}/runs", json={"weights": {"skills": -1}})
    assert bad.status_code == 422
    assert count(sessions, AuditEntry) == before + 1


def test_deleting_a_cohort_is_recorded(client):
    cohort = make_cohort(client)
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    [entry] = entries(client, action="cohorts.delete_cohort")
    assert entry["object_id"] == cohort and entry["detail"]["tables"]["cohorts"] == ["delete"]


def test_reading_people_is_recorded_and_other_reads_are_not(client):
    cohort = make_cohort(client)
    assert client.get(f"/api/v1/cohorts/{cohort}").status_code == 200
    assert client.get(f"/api/v1/cohorts/{cohort}/participants").status_code == 200
    reads = entries(client, action="read:")
    assert [(e["action"], e["object_id"]) for e in reads] == [
        ("read:cohorts.list_participants", cohort)
    ]
    missing = client.get("/api/v1/cohorts/coh_nope/participants")
    assert missing.status_code == 404 and len(entries(client, action="read:")) == 1


def test_every_audited_read_is_a_route(app):
    from api.audit import READS

    assert READS <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_each_organization_sees_its_own_entries_filtered_and_paged(client, other):
    first, second = make_cohort(client), make_cohort(client)
    make_cohort(other)
    mine = entries(client)
    assert [e["object_id"] for e in mine] == [first, second]
    assert len(entries(other)) == 1
    assert entries(client, object_id=second)[0]["object_id"] == second
    assert entries(client, action="runs.") == []
    page = client.get("/api/v1/audit?per_page=1")
    assert page.get_json()["total"] == 2 and 'rel="next"' in page.headers["Link"]
    later = entries(client, since=mine[1]["at"])
    assert [e["object_id"] for e in later] == [second]
    assert client.get("/api/v1/audit?since=yesterday").status_code == 422


def test_the_audit_route_needs_a_key_and_checks_the_admin_scope(app, client):
    assert app.test_client().get("/api/v1/audit").status_code == 401
    with app.test_request_context():
        from flask import g

        from api.auth import require_scope
        from api.errors import ApiProblem

        g.key_scopes = {"read", "write"}
        with pytest.raises(ApiProblem) as refused:
            require_scope("admin")
        assert refused.value.code == 403
        g.key_scopes = {"admin"}
        require_scope("admin")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"],
)
def test_the_database_refuses_to_change_or_delete_entries(client, sessions, statement):
    make_cohort(client)
    with sessions() as session:
        with pytest.raises(Exception, match="append-only"):
            with session.begin():
                session.execute(text(statement))
        assert session.scalar(select(AuditEntry.action)) == "cohorts.create_cohort"
