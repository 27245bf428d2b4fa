"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

Every operation gets generated requests twice: with generated path ids (mostly unknown:
404s) and with the ids of a real cohort and a succeeded run, so the success paths and
their response schemas are exercised too. Valid and invalid data both; a valid key on
every request. Checks: no 5xx, every status code, content type, header and body as
documented. SQLite only: the PostgreSQL paths are the same code, tested elsewhere.
"""

from __future__ import annotations

import pytest
import schemathesis
from api_helpers import execute, finish, make_cohort
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation, mode and id choice: about 27 x 2 x 2 x 12 = 1,300 requests


@pytest.fixture
def database_url(tmp_path):
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade(url)
    return url


def fuzz(strategy, headers: dict, calls: list, label: tuple) -> None:
    """Send ``EXAMPLES`` generated requests and validate each response."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        calls.append((*label, response.status_code))

    one()


def real_ids(app, client, sessions) -> dict:
    events = ["run.succeeded", "run.failed", "scenario.completed"]
    hook = client.post(
        "/api/v1/webhooks", json={"url": "https://hr.example.com/mm", "events": events}
    )
    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    finish(sessions, run)
    sweep = {"vary": {"capacity.all": [1, 2]}}
    scenario = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=sweep).get_json()
    execute(app, *[r["run_id"] for r in scenario["runs"]])
    mapping = {"mapping": 1, "columns": {"Email": {"field": ["id", "email"]}}}
    client.post("/api/v1/mappings", json={"name": "acme form", "mapping": mapping})
    ids = {"cohort_id": cohort, "run_id": run, "mentee_id": "E1", "person_id": "E1"}
    ids["name"] = "acme form"
    webhook = hook.get_json()["id"]
    deliveries = client.get(f"/api/v1/webhooks/{webhook}/deliveries").get_json()["items"]
    hooks = {"webhook_id": webhook, "delivery_id": deliveries[0]["id"]}
    return {**ids, "scenario_id": scenario["id"], **hooks}


def test_the_api_conforms_to_its_openapi_document(app, client, sessions, key):
    app.extensions["mentormatch"].settings["MAX_ACTIVE_RUNS"] = 1_000
    for limiter in app.extensions["limiter"]:  # ~1,300 requests; limits are tested apart
        limiter.enabled = False
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {key}"}
    calls = []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for real in (False, True) if names else (False,):
                ids = real_ids(app, client, sessions) if real else {}
                fixed = {k: v for k, v in ids.items() if k in names} or None
                strategy = operation.as_strategy(mode, path_parameters=fixed)
                try:
                    fuzz(strategy, headers, calls, (operation.label, mode.value))
                except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                    assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(calls) >= 400
    statuses = {status for _, _, status in calls}
    assert not any(status >= 500 for status in statuses)
    assert {200, 202, 204, 404, 422} <= statuses
