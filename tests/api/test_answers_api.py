"""Answers asked of a run over HTTP equal the core's on the run's own cohort and policy."""

from __future__ import annotations

import json

import pytest
from api_helpers import finish, make_cohort, sample_cohort

from api.store import load_result, solved_inputs
from api.tables import Run
from matcher.answers.audit import audit, audit_to_dict
from matcher.answers.receipt import make_receipt, receipt_to_dict
from matcher.answers.why_not import why_not, why_not_to_dict


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
        row = session.get(Run, run_id)
        cohort, policy = solved_inputs(session, row)
        return cohort, policy, load_result(session, row)


def test_why_not_is_the_cores_answer(client, sessions, run):
    cohort, policy, _ = inputs(sessions, run)
    for mentee, mentor in (("E02", "M03"), ("E05", "M03")):
        got = client.get(f"/api/v1/runs/{run}/why-not?mentee={mentee}&mentor={mentor}")
        assert got.status_code == 200, got.get_json()
        assert got.get_json() == as_json(why_not_to_dict(why_not(cohort, policy, mentee, mentor)))
    assert client.get(f"/api/v1/runs/{run}/why-not?mentee=E05&mentor=M03").get_json()["rules"] == [
        "reporting_chain"
    ]


def test_why_not_unknown_ids_name_the_closest(client, run):
    got = client.get(f"/api/v1/runs/{run}/why-not?mentee=e02&mentor=M3")
    assert got.status_code == 422 and got.content_type == "application/problem+json"
    errors = {e["column"]: e for e in got.get_json()["errors"]}
    assert "'E02'" in errors["mentee"]["message"] and errors["mentee"]["source"] == "query"
    assert errors["mentor"]["value"] == "M3"
    missing = client.get(f"/api/v1/runs/{run}/why-not?mentee=E02")
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["column"] == "mentor"


def test_why_not_refuses_a_cohort_above_the_inline_limit(app, client, run):
    app.extensions["mentormatch"].settings["SYNC_MATCH_LIMIT"] = 10
    got = client.get(f"/api/v1/runs/{run}/why-not?mentee=E02&mentor=M03")
    body = got.get_json()
    assert got.status_code == 422 and body["type"].endswith("#problem-too-large-to-answer-inline")
    assert body["limit"] == 10 and body["participants"] == 40
    assert "mentormatch explain" in body["detail"]


@pytest.mark.parametrize(
    "path",
    ["why-not?mentee=E1&mentor=M1", "audit", "receipt"],
)
def test_a_run_without_results_is_409(client, path):
    cohort = make_cohort(client)
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    got = client.get(f"/api/v1/runs/{queued}/{path}")
    assert got.status_code == 409 and got.get_json()["run_status"] == "queued"


def test_audit_is_the_cores_on_the_stored_result(client, sessions, run):
    cohort, _, result = inputs(sessions, run)
    got = client.get(f"/api/v1/runs/{run}/audit?threshold=0.05&min_size=2")
    assert got.status_code == 200
    assert got.get_json() == as_json(
        audit_to_dict(audit(cohort, result, threshold=0.05, min_size=2))
    )
    default = client.get(f"/api/v1/runs/{run}/audit").get_json()
    assert (default["threshold"], default["min_size"]) == (0.10, 5)
    bad = client.get(f"/api/v1/runs/{run}/audit?threshold=2&min_size=0")
    assert bad.status_code == 422
    assert {e["column"] for e in bad.get_json()["errors"]} == {"threshold", "min_size"}


def test_receipt_then_verify(client, sessions, run):
    cohort, policy, result = inputs(sessions, run)
    receipt = client.get(f"/api/v1/runs/{run}/receipt").get_json()
    assert receipt == as_json(receipt_to_dict(make_receipt(cohort, policy, result)))
    pairs = client.get(f"/api/v1/runs/{run}/assignments?limit=1000").get_json()["items"]
    pairs = [{k: p[k] for k in ("mentee_id", "mentor_id", "score")} for p in pairs]
    ok = client.post(f"/api/v1/runs/{run}/verify", json={"receipt": receipt, "pairs": pairs})
    assert ok.status_code == 200 and ok.get_json() == {"verified": True, "findings": []}
    tampered = [{**pairs[0], "mentor_id": pairs[1]["mentor_id"]}, *pairs[1:]]
    no = client.post(f"/api/v1/runs/{run}/verify", json={"receipt": receipt, "pairs": tampered})
    findings = no.get_json()["findings"]
    assert no.status_code == 200 and not no.get_json()["verified"]
    assert any("pairs digest differs" in f for f in findings)


def test_verify_names_every_problem_with_the_receipt(client, run):
    receipt = {"format": 1, "places": "many", "extra": 1}
    got = client.post(f"/api/v1/runs/{run}/verify", json={"receipt": receipt, "pairs": []})
    assert got.status_code == 422
    columns = {e["column"] for e in got.get_json()["errors"]}
    assert {"extra", "places", "cohort_sha256", "objective"} <= columns
    shape = client.post(f"/api/v1/runs/{run}/verify", json={"pairs": [{"mentee_id": "E01"}]})
    assert shape.status_code == 422
