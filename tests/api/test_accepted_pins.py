"""Accepted mentor requests are pinned wherever a run is queued: in a people sync's rematch
(unless a rule now forbids the pair, which the run's notes say) and in a scenario's
baseline and variants; every result passes the independent checker."""

from __future__ import annotations

from api_helpers import execute, make_cohort

from api.store import load_result, solved_inputs
from api.tables import Run
from matcher.checker import check

RECORDS = [
    {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python:5; sql", "capacity": 2},
    {"id": "M2", "role": "mentor", "seniority": 5, "skills": "python; css", "capacity": 2},
    {"id": "M3", "role": "mentor", "seniority": 7, "skills": "react", "capacity": 2},
    {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python; sql"},
    {"id": "E2", "role": "mentee", "seniority": 2, "skills": "python"},
    {"id": "E3", "role": "mentee", "seniority": 1, "skills": "react"},
    {"id": "E4", "role": "mentee", "seniority": 1, "skills": "css"},
]


def accept(client, cohort, mentee, mentor) -> None:
    made = client.post(
        f"/api/v1/cohorts/{cohort}/requests", json={"mentee": mentee, "mentor": mentor}
    )
    assert made.status_code == 201, made.get_json()
    done = client.post(f"/api/v1/cohorts/{cohort}/requests/{made.get_json()['id']}/accept")
    assert done.status_code == 200, done.get_json()


def pairs(client, run_id) -> dict:
    items = client.get(f"/api/v1/runs/{run_id}/assignments").get_json()["items"]
    return {(p["mentee_id"], p["mentor_id"]): p["pinned"] for p in items}


def checked(sessions, run_id) -> None:
    with sessions() as session:
        run = session.get(Run, run_id)
        people, policy = solved_inputs(session, run)
        assert check(people, policy, load_result(session, run)) == []


def test_a_leaver_rematch_pins_requests_accepted_since_unless_a_rule_now_forbids(
    app, client, sessions
):
    cohort = make_cohort(client, RECORDS)
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, first)
    before = {e: m for e, m in pairs(client, first)}
    # accepted after the run: E3 with a mentor the run did not give them, E2 with M3
    other = next(m for m in ("M1", "M2") if m != before["E3"])
    accept(client, cohort, "E3", other)
    accept(client, cohort, "E2", "M3")
    top = client.get(f"/api/v1/cohorts/{cohort}/people/E4/suggestions").get_json()["items"][0]
    accept(client, cohort, "E4", top["mentor_id"])  # E4 leaves: withdrawn, never pinned
    sync = [
        {"employee_id": "E4", "status": "leaver"},
        # M3 now excludes E2: a hard rule forbids the accepted pair
        {**RECORDS[2], "exclude": "E2"},
    ]
    body = client.open(
        f"/api/v1/cohorts/{cohort}/people", method="PATCH", json={"people": sync, "rematch": True}
    )
    assert body.status_code == 200, body.get_json()
    rematch = body.get_json()["rematch_run"]
    assert ["E3", other] in rematch["policy"]["rules"]["pinned_pairs"]
    assert ["E2", "M3"] not in rematch["policy"]["rules"]["pinned_pairs"]
    assert ["E4", top["mentor_id"]] not in rematch["policy"]["rules"]["pinned_pairs"]
    listed = client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["items"]
    assert {r["mentee_id"]: r["status"] for r in listed}["E4"] == "withdrawn"
    note = "accepted mentor request E2-M3 not pinned: ruled out by an exclude list"
    assert rematch["notes"] == [note]
    execute(app, rematch["id"])
    done = client.get(f"/api/v1/runs/{rematch['id']}").get_json()
    assert done["notes"][0] == note
    after = pairs(client, rematch["id"])
    assert after[("E3", other)] is True
    assert ("E2", "M3") not in after and "E4" not in {e for e, _ in after}
    checked(sessions, rematch["id"])


def test_the_policy_forbidding_an_accepted_pair_is_a_note_in_the_rematch(app, client, sessions):
    cohort = make_cohort(client, RECORDS)
    forbid = {"rules": {"forbidden_pairs": [["E1", "M3"]]}}
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json=forbid).get_json()["id"]
    execute(app, first)
    # accepted after the run; the suggestion policy (the run's) refuses it, so write it
    # as a request accepted through the table, as an earlier policy would have let it be
    from api.db import transaction
    from api.tables import utcnow
    from api.tables_cycles import MentorRequest

    with transaction(sessions) as session:
        now = utcnow()
        session.add(
            MentorRequest(
                organization_id=session.get(Run, first).organization_id,
                cohort_id=cohort,
                mentee_id="E1",
                mentor_id="M3",
                status="accepted",
                origin="mentee",
                created_at=now,
                expires_at=now,
                decided_at=now,
            )
        )
    sync = {"people": [{"employee_id": "E4", "status": "leaver"}], "rematch": True}
    body = client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=sync).get_json()
    rematch = body["rematch_run"]
    assert rematch["notes"] == [
        "accepted mentor request E1-M3 not pinned: the policy forbids the pair "
        "(rules.forbidden_pairs)"
    ]
    execute(app, rematch["id"])
    assert ("E1", "M3") not in pairs(client, rematch["id"])
    checked(sessions, rematch["id"])


def test_a_scenario_s_baseline_and_variants_pin_accepted_requests(app, client, sessions):
    cohort = make_cohort(client, RECORDS)
    accept(client, cohort, "E3", "M1")  # not E3's best (M3 teaches react)
    body = {
        "scenarios": [
            {"name": "more room", "capacity": {"mentors": {"M2": 3}}},
            {"name": "M1 leaves", "remove_mentors": ["M1"]},
        ],
        "vary": {"weights.skills": [0.9]},
    }
    made = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=body)
    assert made.status_code == 202, made.get_json()
    runs = {r["variant"]: r["run_id"] for r in made.get_json()["runs"]}
    execute(app, *runs.values())
    for name, run_id in runs.items():
        got = pairs(client, run_id)
        if name == "M1 leaves":  # the change set removes one of the pair: no pin left
            assert all(m != "M1" for _, m in got)
        else:
            policy = client.get(f"/api/v1/runs/{run_id}").get_json()["policy"]
            assert ["E3", "M1"] in policy["rules"]["pinned_pairs"], name
            assert got[("E3", "M1")] is True, name
        checked(sessions, run_id)
    done = client.get(f"/api/v1/scenarios/{made.get_json()['id']}").get_json()
    assert done["status"] == "succeeded" and done["comparison"] is not None


def test_a_scenario_forbidding_an_accepted_pair_is_refused_like_a_run(client, sessions):
    cohort = make_cohort(client, RECORDS)
    accept(client, cohort, "E3", "M1")
    body = {
        "policy": {"rules": {"forbidden_pairs": [["E3", "M1"]]}},
        "scenarios": [{"name": "more room", "capacity": {"mentors": {"M2": 3}}}],
    }
    refused = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=body)
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert [e["column"] for e in errors] == ["policy.rules.forbidden_pairs"]
    assert "accepted" in errors[0]["message"] and errors[0]["value"] == "['E3', 'M1']"
    assert client.get(f"/api/v1/cohorts/{cohort}/runs").get_json()["items"] == []
