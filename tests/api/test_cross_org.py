"""Another organization's object is a 404 on every route with an id, by every method, and
nothing about it changes. ``ROUTES`` must list every such route: a test checks the app."""

from __future__ import annotations

import pytest
from api_helpers import finish, make_cohort
from sqlalchemy import func, select

from api.db import transaction
from api.hooks.events import emit
from api.tables import Assignment, IdempotencyRecord, Participant, Run, Scenario
from api.tables_cycles import CohortSettings, MentorRequest
from api.tables_hr import Webhook, WebhookDelivery
from api.tables_web import Decision, Publication

ROUTES = [
    ("GET", "/api/v1/cohorts/<cohort_id>"),
    ("DELETE", "/api/v1/cohorts/<cohort_id>"),
    ("GET", "/api/v1/cohorts/<cohort_id>/participants"),
    ("POST", "/api/v1/cohorts/<cohort_id>/runs"),
    ("GET", "/api/v1/runs/<run_id>"),
    ("POST", "/api/v1/runs/<run_id>/cancel"),
    ("GET", "/api/v1/runs/<run_id>/assignments"),
    ("GET", "/api/v1/runs/<run_id>/assignments/<path:mentee_id>"),  # ids may hold a /
    ("GET", "/api/v1/runs/<run_id>/unmatched"),
    ("POST", "/api/v1/runs/<run_id>/rematch"),
    ("GET", "/api/v1/runs/<run_id>/why-not"),
    ("GET", "/api/v1/runs/<run_id>/audit"),
    ("GET", "/api/v1/runs/<run_id>/receipt"),
    ("POST", "/api/v1/runs/<run_id>/verify"),
    ("GET", "/api/v1/cohorts/<cohort_id>/draft"),
    ("GET", "/api/v1/cohorts/<cohort_id>/versions"),
    ("POST", "/api/v1/runs/<run_id>/decisions"),
    ("GET", "/api/v1/runs/<run_id>/decisions"),
    ("DELETE", "/api/v1/runs/<run_id>/decisions/<int:decision_id>"),
    ("POST", "/api/v1/runs/<run_id>/resolve"),
    ("POST", "/api/v1/runs/<run_id>/publish"),
    ("POST", "/api/v1/cohorts/<cohort_id>/scenarios"),
    ("GET", "/api/v1/scenarios/<scenario_id>"),
    ("POST", "/api/v1/scenarios/<scenario_id>/cancel"),
    ("POST", "/api/v1/scenarios/<scenario_id>/promote"),
    ("GET", "/api/v1/cohorts/<cohort_id>/runs"),
    ("PATCH", "/api/v1/cohorts/<cohort_id>/people"),
    ("PUT", "/api/v1/cohorts/<cohort_id>/people/<path:person_id>"),
    ("GET", "/api/v1/cohorts/<cohort_id>/people/<path:mentee_id>/suggestions"),
    ("POST", "/api/v1/runs/<run_id>/prices"),
    ("POST", "/api/v1/runs/<run_id>/alternatives"),
    ("POST", "/api/v1/runs/<run_id>/attrition"),
    ("GET", "/api/v1/answer-jobs/<job_id>"),
    ("POST", "/api/v1/cohorts/<cohort_id>/requests"),
    ("GET", "/api/v1/cohorts/<cohort_id>/requests"),
    ("GET", "/api/v1/cohorts/<cohort_id>/requests/<request_id>"),
    ("POST", "/api/v1/cohorts/<cohort_id>/requests/<request_id>/accept"),
    ("POST", "/api/v1/cohorts/<cohort_id>/requests/<request_id>/decline"),
    ("GET", "/api/v1/cohorts/<cohort_id>/settings"),
    ("PUT", "/api/v1/cohorts/<cohort_id>/settings"),
    ("GET", "/api/v1/webhooks/<webhook_id>"),
    ("DELETE", "/api/v1/webhooks/<webhook_id>"),
    ("GET", "/api/v1/webhooks/<webhook_id>/deliveries"),
    ("GET", "/api/v1/webhooks/<webhook_id>/deliveries/<delivery_id>"),
    ("POST", "/api/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/redeliver"),
    ("GET", "/api/v1/mappings/<path:name>"),  # a template's name may hold a /
    ("PUT", "/api/v1/mappings/<path:name>"),
    ("DELETE", "/api/v1/mappings/<path:name>"),
]
TEMPLATE = "acme/spring form"
MAPPING = {"mapping": 1, "columns": {"Email": {"field": ["id", "email"]}}}
BODIES = {  # bodies that would be accepted from the owner, so only ownership decides
    "PATCH": {"people": [{"employee_id": "E1", "status": "leaver"}]},
    "PUT": {"status": "leaver"},
    ("PUT", "/api/v1/mappings/<path:name>"): {"mapping": MAPPING},
    ("POST", "/api/v1/runs/<run_id>/verify"): {"receipt": {}, "pairs": []},
    ("POST", "/api/v1/cohorts/<cohort_id>/requests"): {"mentee": "E1", "mentor": "M1"},
    ("PUT", "/api/v1/cohorts/<cohort_id>/settings"): {"request_expiry_hours": 24},
    ("POST", "/api/v1/runs/<run_id>/decisions"): {
        "action": "approve",
        "mentee_id": "E1",
        "mentor_id": "M1",
    },
    ("POST", "/api/v1/scenarios/<scenario_id>/promote"): {"variant": "baseline"},
}
QUERIES = {"/api/v1/runs/<run_id>/why-not": "?mentee=E1&mentor=M1"}


def test_routes_list_every_route_with_an_id(app):
    with_ids = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<" in rule.rule and rule.rule.startswith("/api/")  # pages: tests/web
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert with_ids == set(ROUTES)


def snapshot(client, sessions, cohort, runs, scenario):
    with sessions() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (
                Participant,
                Run,
                Assignment,
                IdempotencyRecord,
                Scenario,
                Webhook,
                WebhookDelivery,
                Decision,
                Publication,
                MentorRequest,
                CohortSettings,
            )
        ]
    views = [client.get(f"/api/v1/cohorts/{cohort}").get_json()]
    views += [client.get(f"/api/v1/runs/{run}").get_json() for run in runs]
    views.append(client.get(f"/api/v1/scenarios/{scenario}").get_json())
    views.append(client.get("/api/v1/mappings").get_json())
    views.append(client.get(f"/api/v1/cohorts/{cohort}/requests").get_json())
    views.append(client.get(f"/api/v1/cohorts/{cohort}/settings").get_json())
    return counts, views


CASES = [(*route, "application/json") for route in ROUTES]
CASES.append(("GET", "/api/v1/runs/<run_id>/assignments", "text/csv"))


@pytest.mark.parametrize(("method", "rule", "accept"), CASES)
def test_another_organizations_object_is_404_and_unchanged(
    client, other, sessions, method, rule, accept
):
    cohort = make_cohort(client)
    done = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    finish(sessions, done)
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    sweep = {"vary": {"capacity.all": [1]}}
    scenario = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=sweep).get_json()["id"]
    hook = client.post(
        "/api/v1/webhooks", json={"url": "https://hr.example.com/mm", "events": ["run.failed"]}
    ).get_json()["id"]
    with transaction(sessions) as session:
        emit(session, session.get(Webhook, hook).organization_id, "run.failed", {"run_id": done})
    with sessions() as session:
        delivery = session.scalar(select(WebhookDelivery.id))
    client.post("/api/v1/mappings", json={"name": TEMPLATE, "mapping": MAPPING})
    (mentee, mentor), *_ = [
        (p["mentee_id"], p["mentor_id"])
        for p in client.get(f"/api/v1/runs/{done}/assignments").get_json()["items"]
    ]
    decision = client.post(
        f"/api/v1/runs/{done}/decisions",
        json={"action": "pin", "mentee_id": mentee, "mentor_id": mentor},
    ).get_json()["id"]
    asked = client.post(f"/api/v1/cohorts/{cohort}/requests", json={"mentee": "E2", "mentor": "M2"})
    assert asked.status_code == 201, asked.get_json()
    job = client.post(f"/api/v1/runs/{done}/prices", json={}).get_json()["id"]
    before = snapshot(client, sessions, cohort, (done, queued), scenario)
    for run in (done, queued):
        path = (
            rule.replace("<cohort_id>", cohort)
            .replace("<run_id>", run)
            .replace("<path:mentee_id>", "E1")
            .replace("<path:person_id>", "E1")
            .replace("<scenario_id>", scenario)
            .replace("<webhook_id>", hook)
            .replace("<delivery_id>", delivery)
            .replace("<path:name>", TEMPLATE)
            .replace("<int:decision_id>", str(decision))
            .replace("<request_id>", asked.get_json()["id"])
            .replace("<job_id>", job)
        ) + QUERIES.get(rule, "")
        body = BODIES.get((method, rule), BODIES.get(method, {}))
        kwargs = {"json": body} if method in ("POST", "PATCH", "PUT") else {}
        headers = {"Accept": accept, "Idempotency-Key": f"k-{run}"}
        response = other.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code == 404, (path, response.get_json())
        assert response.content_type == "application/problem+json"
        assert response.get_json()["title"] == "not found"
    assert snapshot(client, sessions, cohort, (done, queued), scenario) == before
