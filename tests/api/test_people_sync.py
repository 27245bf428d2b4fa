"""People sync: one person (PUT) or a batch (PATCH) with HRIS fields and leavers, every
problem listed with its record and field and nothing half-stored, roster versions that
keep earlier runs solving what they solved, and a leaver's rematch run."""

from __future__ import annotations

from api_helpers import count, execute, make_cohort

from api.tables import Participant


def patch(client, cohort, people, **extra):
    return client.open(
        f"/api/v1/cohorts/{cohort}/people", method="PATCH", json={"people": people, **extra}
    )


def roster(client, cohort) -> dict:
    items = client.get(f"/api/v1/cohorts/{cohort}/participants").get_json()["items"]
    return {p["id"]: p for p in items}


def test_a_batch_adds_updates_and_removes_with_hris_fields(client):
    cohort = make_cohort(client)
    response = patch(
        client,
        cohort,
        [
            {
                "employee_id": "E4",
                "role": "mentee",
                "supervisor_id": "X9",
                "seniority": 1,
                "skills": "css",
                "name": "Grace H.",
                "email": "grace@example.org",
            },
            {"employee_id": "E1", "seniority": 3, "skills": "python"},
            {"employee_id": "E2", "status": "leaver"},
            {"id": "E3", "role": "mentee", "seniority": 1, "skills": "sql"},
        ],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["added"], body["updated"], body["left"], body["unchanged"]) == (
        ["E4"],
        ["E1"],
        ["E2"],
        ["E3"],
    )
    assert body["version"] == 1 and body["rematch_run"] is None
    people = roster(client, cohort)
    assert set(people) == {"M1", "M2", "E1", "E3", "E4"}
    assert people["E4"]["manager_id"] == "X9" and people["E1"]["seniority"] == 3
    assert "name" not in people["E4"] and "email" not in people["E4"]
    assert client.get(f"/api/v1/cohorts/{cohort}").get_json()["mentees"] == 3
    again = patch(client, cohort, [{"employee_id": "E2", "status": "leaver"}]).get_json()
    assert (again["left"], again["unchanged"], again["version"]) == ([], ["E2"], 1)


def test_every_problem_is_listed_with_its_record_and_nothing_is_stored(client, sessions):
    cohort = make_cohort(client)
    rows = count(sessions, Participant)
    response = patch(
        client,
        cohort,
        [
            {"employee_id": "E9", "seniority": 1},  # new, without a role
            {"employee_id": "E1", "seniority": "lots"},
            {"employee_id": "Q1", "status": "leaver"},  # never in the cohort
            {"employee_id": "E2", "status": "gone"},
            {"id": "E3", "employee_id": "E33"},
            {"employee_id": "M1", "role": "mentee"},
            {"employee_id": "E5", "role": "mentee", "prefer": "M7"},
        ],
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    found = {(e["row"], e.get("column")) for e in response.get_json()["errors"]}
    assert found == {
        (0, "role"),
        (1, "seniority"),
        (2, "id"),
        (3, "status"),
        (4, "id"),  # differs from employee_id (the test client sorts keys)
        (5, "role"),
        (6, "prefer"),
        (6, "seniority"),  # the roster has seniority for everyone, so a newcomer needs one
    }
    assert all(e["source"] == "people" for e in response.get_json()["errors"])
    assert count(sessions, Participant) == rows and roster(client, cohort)["E1"]["seniority"] == 2


def test_put_upserts_one_person_and_a_leaver_is_unlinked_from_preferences(client):
    records = [
        {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python", "capacity": 2},
        {"id": "M2", "role": "mentor", "seniority": 5, "skills": "css"},
        {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python", "prefer": "M2; M1"},
    ]
    cohort = make_cohort(client, records)
    put = client.put(
        f"/api/v1/cohorts/{cohort}/people/E2",
        json={"role": "mentee", "seniority": 1, "skills": ["css"]},
    )
    assert put.status_code == 200 and put.get_json()["added"] == ["E2"]
    wrong = client.put(f"/api/v1/cohorts/{cohort}/people/E2", json={"employee_id": "E7"})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["column"] == "id"
    left = client.put(f"/api/v1/cohorts/{cohort}/people/M2", json={"status": "leaver"})
    assert left.get_json()["unlinked"] == [{"id": "E1", "prefer": ["M2"]}]
    assert roster(client, cohort)["E1"]["prefer"] == ["M1"]


def test_runs_keep_the_roster_they_were_queued_with(app, client, sessions):
    from api.store import load_cohort
    from api.tables import Run

    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    patch(client, cohort, [{"employee_id": "E3", "status": "leaver"}])
    execute(app, run)  # queued before the sync: solves the roster with E3
    pairs = client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"]
    assert "E3" in {p["mentee_id"] for p in pairs}
    with sessions() as session:
        assert "E3" not in load_cohort(session, cohort).mentee_ids
        assert session.get(Run, run).cohort_version == 0
    later = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, later)
    pairs = client.get(f"/api/v1/runs/{later}/assignments").get_json()["items"]
    assert "E3" not in {p["mentee_id"] for p in pairs}


def test_a_leaver_with_rematch_queues_a_minimal_disruption_run(app, client):
    cohort = make_cohort(client)
    none = patch(client, cohort, [{"employee_id": "M2", "status": "leaver"}], rematch=True)
    assert none.status_code == 409 and none.get_json()["type"].endswith("nothing-to-rematch")
    assert "M2" in roster(client, cohort)  # nothing was stored
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    before = {
        p["mentee_id"]: p["mentor_id"]
        for p in client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"]
    }
    assert before["E2"] == "M2"
    body = patch(client, cohort, [{"employee_id": "M2", "status": "leaver"}], rematch=True)
    assert body.status_code == 200, body.get_json()
    rematch = body.get_json()["rematch_run"]
    assert (rematch["kind"], rematch["previous_run_id"], rematch["status"]) == (
        "rematch",
        run,
        "queued",
    )
    execute(app, rematch["id"])
    done = client.get(f"/api/v1/runs/{rematch['id']}").get_json()
    moves = {m["mentee_id"]: m for m in done["moves"]}
    assert moves["E2"]["from_mentor"] == "M2" and "left" in moves["E2"]["reason"]
    after = {
        p["mentee_id"]: p["mentor_id"]
        for p in client.get(f"/api/v1/runs/{rematch['id']}/assignments").get_json()["items"]
    }
    assert "M2" not in after.values()
    assert {e: m for e, m in before.items() if m != "M2"}.items() <= after.items()
    listed = client.get(f"/api/v1/cohorts/{cohort}/runs?kind=rematch").get_json()["items"]
    assert [r["id"] for r in listed] == [rematch["id"]]
    # a later explicit rematch of the sync's rematch sees the same roster
    again = client.post(f"/api/v1/runs/{rematch['id']}/rematch", json={"changes": {}})
    assert again.status_code == 202, again.get_json()
    execute(app, again.get_json()["id"])


def test_another_organizations_cohort_is_404(client, other):
    cohort = make_cohort(client)
    assert patch(other, cohort, [{"employee_id": "E1", "status": "leaver"}]).status_code == 404
    put = other.open(f"/api/v1/cohorts/{cohort}/people/E1", method="PUT", json={"seniority": 1})
    assert put.status_code == 404
