"""Webhooks against a real receiver on loopback: signed deliveries of finished runs and
scenarios, retries with backoff, redirects not followed, no delivery to a loopback
address without MENTORMATCH_WEBHOOK_ALLOW_PRIVATE, the delivery log and redelivery."""

from __future__ import annotations

import json
import time

import pytest
from api_helpers import execute, make_cohort
from receiver import Receiver, verified

from api.hooks.deliver import dispatch
from api.tables_hr import Webhook, WebhookDelivery


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(), headers=None):
        made.append(Receiver(statuses, headers))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture
def settings(app):
    settings = app.extensions["mentormatch"].settings
    settings.update(WEBHOOK_ALLOW_PRIVATE=1, WEBHOOK_BACKOFF_SECONDS=0.05)
    return settings


def register(client, url, events=("run.succeeded", "run.failed")) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, "events": list(events)})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == response.get_json()["links"]["self"]
    return response.get_json()


def run_once(app, client) -> tuple[str, str]:
    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    return cohort, run


def test_the_secret_is_shown_once_and_stored_encrypted(client, sessions, settings, receiver):
    hook = register(client, receiver().url)
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    shown = client.get(hook["links"]["self"]).get_json()
    assert "secret" not in shown and shown["events"] == ["run.succeeded", "run.failed"]
    assert "secret" not in client.get("/api/v1/webhooks").get_json()["items"][0]
    with sessions() as session:
        stored = session.get(Webhook, hook["id"]).secret
    assert hook["secret"] not in stored


def test_a_finished_run_is_delivered_signed_with_ids_only(
    app, client, sessions, settings, receiver
):
    server = receiver()
    hook = register(client, server.url)
    cohort, run = run_once(app, client)
    assert server.requests == []  # recorded with the run; sent by a dispatcher
    assert dispatch(sessions, settings) == 1
    ((headers, body),) = server.requests
    assert verified(hook["secret"], headers, body)
    assert abs(int(headers["X-Mentormatch-Timestamp"]) - time.time()) < 60
    assert headers["X-Mentormatch-Event"] == "run.succeeded"
    event = json.loads(body)
    assert event["type"] == "run.succeeded" and event["id"].startswith("evt_")
    assert event["data"] == {
        "run_id": run,
        "cohort_id": cohort,
        "kind": "match",
        "status": "succeeded",
        "solver_status": "optimal",
        "scenario_id": None,
        "previous_run_id": None,
    }
    assert b"Ada" not in body  # a name in the cohort never leaves in a body
    log = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert [(d["status"], d["attempts"], d["response_status"]) for d in log] == [
        ("delivered", 1, 200)
    ]
    assert log[0]["id"] == headers["X-Mentormatch-Delivery"] and log[0]["payload"] == event
    assert dispatch(sessions, settings) == 0  # delivered once


@pytest.fixture
def clock(monkeypatch):
    """The dispatcher's clock, moved by the test: whether a delivery is due then depends on
    the backoff alone, not on how long the requests between two dispatches take (a GET of
    the delivery log took 20-60 ms on PostgreSQL on a loaded machine, longer than the
    50 ms backoff, so a wall clock made "not before its backoff" fail about 1 run in 3)."""
    from datetime import timedelta

    from api.hooks import deliver

    real = deliver.utcnow

    class Clock:
        now = None  # the real time until stopped

        def stop(self) -> None:
            self.now = real()

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    made = Clock()
    monkeypatch.setattr(deliver, "utcnow", lambda: made.now or real())
    return made


def test_a_receiver_failure_is_retried_with_backoff_and_then_succeeds(
    app, client, sessions, settings, receiver, clock
):
    server = receiver(statuses=[500, 503])
    hook = register(client, server.url)
    run_once(app, client)
    clock.stop()  # after the delivery was written (at the real time)
    assert dispatch(sessions, settings) == 1
    (first,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert (first["status"], first["attempts"], first["error"]) == ("pending", 1, "HTTP 500")
    clock.advance(0.049)
    assert dispatch(sessions, settings) == 0  # not before its backoff (0.05 s) has passed
    clock.advance(0.001)
    assert dispatch(sessions, settings) == 1
    clock.advance(0.099)
    assert dispatch(sessions, settings) == 0  # the second wait is twice the first
    clock.advance(0.001)
    assert dispatch(sessions, settings) == 1
    (done,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert (done["status"], done["attempts"], done["response_status"]) == ("delivered", 3, 200)
    assert len(server.requests) == 3
    assert len({h["X-Mentormatch-Delivery"] for h, _ in server.requests}) == 1
    assert len({b for _, b in server.requests}) == 1  # the same body every time
    assert all(verified(hook["secret"], h, b) for h, b in server.requests)


def test_attempts_end_in_failed(app, client, sessions, settings, receiver):
    settings["WEBHOOK_MAX_ATTEMPTS"] = 2
    hook = register(client, receiver(statuses=[500] * 5).url)
    run_once(app, client)
    dispatch(sessions, settings)
    time.sleep(0.07)
    dispatch(sessions, settings)
    (failed,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert (failed["status"], failed["attempts"]) == ("failed", 2)
    assert client.get(hook["links"]["deliveries"] + "?status=failed").get_json()["total"] == 1


def test_no_delivery_to_a_loopback_address_without_the_setting(
    app, client, sessions, settings, receiver
):
    server = receiver()
    settings["WEBHOOK_ALLOW_PRIVATE"] = 0
    refused = client.post("/api/v1/webhooks", json={"url": server.url, "events": ["run.failed"]})
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    (problem,) = refused.get_json()["errors"]
    assert problem["column"] == "url" and "loopback" in problem["message"]
    for url in (
        "http://localhost:8080/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]/x",
    ):
        answer = client.post("/api/v1/webhooks", json={"url": url, "events": ["run.failed"]})
        assert answer.status_code == 422, url

    settings["WEBHOOK_ALLOW_PRIVATE"] = 1  # registered while allowed, then the setting goes
    hook = register(client, server.url)
    settings["WEBHOOK_ALLOW_PRIVATE"] = 0
    run_once(app, client)
    assert dispatch(sessions, settings) == 1
    (delivery,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert delivery["status"] == "failed" and delivery["attempts"] == 1
    assert "127.0.0.1 is a loopback address" in delivery["error"]
    assert server.requests == []


def test_a_redirect_is_an_answer_not_followed(app, client, sessions, settings, receiver):
    target = receiver()
    server = receiver(statuses=[302], headers={"Location": target.url})
    hook = register(client, server.url)
    run_once(app, client)
    dispatch(sessions, settings)
    (delivery,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    assert delivery["response_status"] == 302 and "not followed" in delivery["error"]
    assert target.requests == [] and delivery["status"] == "pending"


def test_redelivery_by_id_sends_the_same_event_again(app, client, sessions, settings, receiver):
    server = receiver()
    hook = register(client, server.url)
    run_once(app, client)
    dispatch(sessions, settings)
    (first,) = client.get(hook["links"]["deliveries"]).get_json()["items"]
    again = client.post(f"{hook['links']['deliveries']}/{first['id']}/redeliver")
    assert again.status_code == 202
    body = again.get_json()
    assert (body["redelivery_of"], body["event_id"], body["status"]) == (
        first["id"],
        first["event_id"],
        "pending",
    )
    assert client.get(again.headers["Location"]).get_json()["id"] == body["id"]
    dispatch(sessions, settings)
    assert [json.loads(b)["id"] for _, b in server.requests] == [first["event_id"]] * 2
    assert client.post(f"{hook['links']['deliveries']}/dlv_nope/redeliver").status_code == 404


def test_a_failed_run_and_a_completed_scenario_are_events(
    app, client, sessions, settings, receiver
):
    from api.jobs import lifecycle, problems

    server = receiver()
    register(client, server.url, events=["run.failed", "scenario.completed"])
    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    claim = lifecycle.claim(sessions, run, "w", stale_after=30, max_attempts=3)
    lifecycle.fail(sessions, claim, problems.internal_error(run, RuntimeError()))
    scenario = client.post(
        f"/api/v1/cohorts/{cohort}/scenarios", json={"vary": {"capacity.all": [1, 2]}}
    ).get_json()
    execute(app, *[r["run_id"] for r in scenario["runs"]])
    dispatch(sessions, settings)
    events = [json.loads(body) for _, body in server.requests]
    assert [e["type"] for e in events] == ["run.failed", "scenario.completed"]
    assert events[0]["data"]["run_id"] == run and events[0]["data"]["status"] == "failed"
    assert events[1]["data"] == {
        "scenario_id": scenario["id"],
        "cohort_id": cohort,
        "status": "succeeded",
        "runs": {"succeeded": 3},
    }


def test_an_unknown_event_is_422_and_another_org_sees_404(
    client, other, sessions, settings, receiver
):
    url = receiver().url
    answer = client.post("/api/v1/webhooks", json={"url": url, "events": ["cohort.deleted"]})
    assert answer.status_code == 422
    (problem,) = answer.get_json()["errors"]
    assert (problem["source"], problem["row"], problem["value"]) == (
        "events",
        0,
        "cohort.deleted",
    )
    assert "cohort.published" in problem["message"]
    hook = register(client, url)
    for path in (hook["links"]["self"], hook["links"]["deliveries"]):
        assert other.get(path).status_code == 404
    assert other.delete(hook["links"]["self"]).status_code == 404
    assert client.delete(hook["links"]["self"]).status_code == 204
    assert client.get(hook["links"]["self"]).status_code == 404
    with sessions() as session:
        assert session.query(WebhookDelivery).count() == 0


def test_a_run_calls_back_through_the_worker_pool_and_its_dispatcher(
    database_url, tmp_path, monkeypatch, receiver
):
    """No test hand-cranks anything here: the pool's worker solves, its webhook
    dispatcher thread delivers."""
    from api_helpers import KeyClient

    from api import create_app
    from api.db import transaction
    from api.keys import create_key

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MENTORMATCH_WEBHOOK_ALLOW_PRIVATE", "1")
    app = create_app(
        {"DATABASE_URL": database_url, "HEARTBEAT_SECONDS": 0.05, "DISPATCH_SECONDS": 0.05}
    )
    services = app.extensions["mentormatch"]
    try:
        with transaction(services.sessions) as session:
            key, _ = create_key(session, "acme")
        client = KeyClient(app.test_client(), key)
        server = receiver()
        hook = register(client, server.url)
        cohort = make_cohort(client)
        run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
        assert server.arrived.wait(30), "no callback within 30 s"
        ((headers, body),) = server.requests
        assert verified(hook["secret"], headers, body)
        assert json.loads(body)["data"]["run_id"] == run
        assert client.get(f"/api/v1/runs/{run}").get_json()["status"] == "succeeded"
    finally:
        services.close()
