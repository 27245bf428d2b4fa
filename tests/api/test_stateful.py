"""schemathesis's stateful testing over the whole spec: sequences of calls chained along
the OpenAPI links (:mod:`api.links`): a created cohort's id feeds its runs, a started
run's id feeds its results, decisions, rematch and publication, and so on.

Every response is checked: no 5xx, status code, content type, headers and body as
documented, and a request the spec allows is not refused for its shape. A bounded number
of scenarios (SCENARIOS x up to STEPS calls, about 20 s here), each from an empty
database with one valid cohort (generated people rarely make one: the core's rules);
runs stay queued (results are fuzzed with real runs in test_schemathesis.py). SQLite
only (the PostgreSQL paths are the same code, tested elsewhere).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from api_helpers import small_records
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import initialize
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.stateful.state_machine import StepInput

from api.jsonbody import MAX_DEPTH, MAX_NUMBER
from api.links import LINKS, operation_id


def within_limits(value, depth: int = 0) -> bool:
    """Whether ``value`` keeps the server-wide limits every route documents (docs page,
    api.jsonbody): nesting up to MAX_DEPTH, no NUL character, numbers up to 2^53."""
    if isinstance(value, dict):
        return depth < MAX_DEPTH and all(
            within_limits(k, depth) and within_limits(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return depth < MAX_DEPTH and all(within_limits(v, depth + 1) for v in value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return abs(value) <= MAX_NUMBER
    return True


# Rules between fields that OpenAPI 3.0 cannot state (the descriptions say them): their
# messages, as the server gives them.
CROSS_FIELD = {
    "expected the id in the path",  # PUT .../people/{person_id}: the body's id, if any
}


@schemathesis.check
def valid_request_accepted(ctx, response, case):
    """A request the spec allows, within the server-wide limits, is not refused for its
    shape (400, 413, 415, or 422 invalid-request). A 422 input-rejected (the cohort or
    mapping breaks a rule of the core, with every problem listed) is an answer, not a
    refusal of the request's shape."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    parts = [case.body, case.path_parameters, case.query, case.headers]
    if not all(within_limits(part) for part in parts if part is not None):
        return None
    refused = response.status_code in (400, 413, 415)
    if response.status_code == 422:
        body = response.json() or {}
        messages = {item.get("message") for item in body.get("errors", [])}
        refused = "invalid-request" in body.get("type", "") and not messages & CROSS_FIELD
    if refused:
        raise AssertionError(
            f"{case.operation.label}: a request the spec allows was refused with "
            f"{response.status_code}: {response.text[:300]}"
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    valid_request_accepted,
]
SCENARIOS = 150
STEPS = 6


@pytest.fixture
def database_url(tmp_path):
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'stateful.db'}"
    upgrade(url)
    return url


def test_every_link_points_at_a_documented_operation_and_response(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operations, names = {}, {}
    for item in spec["paths"].values():
        shared = {p["name"] for p in item.get("parameters", [])}
        for method, op in item.items():
            if method != "parameters":
                operations[op["operationId"]] = op
                names[op["operationId"]] = shared | {p["name"] for p in op.get("parameters", [])}
    assert len(operations) == sum(
        len(set(item) - {"parameters"}) for item in spec["paths"].values()
    )
    for (source, status), targets in LINKS.items():
        response = operations[operation_id(source)]["responses"][str(status)]
        assert set(response["links"]) == {operation_id(t) for t in targets}
        for target, parameters in targets.items():
            assert set(parameters) <= names[operation_id(target)], (source, target)


def empty_but_keys(engine) -> None:
    """Every scenario starts from the same database (hypothesis replays scenarios and
    needs each step to meet the same state): only the organization and its key stay, and
    the audit log, which refuses deletion (append-only)."""
    from api.tables import Base

    kept = {"organizations", "api_keys", "audit_log", "audit_unlock"}
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in kept:
                connection.execute(table.delete())


def test_chained_calls_conform_to_the_spec(app, key):
    services = app.extensions["mentormatch"]
    services.settings["MAX_ACTIVE_RUNS"] = 1_000
    for limiter in app.extensions["limiter"]:  # rate limits have tests of their own
        limiter.enabled = False
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {key}"}
    seen: Counter = Counter()

    base = schema.as_state_machine()
    created = base.bundles["POST /api/v1/cohorts -> 201"]

    class Machine(base):
        def setup(self):
            empty_but_keys(services.engine)

        @initialize(target=created)
        def a_valid_cohort(self):
            """Generated people rarely make a valid cohort (the core's rules): start every
            scenario with one, so chains through cohorts, runs and results happen."""
            operation = schema["/api/v1/cohorts"]["POST"]
            body = {"name": "spring", "program": "coaching", "participants": small_records()}
            case = operation.Case(body=body, media_type="application/json")
            self.recorder.record_case(case=case)  # recorded as a root step would be
            self.control.record_step(StepInput.initial(case), self.recorder)
            output = self._step(StepInput.initial(case))
            assert output.response.status_code == 201, output.response.text
            return output

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            seen[(case.operation.label, response.status_code // 100)] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    Machine.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    succeeded = {label for (label, kind), _ in seen.items() if kind == 2}
    assert sum(seen.values()) >= SCENARIOS
    assert not any(kind == 5 for _, kind in seen)
    # Chains happened: operations on server-made ids (no generator guesses one) succeeded.
    made = ("{webhook_id}", "{cohort_id}", "{run_id}", "{scenario_id}", "/mappings/{name}")
    chained = {label for label in succeeded if any(part in label for part in made)}
    assert chained, sorted(seen.items())
