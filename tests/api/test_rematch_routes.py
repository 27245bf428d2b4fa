"""Rematch over HTTP: a new run that keeps the previous pairs it can, its moves, the base a
rematch of a rematch or of a scenario variant starts from, problems, conflicts, limits."""

from __future__ import annotations

import pytest
from api_helpers import count, execute, make_cohort, sample_cohort, small_records

from api.store import load_cohort
from api.tables import Run
from matcher.io.policy import policy_from_dict
from matcher.io.records import cohort_from_records
from matcher.whatif.changes import changed
from matcher.whatif.moves import move_to_dict
from matcher.whatif.rematch import rematch


def match(app, client, cohort) -> str:
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    return run


def pairs(client, run_id) -> list[tuple[str, str]]:
    items = client.get(f"/api/v1/runs/{run_id}/assignments").get_json()["items"]
    return [(p["mentee_id"], p["mentor_id"]) for p in items]


def post(client, run_id, body, **kwargs):
    return client.post(f"/api/v1/runs/{run_id}/rematch", json=body, **kwargs)


def test_a_mentor_who_leaves_moves_only_their_mentees(app, client, sessions, sample_csv):
    cohort = sample_cohort(client, sample_csv)
    previous = match(app, client, cohort)
    before = pairs(client, previous)
    response = post(client, previous, {"changes": {"remove_mentors": ["M03"]}})
    assert response.status_code == 202, response.get_json()
    queued = response.get_json()
    assert response.headers["Location"] == f"/api/v1/runs/{queued['id']}"
    assert (queued["kind"], queued["status"], queued["previous_run_id"]) == (
        "rematch",
        "queued",
        previous,
    )
    assert queued["changes"] == {"changes": {"remove_mentors": ["M03"]}, "move_cost": None}
    assert queued["policy"] == client.get(f"/api/v1/runs/{previous}").get_json()["policy"]
    assert app.extensions["mentormatch"].executor.submitted[-1] == queued["id"]
    execute(app, queued["id"])

    run = client.get(response.headers["Location"]).get_json()
    with sessions() as session:
        people = load_cohort(session, cohort)
    core = rematch(people, policy_from_dict(queued["policy"]), before, {"remove_mentors": ["M03"]})
    assert run["moves"] == [move_to_dict(m) for m in core.moves]
    assert pairs(client, run["id"]) == [(p.mentee_id, p.mentor_id) for p in core.result.pairs]
    assert run["objective"] == pytest.approx(core.result.objective)
    theirs = {e for e, m in before if m == "M03"}
    assert run["moves"] and {m["mentee_id"] for m in run["moves"]} == theirs
    assert {(m["from_mentor"], m["reason"].split(";")[0]) for m in run["moves"]} == {
        ("M03", "mentor M03 left")
    }
    kept = set(before) & set(pairs(client, run["id"]))
    assert kept == {(e, m) for e, m in before if m != "M03"}
    detail = client.get(f"/api/v1/runs/{run['id']}/assignments/{before[0][0]}").get_json()
    assert detail["pairs"][0]["explanation"].startswith("kept; ")


def test_a_move_cost_reaches_the_core(app, client, sessions):
    cohort = make_cohort(client)
    previous = match(app, client, cohort)
    body = {"changes": {"capacity": {"mentors": {"M1": 1}}}, "move_cost": 0.0}
    run = post(client, previous, body).get_json()
    execute(app, run["id"])
    run = client.get(f"/api/v1/runs/{run['id']}").get_json()
    core = rematch(
        cohort_from_records(small_records()),
        policy_from_dict(run["policy"]),
        pairs(client, previous),
        body["changes"],
        move_cost=0.0,
    )
    assert run["moves"] == [move_to_dict(m) for m in core.moves]
    assert any("capacity fell to 1" in m["reason"] for m in run["moves"])


def test_a_rematch_of_a_rematch_starts_from_the_people_added_before(app, client, sessions):
    cohort = make_cohort(client)
    previous = match(app, client, cohort)
    joiner = {"id": "E4", "role": "mentee", "seniority": 1, "skills": "python"}
    first_changes = {"add": [joiner], "capacity": {"mentors": {"M1": 3}}}
    first = post(client, previous, {"changes": first_changes}).get_json()["id"]
    assert post(client, previous, {"changes": {"remove_mentees": ["E4"]}}).status_code == 422
    execute(app, first)
    assert ("E4", "M1") in pairs(client, first)
    response = post(client, first, {"changes": {"remove_mentees": ["E4"]}})
    assert response.status_code == 202, response.get_json()
    second = response.get_json()
    base, policy = changed(
        first_changes, cohort_from_records(small_records()), policy_from_dict(second["policy"])
    )
    assert second["policy"] == client.get(f"/api/v1/runs/{first}").get_json()["policy"]
    execute(app, second["id"])
    run = client.get(f"/api/v1/runs/{second['id']}").get_json()
    core = rematch(base, policy, pairs(client, first), {"remove_mentees": ["E4"]})
    assert run["moves"] == [move_to_dict(m) for m in core.moves]
    assert run["moves"][0]["mentee_id"] == "E4"
    assert run["moves"][0]["reason"] == "mentee left the programme"
    assert "E4" not in {e for e, _ in pairs(client, second["id"])}


def test_a_rematch_of_a_scenario_variant_starts_from_the_variant(app, client):
    cohort = make_cohort(client)
    sweep = {"scenarios": [{"name": "M2 leaves", "remove_mentors": ["M2"]}]}
    scenario = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=sweep).get_json()
    execute(app, *[r["run_id"] for r in scenario["runs"]])
    variant = scenario["runs"][1]["run_id"]
    problem = post(client, variant, {"changes": {"capacity": {"mentors": {"M2": 2}}}}).get_json()
    assert problem["status"] == 422
    assert [e["column"] for e in problem["errors"]] == ["changes.capacity.mentors.M2"]
    response = post(client, variant, {"changes": {"capacity": {"mentors": {"M1": 3}}}})
    assert response.status_code == 202
    run = response.get_json()
    assert run["scenario_id"] is None and run["previous_run_id"] == variant
    execute(app, run["id"])
    done = client.get(f"/api/v1/runs/{run['id']}").get_json()
    assert done["metrics"]["mentors"] == 1
    assert all(m["to_mentor"] in (None, "M1") for m in done["moves"])


def test_bad_changes_are_422_with_every_problem_and_store_nothing(app, client, sessions):
    cohort = make_cohort(client)
    previous = match(app, client, cohort)
    body = {
        "changes": {
            "remove_mentors": ["M9"],
            "capacty": {"all": 2},
            "capacity": {"all": -1},
            "policy": {"solver": {"time_limit_seconds": 10_000}},
        },
        "move_cost": -1,
        "why": "x",
    }
    problem = post(client, previous, body).get_json()
    assert (problem["status"], problem["title"]) == (422, "the rematch was rejected")
    assert {(e["column"], e["value"]) for e in problem["errors"]} == {
        ("why", "why"),
        ("changes.remove_mentors[0]", "M9"),
        ("changes.capacty", "capacty"),
        ("changes.capacity.all", "-1"),
        ("changes.policy.solver.time_limit_seconds", "10000.0"),
        ("move_cost", "-1"),
    }
    assert post(client, previous, {"move_cost": "a lot"}).status_code == 422
    assert count(sessions, Run) == 1


def test_a_run_without_results_is_409_and_the_run_limit_is_429(app, client, sessions):
    cohort = make_cohort(client)
    done = match(app, client, cohort)
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    problem = post(client, queued, {"changes": {}}).get_json()
    assert (problem["status"], problem["run_status"]) == (409, "queued")
    assert problem["type"].endswith("#problem-run-not-succeeded")
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 1
    response = post(client, done, {"changes": {}})
    assert response.status_code == 429 and response.headers["Retry-After"] == "5"
    assert count(sessions, Run) == 2


def test_an_idempotency_key_replays_the_first_rematch(app, client, sessions):
    previous = match(app, client, make_cohort(client))
    headers = {"Idempotency-Key": "rematch-1"}
    first = post(client, previous, {"changes": {}}, headers=headers).get_json()
    again = post(client, previous, {"changes": {}}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first["id"] and count(sessions, Run) == 2
