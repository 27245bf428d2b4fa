"""Runs over HTTP: start (202, limits, policy problems), read, cancel, results."""

from __future__ import annotations

import io

import pytest
from api_helpers import finish, make_cohort
from sqlalchemy import func, select

from api.tables import Run, RunStatus
from matcher.io.cohort_csv import write_pairs
from matcher.io.policy import policy_from_dict
from matcher.io.records import cohort_from_records
from matcher.solve import solve


def start(client, cohort, policy=None, **kwargs):
    return client.post(f"/api/v1/cohorts/{cohort}/runs", json=policy or {}, **kwargs)


def set_status(sessions, run_id, status):
    from api.db import transaction

    with transaction(sessions) as session:
        session.get(Run, run_id).status = status


def test_start_queues_a_run_and_submits_it_after_commit(app, client, sessions):
    cohort = make_cohort(client, program="mentoring")
    response = start(client, cohort, {"weights": {"skills": 0.9}, "solver": {"seed": 7}})
    assert response.status_code == 202
    run = response.get_json()
    assert response.headers["Location"] == f"/api/v1/runs/{run['id']}"
    assert (run["status"], run["attempt"], run["cohort_id"]) == ("queued", 0, cohort)
    assert run["policy"]["program"] == "mentoring"  # the cohort's program is the base
    assert run["policy"]["weights"]["skills"] == 0.9 and run["policy"]["solver"]["seed"] == 7
    assert app.extensions["mentormatch"].executor.submitted == [run["id"]]
    with sessions() as session:
        assert session.get(Run, run["id"]).status == "queued"
    assert client.get(response.headers["Location"]).get_json() == run


def test_a_named_preset_replaces_the_cohort_program(client):
    cohort = make_cohort(client, program="mentoring")
    run = start(client, cohort, {"program": "coaching"}).get_json()
    assert run["policy"]["program"] == "coaching"
    assert run["policy"]["weights"]["skills"] == 0.55


def test_bad_policies_are_422_with_key_paths_and_store_nothing(client, sessions):
    cohort = make_cohort(client)
    bad = {"weights": {"skils": 1, "goals": -1}, "solver": {"objective": "fastest"}}
    problem = start(client, cohort, bad).get_json()
    assert problem["status"] == 422
    columns = {e.get("column") for e in problem["errors"]}
    assert "solver.objective" in columns
    shape = start(client, cohort, {"weights": {"goals": "lots"}, "rules": []}).get_json()
    assert shape["status"] == 422
    assert {e["column"] for e in shape["errors"]} == {"weights.goals", "rules"}
    semantic = start(client, cohort, {"weights": {"skils": 1, "goals": -1}}).get_json()
    assert {e["column"] for e in semantic["errors"]} == {"weights.skils", "weights.goals"}
    assert "did you mean 'skills'" in semantic["errors"][0]["message"]
    too_long = start(client, cohort, {"solver": {"time_limit_seconds": 10_000}}).get_json()
    assert too_long["errors"][0]["column"] == "solver.time_limit_seconds"
    assert start(client, cohort, ["weights"]).status_code == 422
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0


def test_wrong_content_type_and_broken_json(client):
    cohort = make_cohort(client)
    response = client.post(f"/api/v1/cohorts/{cohort}/runs", data="x", content_type="text/plain")
    assert response.status_code == 415
    response = client.post(
        f"/api/v1/cohorts/{cohort}/runs", data="{", content_type="application/json"
    )
    assert response.status_code == 400


def test_too_many_active_runs_is_429_with_retry_after(app, client, sessions):
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 2
    cohort = make_cohort(client)
    first = start(client, cohort).get_json()["id"]
    start(client, cohort)
    response = start(client, cohort)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["limit"] == 2
    set_status(sessions, first, RunStatus.FAILED.value)
    assert start(client, cohort).status_code == 202


def test_results_of_an_unfinished_run_are_409(client):
    run = start(client, make_cohort(client)).get_json()["id"]
    for path in ("assignments", "unmatched", "assignments/E1"):
        problem = client.get(f"/api/v1/runs/{run}/{path}").get_json()
        assert (problem["status"], problem["run_status"]) == (409, "queued"), path


@pytest.fixture
def done(client, sessions):
    """A succeeded run of the small cohort, with the core's own result alongside."""
    from api_helpers import small_records

    run = start(client, make_cohort(client), {"weights": {"seniority": 0.5}}).get_json()["id"]
    finish(sessions, run)
    cohort = cohort_from_records(small_records())
    with sessions() as session:
        policy = policy_from_dict(session.get(Run, run).policy)
    return run, solve(cohort, policy)


def test_assignments_json_pages_and_the_core_csv(client, done):
    run, result = done
    body = client.get(f"/api/v1/runs/{run}").get_json()
    assert body["status"] == "succeeded" and body["solver_status"] == result.status.value
    assert body["objective"] == pytest.approx(result.objective)
    assert body["metrics"]["matched_places"] == result.metrics.matched_places
    first = client.get(f"/api/v1/runs/{run}/assignments?per_page=1")
    assert first.get_json()["total"] == len(result.pairs) and 'rel="next"' in first.headers["Link"]
    pairs = client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"]
    assert [(p["mentee_id"], p["mentor_id"]) for p in pairs] == [
        (p.mentee_id, p.mentor_id) for p in result.pairs
    ]
    assert pairs[0]["components"] == dict(result.pairs[0].components)
    csv = client.get(f"/api/v1/runs/{run}/assignments", headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    expected = io.BytesIO()
    write_pairs(result, expected)
    assert csv.data == expected.getvalue()
    assert "attachment" in csv.headers["Content-Disposition"]
    refused = client.get(f"/api/v1/runs/{run}/assignments", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_one_mentee_and_the_unmatched(client, done):
    run, result = done
    pair = result.pairs[0]
    detail = client.get(f"/api/v1/runs/{run}/assignments/{pair.mentee_id}").get_json()
    assert detail["pairs"][0]["explanation"] == pair.explanation
    assert detail["pairs"][0]["score"] == pytest.approx(pair.score)
    wanted = [(a.mentor_id, a.why_not) for a in result.alternates if a.mentee_id == pair.mentee_id]
    assert [(a["mentor_id"], a["why_not"]) for a in detail["alternates"]] == wanted
    unmatched = client.get(f"/api/v1/runs/{run}/unmatched").get_json()
    assert [u["mentee_id"] for u in unmatched["items"]] == [u.mentee_id for u in result.unmatched]
    assert all(u["reasons"] for u in unmatched["items"])
    for left in result.unmatched:
        one = client.get(f"/api/v1/runs/{run}/assignments/{left.mentee_id}").get_json()
        assert one["unmatched"]["reasons"] == list(left.reasons)
    assert client.get(f"/api/v1/runs/{run}/assignments/NOBODY").status_code == 404


def test_cancel_a_queued_run_and_not_a_finished_one(client, sessions, done):
    pytest.importorskip("api.jobs.lifecycle", reason="helper E's lifecycle module")
    finished, _ = done
    conflict = client.post(f"/api/v1/runs/{finished}/cancel").get_json()
    assert (conflict["status"], conflict["run_status"]) == (409, "succeeded")
    queued = start(client, make_cohort(client)).get_json()["id"]
    response = client.post(f"/api/v1/runs/{queued}/cancel")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    again = client.post(f"/api/v1/runs/{queued}/cancel")
    assert again.status_code == 200 and again.get_json()["status"] == "cancelled"
    running = start(client, make_cohort(client)).get_json()["id"]
    set_status(sessions, running, RunStatus.RUNNING.value)
    response = client.post(f"/api/v1/runs/{running}/cancel")
    assert response.status_code == 202
    assert response.get_json()["cancel_requested"] is True
    assert response.get_json()["status"] == "running"


def test_pairs_naming_people_outside_the_cohort_are_422(client, sessions):
    cohort = make_cohort(client)
    policy = {
        "rules": {"pinned_pairs": [["E1", "M1"], ["M2", "E2"]], "forbidden_pairs": [["E9", "M1"]]}
    }
    problem = start(client, cohort, policy).get_json()
    assert problem["status"] == 422
    found = {(e["column"], e["row"], e["value"]) for e in problem["errors"]}
    assert found == {
        ("rules.forbidden_pairs", 0, "E9"),
        ("rules.pinned_pairs", 1, "M2"),
        ("rules.pinned_pairs", 1, "E2"),
    }
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
    assert start(client, cohort, {"rules": {"pinned_pairs": [["E1", "M1"]]}}).status_code == 202


def test_a_run_takes_question_rules_and_refuses_bad_ones(client, sessions):
    records = [
        {"id": "M1", "role": "mentor", "capacity": 2, "attributes": {"format": "video"}},
        {"id": "M2", "role": "mentor", "capacity": 2, "attributes": {"format": "in person"}},
        {"id": "E1", "role": "mentee", "attributes": {"format": "in person"}},
        {"id": "E2", "role": "mentee", "attributes": {"format": "video"}},
    ]
    cohort = make_cohort(client, records)
    policy = {"attributes": [{"attribute": "format", "rule": "must_match"}]}
    response = start(client, cohort, policy)
    assert response.status_code == 202, response.get_json()
    run = response.get_json()
    assert run["policy"]["attributes"][0]["rule"] == "must_match"
    finish(sessions, run["id"])
    pairs = client.get(f"/api/v1/runs/{run['id']}/assignments").get_json()["items"]
    assert {(p["mentee_id"], p["mentor_id"]) for p in pairs} == {("E1", "M2"), ("E2", "M1")}
    bad = {"attributes": [{"attribute": "format", "rule": "same", "weight": 1e9}]}
    problem = start(client, cohort, bad).get_json()
    assert problem["status"] == 422
    assert [e["column"] for e in problem["errors"]] == ["attributes[0].weight"]
    typo = {"attributes": [{"attribute": "fromat", "rule": "same"}]}
    typo_problem = start(client, cohort, typo).get_json()
    assert typo_problem["status"] == 422
    columns = {e["column"]: e for e in typo_problem["errors"]}
    assert set(columns) == {"attributes[0].attribute", "attributes[0].mentor_attribute"}
    assert "did you mean 'format'" in str(columns["attributes[0].attribute"])
