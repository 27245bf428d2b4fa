"""What the door refuses, and how: a database outage is a 503 to retry, logged on one JSON
line; NUL characters, JSON nested too deep, NaN and huge numbers, huge weights and ids
nobody could read back are 4xx problems, never 500s. Ids with a slash can be fetched."""

from __future__ import annotations

import json
import logging

import pytest
from api_helpers import execute, make_cohort, small_records

PROBLEM = "application/problem+json"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def log_lines():
    """The JSON lines of the ``mentormatch.requests`` logger, parsed."""
    logger, handler = logging.getLogger("mentormatch.requests"), Lines()
    logger.addHandler(handler)
    yield lambda: handler.lines
    logger.removeHandler(handler)


def test_a_database_outage_is_a_503_to_retry_logged_on_one_line(tmp_path, monkeypatch, log_lines):
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path))
    down = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    app = create_app({"DATABASE_URL": down, "EXECUTOR": "none", "RETRY_AFTER_SECONDS": 7})
    try:
        response = app.test_client().get(
            "/api/v1/cohorts",
            headers={"Authorization": "Bearer mm_0badc0de_x", "X-Request-ID": "r1"},
        )
    finally:
        app.extensions["mentormatch"].close()
    assert response.status_code == 503 and response.content_type == PROBLEM
    assert response.headers["Retry-After"] == "7"
    body = response.get_json()
    assert body["type"].endswith("#problem-unavailable") and body["request_id"] == "r1"
    errors = [line for line in log_lines() if line["event"] == "error"]
    assert len(errors) == 1 and errors[0]["status"] == 503
    assert errors[0]["error"] == "OperationalError" and errors[0]["request_id"] == "r1"
    assert errors[0]["traceback"] and all("\n" not in frame for frame in errors[0]["traceback"])


def test_an_unexpected_error_is_logged_on_one_line_without_its_message(app, client, log_lines):
    def boom():
        raise RuntimeError("secret E1@example.org")

    app.add_url_rule("/boom", "boom", boom)
    assert client.get("/boom").status_code == 500
    (error,) = [line for line in log_lines() if line["event"] == "error"]
    assert error["error"] == "RuntimeError" and error["traceback"][-1].endswith("in boom")
    assert "secret" not in json.dumps(error)


def test_nul_characters_are_refused_everywhere(client):
    body = {"name": "spring\u0000", "program": "coaching", "participants": small_records()}
    cohort = make_cohort(client)
    for response in (
        client.post("/api/v1/cohorts", json=body),
        client.post(
            "/api/v1/cohorts?name=a%00b&program=coaching",
            data=b"id,role\nM1,mentor\nE1,mentee\n",
            headers={"Content-Type": "text/csv"},
        ),
        client.get("/api/v1/cohorts/coh_%00x"),
        client.get("/api/v1/runs/run_1/assignments/E%001"),
        client.post(
            f"/api/v1/cohorts/{cohort}/scenarios",
            json={"scenarios": [{"name": "x\u0000", "capacity": {"all": 2}}]},
        ),
    ):
        assert response.status_code == 422, response.get_json()
        assert response.content_type == PROBLEM and "NUL" in response.get_json()["detail"]
    header = client.client.get("/api/v1/cohorts", headers={"Authorization": "Bearer mm_a\u0000_b"})
    assert header.status_code == 400 and header.content_type == PROBLEM


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("depth", [33, 10_000])
def test_json_nested_too_deep_is_422(client, depth):
    cohort = make_cohort(client)
    for path in ("/api/v1/cohorts", "/api/v1/match", f"/api/v1/cohorts/{cohort}/runs"):
        body = b'{"name": "x", "program": "coaching", "participants": ' + nested(depth) + b"}"
        response = client.post(path, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (path, response.get_json())
        assert "nested at most 32" in response.get_json()["detail"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400", "9007199254740993", "1" * 5000])
def test_json_numbers_beyond_the_exact_range_are_422(client, number):
    cohort = make_cohort(client)
    body = '{"weights": {"skills": ' + number + "}}"
    response = client.post(
        f"/api/v1/cohorts/{cohort}/runs", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.content_type == PROBLEM


def test_broken_json_is_still_a_400(client):
    response = client.post("/api/v1/match", data=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.content_type == PROBLEM


def test_huge_weights_are_refused_at_the_door(client):
    cohort = make_cohort(client)
    huge = {"weights": {"skills": 1e12}}  # a JSON number, but no weight: ratios matter
    match = client.post(
        "/api/v1/match", json={"cohort": {"participants": small_records()}, "policy": huge}
    )
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json=huge)
    scenario = client.post(
        f"/api/v1/cohorts/{cohort}/scenarios",
        json={"scenarios": [{"name": "w", "policy": huge}], "vary": {"weights.goals": [2e6]}},
    )
    for response in (match, run, scenario):
        assert response.status_code == 422, response.get_json()
    assert run.get_json()["errors"][0]["column"] == "weights.skills"
    columns = {e["column"] for e in scenario.get_json()["errors"]}
    assert columns == {"scenarios[0].policy.weights.skills", "vary[0].policy.weights.goals"}
    fine = client.post(f"/api/v1/cohorts/{cohort}/runs", json={"weights": {"skills": 1e6}})
    assert fine.status_code == 202


def test_an_id_with_a_slash_can_be_fetched(app, client):
    records = small_records()
    records[2]["id"] = "HR/7"
    cohort = make_cohort(client, records)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    response = client.get(f"/api/v1/runs/{run}/assignments/HR%2F7")
    assert response.status_code == 200 and response.get_json()["mentee_id"] == "HR/7"


@pytest.mark.parametrize("bad", ["E\u200b1", "E1\u202e", "\u2066E1", "E\u00a01", "E\u0301"])
def test_ids_that_look_like_others_are_refused(app, client, sessions, bad):
    records = small_records()
    records[2]["id"] = bad
    response = client.post(
        "/api/v1/cohorts", json={"name": "x", "program": "coaching", "participants": records}
    )
    assert response.status_code == 422
    (problem,) = response.get_json()["errors"]
    assert problem["column"] == "id" and problem["message"].startswith("expected a visible id")
    csv = "id,role,skills\nM1,mentor,python\n" + f"{bad},mentee,python\n"
    upload = client.post(
        "/api/v1/cohorts?name=x&program=coaching",
        data=csv.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert upload.status_code == 422 and upload.get_json()["errors"][0]["column"] == "id"
    cohort = make_cohort(client)
    previous = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, previous)
    joiner = {"id": bad, "role": "mentee", "seniority": 1, "skills": "python"}
    rematch = client.post(f"/api/v1/runs/{previous}/rematch", json={"changes": {"add": [joiner]}})
    assert rematch.status_code == 422
    assert rematch.get_json()["errors"][0]["column"] == "changes.add.id"


def test_manager_and_org_chart_ids_are_checked_too(client):
    records = small_records()
    records[2]["manager_id"] = "B\u200dOSS"
    body = {"name": "x", "program": "coaching", "participants": records}
    body["org_chart"] = [["E1", "CEO\u2060"]]
    response = client.post("/api/v1/cohorts", json=body)
    assert response.status_code == 422
    problems = {(e["column"], e["value"]) for e in response.get_json()["errors"]}
    assert problems == {("manager_id", "B\\u200dOSS"), ("org_chart", "CEO\\u2060")}


def test_inline_solves_are_capped_and_the_next_one_is_503(app, client):
    services = app.extensions["mentormatch"]
    services.settings.update(RETRY_AFTER_SECONDS=3, SYNC_WAIT_SECONDS=0.2)
    body = {"cohort": {"participants": small_records()}}
    with services.sync_solve(), services.sync_solve():  # MAX_SYNC_SOLVES (2) are running
        busy = client.post("/api/v1/match", json=body)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "3"
    assert busy.get_json()["type"].endswith("#problem-busy")
    assert client.post("/api/v1/match", json=body).status_code == 200


def test_every_answer_carries_security_headers(client):
    for response in (
        client.get("/api/v1/cohorts"),
        client.get("/api/v1/nothing"),
        client.client.get("/api/v1/docs"),
    ):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in headers  # plain HTTP here
    https = client.client.get("/healthz", base_url="https://localhost")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
