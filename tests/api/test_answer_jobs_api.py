"""Prices, alternatives and attrition over HTTP: queued jobs whose answer is the core's."""

from __future__ import annotations

import json

import pytest
from api_helpers import DATA, execute, finish, make_cohort, sample_cohort
from click.testing import CliRunner

from api.store import solved_inputs
from api.tables import Run
from matcher.answers.questions import alternatives_answer, attrition_answer, prices_answer
from matcher.answers.receipt import cohort_digest, policy_digest
from matcher.cli import main
from matcher.io.cohort_csv import read_cohort
from matcher.io.policy import preset


@pytest.fixture
def run(client, sessions, sample_csv):
    cohort = sample_cohort(client, sample_csv)
    run_id = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    finish(sessions, run_id)
    return run_id


def as_json(data):
    return json.loads(json.dumps(data))


def inputs(sessions, run_id):
    with sessions() as session:
        return solved_inputs(session, session.get(Run, run_id))


def _ask(client, app, run, question, body):
    posted = client.post(f"/api/v1/runs/{run}/{question}", json=body)
    assert posted.status_code == 202, posted.get_json()
    job = posted.get_json()
    assert posted.headers["Location"] == f"/api/v1/answer-jobs/{job['id']}"
    assert (job["status"], job["question"], job["run_id"], job["answer"]) == (
        "queued",
        question,
        run,
        None,
    )
    execute(app, job["id"])  # the workers' own code
    done = client.get(posted.headers["Location"])
    assert done.status_code == 200
    return done.get_json()


def test_prices_job_answers_as_the_cli(app, client, sessions, run):
    job = _ask(client, app, run, "prices", {"top": 2, "hints": 1})
    assert job["status"] == "succeeded" and job["params"] == {"top": 2, "hints": 1}
    cohort, policy = inputs(sessions, run)
    assert job["answer"] == as_json(prices_answer(cohort, policy, top=2, hints=1))
    assert job["answer"]["optimum"] == {"places": 27, "score": 15.5375}


def test_alternatives_job_answers_with_pairs(app, client, sessions, run):
    job = _ask(client, app, run, "alternatives", {"k": 2, "within": "2%"})
    cohort, policy = inputs(sessions, run)
    expected = as_json(alternatives_answer(cohort, policy, k=2, within=0.02))
    assert job["answer"] == expected
    floor = job["answer"]["floor"]
    for figures, pairs in zip(job["answer"]["alternatives"], job["answer"]["pairs"], strict=True):
        assert figures["total"] >= floor - 1e-9
        assert len(pairs) == figures["places"] == job["answer"]["optimum"]["places"]


def test_attrition_job_answers_as_the_cli(app, client, sessions, run):
    job = _ask(client, app, run, "attrition", {"top": 3})
    cohort, policy = inputs(sessions, run)
    assert job["answer"] == as_json(attrition_answer(cohort, policy, top=3))
    assert job["params"] == {"top": 3, "move_cost": None}


def test_an_idempotency_key_queues_one_job(client, sessions, run):
    headers = {"Idempotency-Key": "prices-1"}
    first = client.post(f"/api/v1/runs/{run}/prices", json={}, headers=headers)
    again = client.post(f"/api/v1/runs/{run}/prices", json={}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json()["id"] == again.get_json()["id"]
    with sessions() as session:
        assert session.query(Run).filter(Run.kind == "prices").count() == 1
    other = client.post(f"/api/v1/runs/{run}/prices", json={"top": 1}, headers=headers)
    assert other.status_code == 422


def test_jobs_belong_to_the_organization(app, client, other, run):
    posted = client.post(f"/api/v1/runs/{run}/attrition", json={})
    location = posted.headers["Location"]
    assert other.get(location).status_code == 404
    assert other.post(f"/api/v1/runs/{run}/prices", json={}).status_code == 404
    assert client.get("/api/v1/answer-jobs/run_nope").status_code == 404
    assert client.get(f"/api/v1/answer-jobs/{run}").status_code == 404  # a run, not a job


def test_refusals_are_problems(app, client, sessions, run):
    queued = client.post(f"/api/v1/cohorts/{make_cohort(client)}/runs", json={}).get_json()["id"]
    got = client.post(f"/api/v1/runs/{queued}/prices", json={})
    assert got.status_code == 409 and got.content_type == "application/problem+json"
    bad = client.post(f"/api/v1/runs/{run}/alternatives", json={"k": 0, "within": "lots"})
    assert bad.status_code == 422
    assert {e["column"] for e in bad.get_json()["errors"]} == {"k", "within"}
    job = client.post(f"/api/v1/runs/{run}/prices", json={}).get_json()
    execute(app, job["id"])
    about_a_job = client.post(f"/api/v1/runs/{job['id']}/prices", json={})
    assert about_a_job.status_code == 409
    fair = client.post(
        f"/api/v1/cohorts/{make_cohort(client)}/runs",
        json={"solver": {"objective": "fair"}},
    ).get_json()["id"]
    finish(sessions, fair)
    assert client.post(f"/api/v1/runs/{fair}/prices", json={}).status_code == 422


def test_answer_jobs_are_not_listed_as_runs_and_can_be_cancelled(client, sessions, run):
    cohort = client.get(f"/api/v1/runs/{run}").get_json()["cohort_id"]
    job = client.post(f"/api/v1/runs/{run}/prices", json={}).get_json()
    listed = client.get(f"/api/v1/cohorts/{cohort}/runs").get_json()["items"]
    assert [r["id"] for r in listed] == [run]
    cancel = client.post(job["links"]["cancel"])
    assert cancel.status_code == 200
    assert client.get(job["links"]["self"]).get_json()["status"] == "cancelled"


def test_the_runs_receipt_digests_the_cohort_as_the_sheets_does(client, run):
    receipt = client.get(f"/api/v1/runs/{run}/receipt").get_json()
    sheet = read_cohort(DATA / "coaching-sample.csv")
    assert receipt["cohort_sha256"] == cohort_digest(sheet)
    assert receipt["policy_sha256"] == policy_digest(preset("coaching"))


def test_a_group_fair_run_through_the_api(client, sessions, sample_csv):
    cohort = sample_cohort(client, sample_csv)
    body = {"solver": {"objective": "group-fair", "by": "location", "time_limit_seconds": 20}}
    posted = client.post(f"/api/v1/cohorts/{cohort}/runs", json=body)
    assert posted.status_code == 202, posted.get_json()
    assert posted.get_json()["policy"]["solver"]["by"] == "location"
    finish(sessions, posted.get_json()["id"])
    run = client.get(posted.headers["Location"]).get_json()
    assert (run["solver"], run["solver_status"]) == ("group-fair", "optimal")
    assert any("cost against the plain optimum" in n for n in run["notes"])
    missing = client.post(
        f"/api/v1/cohorts/{cohort}/runs", json={"solver": {"objective": "group-fair"}}
    )
    assert missing.status_code == 422


def test_a_runs_receipt_verifies_with_the_cli_against_the_sheet(client, run, tmp_path):
    receipt = client.get(f"/api/v1/runs/{run}/receipt").get_json()
    assert receipt["certificate"] is not None, receipt["certificate_note"]
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    pairs = client.get(f"/api/v1/runs/{run}/assignments", headers={"Accept": "text/csv"})
    assert pairs.status_code == 200
    (tmp_path / "pairs.csv").write_bytes(pairs.data)
    sheet = str(DATA / "coaching-sample.csv")
    args = [str(tmp_path / "receipt.json"), sheet, "--program", "coaching"]
    done = CliRunner().invoke(main, ["verify", *args, str(tmp_path / "pairs.csv")])
    assert done.exit_code == 0, done.output
    assert "certificate checked" in done.output


def test_an_erasure_redacts_the_person_from_stored_answers(app, client, sessions, run):
    job = _ask(client, app, run, "attrition", {"top": 3})
    mentor = job["answer"]["risks"][0]["mentor_id"]
    assert f'"{mentor}"' in json.dumps(job["answer"])

    erased = client.post("/api/v1/erasures", json={"person_id": mentor})
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["rows"]["run_answers.answer"] == 1
    again = client.get(f"/api/v1/answer-jobs/{job['id']}").get_json()
    assert f'"{mentor}"' not in json.dumps(again["answer"])
