"""Errors are problem+json everywhere; request ids; structured logs; Idempotency-Key."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from api_helpers import make_cohort, small_records
from sqlalchemy import func, select

from api.tables import Run


def test_unknown_route_and_wrong_method(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
    assert missing.get_json()["instance"] == "/api/v1/nothing-here"
    wrong = client.open("/api/v1/cohorts", method="PUT")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.get_json()["status"] == 405


def test_an_unexpected_error_is_a_500_problem_without_traceback(app, client):
    def boom():
        raise RuntimeError("secret internals E1@example.org")

    app.add_url_rule("/boom", "boom", boom)
    response = client.get("/boom", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 500
    problem = response.get_json()
    assert problem["request_id"] == "trace-me-1" and "request id" in problem["detail"]
    assert b"secret" not in response.data and b"Traceback" not in response.data


def test_request_ids_are_kept_when_sane_and_made_otherwise(client):
    kept = client.get("/api/v1/cohorts", headers={"X-Request-ID": "abc-123_x.y:z"})
    assert kept.headers["X-Request-ID"] == "abc-123_x.y:z"
    for bad in ("", "has space", "x" * 200, "new\u00e9"):
        made = client.get("/api/v1/cohorts", headers={"X-Request-ID": bad})
        assert made.headers["X-Request-ID"] != bad and len(made.headers["X-Request-ID"]) == 32
    error = client.get("/api/v1/runs/run_nope", headers={"X-Request-ID": "err-1"})
    assert error.headers["X-Request-ID"] == "err-1" and error.get_json()["request_id"] == "err-1"


def test_one_json_log_line_per_request_without_personal_data(client, caplog):
    logger = logging.getLogger("mentormatch.requests")
    logger.addHandler(caplog.handler)
    try:
        records = small_records()
        records[0]["email"] = "ada@example.org"
        cohort = make_cohort(client, records)
        client.get(f"/api/v1/cohorts/{cohort}", headers={"X-Request-ID": "log-1"})
    finally:
        logger.removeHandler(caplog.handler)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == logger.name]
    assert len(lines) == 2
    assert lines[1]["route"] == "/api/v1/cohorts/<cohort_id>"
    assert (lines[1]["status"], lines[1]["request_id"]) == (200, "log-1")
    assert lines[1]["org_id"] is not None and lines[1]["duration_ms"] >= 0
    text = caplog.text
    assert "ada@example.org" not in text and "Ada" not in text and cohort not in text


def run_count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Run))


def test_idempotency_key_replays_the_first_answer(app, client, sessions):
    cohort = make_cohort(client)
    headers = {"Idempotency-Key": "order-42"}
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    again = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert run_count(sessions) == 1
    assert len(app.extensions["mentormatch"].executor.submitted) == 1
    other_body = client.post(
        f"/api/v1/cohorts/{cohort}/runs", json={"solver": {"seed": 2}}, headers=headers
    )
    assert other_body.status_code == 422
    assert other_body.get_json()["type"].endswith("idempotency-key-reused")
    assert run_count(sessions) == 1


def test_idempotency_keys_belong_to_one_organization(client, other):
    headers = {"Idempotency-Key": "shared"}
    mine = make_cohort(client)
    theirs = make_cohort(other)
    assert client.post(f"/api/v1/cohorts/{mine}/runs", json={}, headers=headers).status_code == 202
    assert other.post(f"/api/v1/cohorts/{theirs}/runs", json={}, headers=headers).status_code == 202


def test_a_failed_request_does_not_keep_its_key(client, sessions):
    cohort = make_cohort(client)
    headers = {"Idempotency-Key": "retry-me"}
    bad = client.post(f"/api/v1/cohorts/{cohort}/runs", json={"weights": {"x": 1}}, headers=headers)
    assert bad.status_code == 422
    good = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    assert good.status_code == 202 and run_count(sessions) == 1
    assert (
        client.post("/api/v1/cohorts", json={}, headers={"Idempotency-Key": ""}).status_code == 400
    )


def test_a_request_still_in_progress_is_409(app, client, sessions):
    """The first request is held in its view (outside any transaction) while a twin arrives."""
    import api.views.runs as runs_view

    cohort = make_cohort(client)
    entered, release = threading.Event(), threading.Event()
    original = runs_view.services

    def slow_services():
        entered.set()
        assert release.wait(10)
        return original()

    answers = {}
    headers = {"Idempotency-Key": "slow"}

    def first():
        answers["first"] = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)

    runs_view.services = slow_services
    try:
        thread = threading.Thread(target=first)
        thread.start()
        assert entered.wait(10)
        runs_view.services = original
        twin = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    finally:
        runs_view.services = original
        release.set()
        thread.join(10)
    assert twin.status_code == 409 and twin.headers["Retry-After"] == "1"
    assert answers["first"].status_code == 202
    assert run_count(sessions) == 1


@pytest.mark.parametrize("path", ["/api/v1/cohorts", "/api/v1/match"])
def test_post_bodies_that_are_not_objects(client, path):
    response = client.post(path, json=[1, 2])
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_an_idempotency_key_covers_the_query_string_and_the_content_type(client, sample_csv):
    headers = {"Content-Type": "text/csv", "Idempotency-Key": "upload-1"}
    first = client.post("/api/v1/cohorts?name=a&program=coaching", data=sample_csv, headers=headers)
    assert first.status_code == 201
    same = client.post("/api/v1/cohorts?program=coaching&name=a", data=sample_csv, headers=headers)
    assert same.status_code == 201 and same.headers["Idempotent-Replayed"] == "true"
    for path, kind in (
        ("/api/v1/cohorts?name=b&program=coaching", "text/csv"),
        ("/api/v1/cohorts?name=a&program=mentoring", "text/csv"),
        ("/api/v1/cohorts?name=a&program=coaching", "application/csv"),
    ):
        other = client.post(path, data=sample_csv, headers={**headers, "Content-Type": kind})
        assert other.status_code == 422, (path, kind)
        assert other.get_json()["type"].endswith("idempotency-key-reused")
    assert client.get("/api/v1/cohorts").get_json()["total"] == 1
    assert client.get(first.headers["Location"]).get_json()["name"] == "a"
