"""Synchronous /match, health checks, the OpenAPI document and the docs page."""

from __future__ import annotations

import re

import pytest
from api_helpers import DATA, small_records

from matcher.io.policy import policy_from_dict
from matcher.io.records import cohort_from_records
from matcher.solve import solve


def test_match_answers_inline_like_the_core(client):
    policy = {"program": "coaching", "solver": {"objective": "fair"}}
    response = client.post(
        "/api/v1/match", json={"cohort": {"participants": small_records()}, "policy": policy}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = solve(cohort_from_records(small_records()), policy_from_dict(policy))
    assert body["solver"] == "fair" and body["status"] == expected.status.value
    assert [(p["mentee_id"], p["mentor_id"]) for p in body["pairs"]] == [
        (p.mentee_id, p.mentor_id) for p in expected.pairs
    ]
    assert body["objective"] == pytest.approx(expected.objective)
    assert body["metrics"]["mentees"] == 3


def test_match_answer_is_what_its_schema_would_dump(client):
    """The view returns its body without marshmallow's dump: it must already be that."""
    from api.schemas import MatchOut
    from matcher.io.cohort_csv import read_cohort
    from matcher.io.records import cohort_to_records

    records = cohort_to_records(read_cohort(DATA / "coaching-sample.csv"))
    policy = {"program": "coaching", "seniority": {"max_gap": 3}}
    response = client.post(
        "/api/v1/match", json={"cohort": {"participants": records}, "policy": policy}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pairs"] and body["alternates"]
    assert MatchOut().dump(body) == body


def test_match_rejects_big_cohorts_bad_people_and_bad_policies(app, client):
    app.extensions["mentormatch"].settings["SYNC_MATCH_LIMIT"] = 4
    big = client.post("/api/v1/match", json={"cohort": {"participants": small_records()}})
    assert big.status_code == 413
    assert "/api/v1/cohorts" in big.get_json()["detail"]
    app.extensions["mentormatch"].settings["SYNC_MATCH_LIMIT"] = 100
    records = small_records()
    records[0]["capacity"] = "many"
    people = client.post("/api/v1/match", json={"cohort": {"participants": records}}).get_json()
    assert (people["status"], people["errors"][0]["row"]) == (422, 0)
    policy = {"weights": {"skills": -1}}
    body = {"cohort": {"participants": small_records()}, "policy": policy}
    assert client.post("/api/v1/match", json=body).get_json()["errors"][0]["column"] == (
        "weights.skills"
    )
    assert client.post("/api/v1/match", json={}).status_code == 422
    assert client.post("/api/v1/match", data="a,b", content_type="text/csv").status_code == 415


def test_health_and_readiness(app):
    plain = app.test_client()
    assert plain.get("/healthz").get_json() == {"status": "ok"}
    ready = plain.get("/readyz").get_json()
    assert ready == {"status": "ready", "checks": {"database": "ok", "executor": "ok"}}
    executor = app.extensions["mentormatch"].executor
    executor.ready = lambda: (False, "broker unreachable")
    down = plain.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["checks"] == {"database": "ok", "executor": "broker unreachable"}


def test_readiness_reports_an_unreachable_database(tmp_path, monkeypatch):
    from api_helpers import RecordingExecutor

    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path))
    url = "postgresql://nobody@127.0.0.1:1/none"
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "none"})
    app.extensions["mentormatch"].executor = RecordingExecutor()
    down = app.test_client().get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["checks"]["database"].startswith("unreachable")


def test_the_spec_documents_every_route_and_the_docs_page_lists_them(app):
    plain = app.test_client()
    spec = plain.get("/api/v1/openapi.json").get_json()
    routes = {
        (re.sub(r"<\w+:", "<", rule.rule), method)  # <path:mentee_id> is {mentee_id}
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint != "static"
        and not rule.rule.endswith("openapi.json")
        and not rule.endpoint.startswith("web.")  # the coordinator's pages are not the API
    }
    documented = {
        (path.replace("{", "<").replace("}", ">"), method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routes == documented
    page = plain.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    for path in spec["paths"]:
        assert f"<code>{path}</code>" in page.get_data(as_text=True)
    assert "cdn" not in page.get_data(as_text=True).lower()
    # Every problem type an error or a failed run points at has its anchor on the page.
    for kind in ("input-rejected", "run-attempts-exhausted", "run-internal-error"):
        assert f'id="problem-{kind}"' in page.get_data(as_text=True)
