"""Scenarios over HTTP: a sweep queued as runs, its status, the comparison the core makes,
every problem at once, the limits, cancel, delete, and the fan-out through real workers."""

from __future__ import annotations

import json
import time

import pytest
from api_helpers import DATA, KeyClient, count, execute, finish, make_cohort, sample_cohort

from api.db import transaction
from api.tables import Assignment, Run, Scenario
from api.whatif import LISTED
from matcher.io.policy import policy_from_dict
from matcher.whatif.scenarios import run_scenarios, scenario_run_to_dict
from matcher.whatif.sweep import vary_scenarios

SWEEP = {"vary": {"capacity.all": [1, 2, 3]}}


def post(client, cohort, body, **kwargs):
    return client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=body, **kwargs)


def expected(sessions, cohort_id, policy: dict, scenarios) -> dict:
    """What the core's own run_scenarios says, shaped as the API sends it."""
    from api.store import load_cohort

    with sessions() as session:
        cohort = load_cohort(session, cohort_id)
    direct = scenario_run_to_dict(
        run_scenarios(cohort, policy_from_dict(policy), scenarios), people=True
    )
    for item in direct["comparisons"]:
        item["people"] = [p for p in item["people"] if p["change"] in LISTED]
    return json.loads(json.dumps(direct))


def test_a_capacity_sweep_runs_as_four_jobs_and_compares_like_the_core(
    app, client, sessions, sample_csv
):
    cohort = sample_cohort(client, sample_csv)
    response = post(client, cohort, {**SWEEP, "policy": {"weights": {"goals": 0.3}}})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/scenarios/{body['id']}"
    assert (body["status"], body["comparison"], body["cohort_id"]) == ("queued", None, cohort)
    names = ["baseline", "capacity.all=1", "capacity.all=2", "capacity.all=3"]
    assert [r["variant"] for r in body["runs"]] == names
    ids = [r["run_id"] for r in body["runs"]]
    assert app.extensions["mentormatch"].executor.submitted == ids
    runs = [client.get(r["link"]).get_json() for r in body["runs"]]
    assert [r["kind"] for r in runs] == ["match", "scenario", "scenario", "scenario"]
    assert {r["scenario_id"] for r in runs} == {body["id"]}
    assert runs[0]["changes"] is None
    assert runs[2]["changes"] == {"capacity": {"all": 2}, "name": "capacity.all=2"}
    assert all(r["policy"] == runs[0]["policy"] for r in runs)
    assert runs[0]["policy"]["weights"]["goals"] == 0.3

    execute(app, ids[0])
    assert client.get(response.headers["Location"]).get_json()["status"] == "running"
    execute(app, *ids[1:])
    done = client.get(response.headers["Location"]).get_json()
    assert done["status"] == "succeeded"
    assert [r["status"] for r in done["runs"]] == ["succeeded"] * 4
    table = done["comparison"]["table"]
    assert [row["name"] for row in table] == names
    assert [row["params"] for row in table[1:]] == [{"capacity.all": n} for n in (1, 2, 3)]
    scenarios = vary_scenarios([("capacity.all", [1, 2, 3])])
    assert done["comparison"] == expected(sessions, cohort, runs[0]["policy"], scenarios)
    assert table[1]["matched_places"] < table[2]["matched_places"] <= table[3]["matched_places"]
    one = done["comparison"]["comparisons"][0]
    assert one["counts"]["newly unmatched"] > 0
    assert {p["change"] for p in one["people"]} <= LISTED
    listed = sum(n for change, n in one["counts"].items() if change in LISTED)
    assert len(one["people"]) == listed


def test_a_run_finishing_between_the_reads_still_answers_with_the_comparison(
    app, client, sessions, sample_csv, monkeypatch
):
    import api.views.scenarios as view

    cohort = sample_cohort(client, sample_csv)
    body = post(client, cohort, SWEEP).get_json()
    ids = [r["run_id"] for r in body["runs"]]
    for run_id in ids[:-1]:
        finish(sessions, run_id)
    settle, calls = view.settle_comparison, []

    def last_run_finishes_after_the_first_settle(sessions, scenario_id):
        calls.append(scenario_id)
        found = settle(sessions, scenario_id)
        if len(calls) == 1:
            finish(sessions, ids[-1])  # committed before the second read; nothing compared
        return found

    monkeypatch.setattr(view, "settle_comparison", last_run_finishes_after_the_first_settle)
    done = client.get(f"/api/v1/scenarios/{body['id']}").get_json()
    assert done["status"] == "succeeded"
    assert [row["name"] for row in done["comparison"]["table"]][0] == "baseline"


def test_named_scenarios_and_a_sweep_together(app, client, sessions):
    cohort = make_cohort(client)
    scenarios = [
        {"name": "M2 leaves", "remove_mentors": ["M2"]},
        {"capacity": {"mentors": {"M1": 3}}},  # unnamed: "scenario 2", as in the CLI
    ]
    body = post(client, cohort, {"scenarios": scenarios, "vary": {"weights.skills": [0.9]}})
    body = body.get_json()
    names = [r["variant"] for r in body["runs"]]
    assert names == ["baseline", "M2 leaves", "scenario 2", "weights.skills=0.9"]
    execute(app, *[r["run_id"] for r in body["runs"]])
    done = client.get(f"/api/v1/scenarios/{body['id']}").get_json()
    policy = client.get(body["runs"][0]["link"]).get_json()["policy"]
    swept = vary_scenarios([("weights.skills", [0.9])])
    assert done["comparison"] == expected(sessions, cohort, policy, scenarios + swept)
    left = done["comparison"]["comparisons"][0]
    assert left["variant"]["mentors"] == 1
    assert all(p["before"] == ["M2"] for p in left["people"] if p["change"] == "moved")


def test_every_problem_of_every_variant_is_422_and_nothing_is_stored(app, client, sessions):
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 10
    cohort = make_cohort(client)
    body = {
        "scenarios": [
            {"name": "gone", "remove_mentors": ["M9"]},
            {"name": "typo", "capacty": {"all": 2}},
            {"name": "negative", "capacity": {"all": -1}},
            {"name": "baseline"},
            {"name": "gone"},
            {"name": "slow", "policy": {"solver": {"time_limit_seconds": 10_000}}},
        ],
        "vary": {"capacity.mentors.M7": [1, 2]},
    }
    response = post(client, cohort, body)
    problem = response.get_json()
    assert response.status_code == 422 and problem["title"] == "the scenario was rejected"
    found = {(e["column"], e.get("value")) for e in problem["errors"]}
    assert found == {
        ("scenarios[0].remove_mentors[0]", "M9"),
        ("scenarios[1].capacty", "capacty"),
        ("scenarios[2].capacity.all", "-1"),
        ("scenarios[3].name", "baseline"),
        ("scenarios[4].name", "gone"),
        ("scenarios[5].policy.solver.time_limit_seconds", "10000.0"),
        ("vary[0].capacity.mentors.M7", "M7"),
        ("vary[1].capacity.mentors.M7", "M7"),
    }
    messages = {e["column"]: e["message"] for e in problem["errors"]}
    assert "no mentor with this id" in messages["scenarios[0].remove_mentors[0]"]
    assert "did you mean 'capacity'" in messages["scenarios[1].capacty"]
    assert "scenarios[0]" in messages["scenarios[4].name"]
    assert (count(sessions, Scenario), count(sessions, Run)) == (0, 0)
    assert app.extensions["mentormatch"].executor.submitted == []


def test_problems_with_the_request_itself(client, sessions):
    cohort = make_cohort(client)
    body = {"polcy": {}, "policy": {"weights": {"skils": 1}}, "vary": {"capacity.al": [1]}}
    problem = post(client, cohort, body).get_json()
    found = {(e["column"], e.get("value")) for e in problem["errors"]}
    assert found == {
        ("polcy", "polcy"),
        ("policy.weights.skils", "skils"),
        ("vary", "capacity.al"),
    }
    assert "did you mean 'policy'" in problem["errors"][0]["message"]
    pinned = {"policy": {"rules": {"pinned_pairs": [["E1", "M9"]]}}, **SWEEP}
    problem = post(client, cohort, pinned).get_json()
    assert [(e["column"], e["value"]) for e in problem["errors"]] == [
        ("policy.rules.pinned_pairs", "M9")
    ]
    nothing = post(client, cohort, {}).get_json()
    assert nothing["status"] == 422 and "no scenarios" in nothing["errors"][0]["message"]
    shape = post(client, cohort, {"vary": {"capacity.all": []}, "scenarios": {}})
    assert shape.status_code == 422
    assert count(sessions, Scenario) == 0


def test_too_many_variants_is_422_before_anything_is_expanded(app, client, sessions):
    cohort = make_cohort(client)
    settings = app.extensions["mentormatch"].settings
    many = post(client, cohort, {"vary": {"capacity.all": list(range(21))}}).get_json()
    assert (many["status"], many["variants"], many["limit"]) == (422, 21, 20)
    assert many["type"].endswith("#problem-scenario-too-large")
    huge = {"vary": {f"weights.{w}": list(range(100)) for w in ("skills", "goals", "seniority")}}
    assert post(client, cohort, huge).get_json()["variants"] == 10**6
    settings["MAX_ACTIVE_RUNS"] = 4
    over = post(client, cohort, {"vary": {"capacity.all": [1, 2, 3, 4]}}).get_json()
    assert (over["status"], over["limit"]) == (422, 3)
    assert "at most 4 queued or running runs" in over["detail"]
    assert count(sessions, Scenario) == 0


def test_the_active_run_limit_counts_every_run_of_the_scenario(app, client, sessions):
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 4
    cohort = make_cohort(client)
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    client.post(f"/api/v1/cohorts/{cohort}/runs", json={})
    response = post(client, cohort, {"vary": {"capacity.all": [1, 2]}})
    assert response.status_code == 429 and response.headers["Retry-After"] == "5"
    assert "this request needs 3" in response.get_json()["detail"]
    assert (count(sessions, Scenario), count(sessions, Run)) == (0, 2)
    finish(sessions, first)
    assert post(client, cohort, {"vary": {"capacity.all": [1, 2]}}).status_code == 202


def test_an_idempotency_key_replays_the_first_scenario(client, sessions):
    cohort = make_cohort(client)
    headers = {"Idempotency-Key": "sweep-1"}
    first = post(client, cohort, SWEEP, headers=headers)
    again = post(client, cohort, SWEEP, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert (count(sessions, Scenario), count(sessions, Run)) == (1, 4)


def test_cancel_stops_what_has_not_run_and_the_scenario_fails(app, client):
    cohort = make_cohort(client)
    body = post(client, cohort, SWEEP).get_json()
    execute(app, body["runs"][0]["run_id"])
    cancelled = client.post(body["links"]["cancel"])
    assert cancelled.status_code == 200
    scenario = cancelled.get_json()
    assert [r["status"] for r in scenario["runs"]] == ["succeeded"] + ["cancelled"] * 3
    assert (scenario["status"], scenario["comparison"]) == ("failed", None)
    assert client.get(body["links"]["self"]).get_json() == scenario


def test_deleting_the_cohort_erases_its_scenarios_runs_and_results(app, client, sessions):
    cohort = make_cohort(client)
    body = post(client, cohort, SWEEP).get_json()
    ids = [r["run_id"] for r in body["runs"]]
    execute(app, *ids)
    rematch = client.post(f"/api/v1/runs/{ids[3]}/rematch", json={"changes": {}}).get_json()
    execute(app, rematch["id"])
    assert count(sessions, Assignment) > 0
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    for model in (Scenario, Run, Assignment):
        assert count(sessions, model) == 0, model
    assert client.get(body["links"]["self"]).status_code == 404


# --------------------------------------------------------------------------- real workers


@pytest.fixture
def live(database_url, tmp_path, monkeypatch):
    """An app whose runs are executed by its in-process worker threads, and a key."""
    from api import create_app
    from api.keys import create_key

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"DATABASE_URL": database_url, "EXECUTOR": "inprocess", "INPROCESS_WORKERS": 2}
    app = create_app({**settings, "HEARTBEAT_SECONDS": 0.05})
    services = app.extensions["mentormatch"]
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "acme")
    yield app, KeyClient(app.test_client(), key)
    services.close()


def test_a_sweep_of_the_500_person_sample_through_the_worker_pool(live):
    app, client = live
    response = client.post(
        "/api/v1/cohorts?name=big&program=mentoring",
        data=(DATA / "mentoring-500.csv").read_bytes(),
        headers={"Content-Type": "text/csv"},
    )
    cohort = response.get_json()["id"]
    response = post(client, cohort, SWEEP)
    assert response.status_code == 202, response.get_json()
    deadline = time.monotonic() + 120
    while (body := client.get(response.headers["Location"]).get_json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, body
        time.sleep(0.1)
    assert body["status"] == "succeeded", body["runs"]
    attempts = {client.get(r["link"]).get_json()["attempt"] for r in body["runs"]}
    assert attempts == {1}
    # CP-SAT may pick another of several optimal assignments of this cohort on another
    # call, so the figures every optimum shares are compared with the core's own run.
    sessions = app.extensions["mentormatch"].sessions
    policy = client.get(body["runs"][0]["link"]).get_json()["policy"]
    scenarios = vary_scenarios([("capacity.all", [1, 2, 3])])
    direct = expected(sessions, cohort, policy, scenarios)
    shared = ("name", "params", "status", "matched_places", "wanted_places", "total_score")
    table = body["comparison"]["table"]
    assert [[row[k] for k in shared] for row in table] == [
        [row[k] for k in shared] for row in direct["table"]
    ]
    for row, item in zip(table[1:], body["comparison"]["comparisons"], strict=True):
        moved = [p for p in item["people"] if p["change"] == "moved"]
        assert len(moved) == row["moved"] == item["counts"]["moved"]
        assert all(p["delta"] is not None and p["before"] != p["after"] for p in moved)
    assert table[1]["matched_places"] < table[2]["matched_places"] < table[3]["matched_places"]
