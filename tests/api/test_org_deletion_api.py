"""DELETE /api/v1/organization: an admin key deletes its own organization with everything
it owns once ``confirm`` names it; a wrong name or a key without the admin scope deletes
nothing; another organization is untouched; the caller's keys stop working at once."""

from __future__ import annotations

from api_helpers import KeyClient, count, execute, make_cohort
from sqlalchemy import func, select

from api.db import transaction
from api.tables import ApiKey, Cohort, Organization, Participant, Run
from api.tables_audit import AuditEntry

ROUTE = "/api/v1/organization"


def snapshot(sessions, org_name: str) -> dict:
    """Row counts of what ``org_name`` owns."""
    with sessions() as session:
        org = session.scalar(select(Organization.id).where(Organization.name == org_name))
        cohorts = select(Cohort.id).where(Cohort.organization_id == org)

        def counted(statement) -> int:
            return session.scalar(select(func.count()).select_from(statement.subquery()))

        return {
            "cohorts": counted(cohorts),
            "participants": counted(
                select(Participant.id).where(Participant.cohort_id.in_(cohorts))
            ),
            "runs": counted(select(Run.id).where(Run.organization_id == org)),
            "keys": counted(select(ApiKey.id).where(ApiKey.organization_id == org)),
            "audit": counted(select(AuditEntry.id).where(AuditEntry.organization_id == org)),
        }


def test_a_wrong_name_or_a_key_without_admin_deletes_nothing(app, client, sessions):
    from api.keys import create_key

    make_cohort(client)
    before = snapshot(sessions, "acme")
    wrong = client.delete(ROUTE, query_string={"confirm": "ACME"})
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    body = wrong.get_json()
    assert body["type"].endswith("#problem-confirmation-mismatch")
    [item] = body["errors"]
    assert (item["column"], item["value"], item["message"]) == (
        "confirm",
        "ACME",
        "expected 'acme'",
    )
    missing = client.delete(ROUTE)
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["column"] == "confirm"
    with transaction(sessions) as session:
        writer, _ = create_key(session, "acme", scopes=("read", "write"))
    refused = KeyClient(app.test_client(), writer).delete(ROUTE, query_string={"confirm": "acme"})
    assert refused.status_code == 403 and refused.get_json()["required_scope"] == "admin"
    assert snapshot(sessions, "acme") == {**before, "keys": before["keys"] + 1}
    assert count(sessions, Organization) == 1


def test_the_organization_goes_with_its_keys_and_the_other_stays(app, client, other, sessions):
    mine, theirs = make_cohort(client), make_cohort(other)
    execute(app, client.post(f"/api/v1/cohorts/{mine}/runs", json={}).get_json()["id"])
    execute(app, other.post(f"/api/v1/cohorts/{theirs}/runs", json={}).get_json()["id"])
    assert other.get(f"/api/v1/cohorts/{theirs}/participants").status_code == 200
    theirs_before = snapshot(sessions, "globex")
    mine_before = snapshot(sessions, "acme")

    done = client.delete(ROUTE, query_string={"confirm": "acme"})
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert answer["organization"] == "acme"
    assert {k: answer["rows"][k] for k in ("cohorts", "participants", "runs")} == {
        k: mine_before[k] for k in ("cohorts", "participants", "runs")
    }
    assert answer["rows"]["audit_log"] == mine_before["audit"]

    assert client.get(f"/api/v1/cohorts/{mine}").status_code == 401  # the key went with it
    assert client.delete(ROUTE, query_string={"confirm": "acme"}).status_code == 401
    with sessions() as session:
        assert list(session.scalars(select(Organization.name))) == ["globex"]
        assert list(session.scalars(select(Cohort.id))) == [theirs]
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "organization.deleted")
        )
    assert entry.organization_id is None and entry.object_type == "organization"
    prefix = client.key.removeprefix("mm_").split("_")[0]
    assert entry.actor == f"key:{prefix}" and entry.detail["name"] == "acme"
    assert snapshot(sessions, "globex") == theirs_before  # the other organization untouched
    assert other.get(f"/api/v1/cohorts/{theirs}/participants").status_code == 200
    audit = other.get("/api/v1/audit", query_string={"action": "organization."}).get_json()
    assert audit["items"] == []  # the service's entry is no organization's


def test_the_route_is_documented_with_an_example_and_needs_admin(app):
    from api.auth import ADMIN, ROUTE_SCOPES

    assert ROUTE_SCOPES["hr.delete_organization"] == ADMIN
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/organization"]["delete"]
    [confirm] = operation["parameters"]
    assert (confirm["name"], confirm["in"], confirm["required"]) == ("confirm", "query", True)
    assert confirm["schema"]["example"] == "Acme Mentoring"
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert set(example["rows"]) == {"cohorts", "participants", "runs", "audit_log"}
    docs = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert 'id="problem-confirmation-mismatch"' in docs
