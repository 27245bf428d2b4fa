"""Mentor requests: a mentee asks, the mentor accepts (a pin in the next run) or declines
(the next suggestion is asked), requests expire; webhooks tell a real receiver on loopback."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from api_helpers import execute, make_cohort
from click.testing import CliRunner
from receiver import Receiver, verified

from api.hooks.deliver import dispatch
from api.tables import utcnow
from api.tables_cycles import MentorRequest
from matcher.checker import check

RECORDS = [
    {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python:5; sql", "capacity": 1},
    {"id": "M2", "role": "mentor", "seniority": 5, "skills": "python; css", "capacity": 2},
    {"id": "M3", "role": "mentor", "seniority": 7, "skills": "react", "capacity": 1},
    {
        "id": "M4",
        "role": "mentor",
        "seniority": 6,
        "skills": "python",
        "capacity": 1,
        "exclude": "E2",
    },
    {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python; sql"},
    {"id": "E2", "role": "mentee", "seniority": 2, "skills": "python"},
]
EVENTS = ["request.accepted", "request.declined", "request.expired"]


@pytest.fixture
def receiver(app):
    app.extensions["mentormatch"].settings.update(WEBHOOK_ALLOW_PRIVATE=1)
    server = Receiver()
    yield server
    server.close()


def ask(client, cohort, mentee, mentor, **kw):
    return client.post(
        f"/api/v1/cohorts/{cohort}/requests", json={"mentee": mentee, "mentor": mentor}, **kw
    )


def decide(client, cohort, request_id, verb):
    return client.post(f"/api/v1/cohorts/{cohort}/requests/{request_id}/{verb}")


def kind(response) -> str:
    return response.get_json()["type"].rsplit("#problem-", 1)[-1]


def events(app, sessions, server, secret) -> list[dict]:
    dispatch(sessions, app.extensions["mentormatch"].settings)
    assert all(verified(secret, h, b) for h, b in server.requests)
    return [json.loads(b) for _, b in server.requests]


def test_request_decline_passes_on_accept_pins_the_next_run(app, client, sessions, receiver):
    hook = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": EVENTS})
    secret = hook.get_json()["secret"]
    cohort = make_cohort(client, RECORDS)

    first = ask(client, cohort, "E2", "M1")
    assert first.status_code == 201, first.get_json()
    made = first.get_json()
    assert (made["status"], made["origin"], made["follows_id"]) == ("pending", "mentee", None)
    assert first.headers["Location"].endswith(f"/requests/{made['id']}")
    assert client.get(first.headers["Location"]).get_json() == made

    # M1 has one place, held by E2's pending request; E2 wants one mentor and holds one.
    full = ask(client, cohort, "E1", "M1")
    assert (full.status_code, kind(full)) == (409, "mentor-full")
    assert "pending and accepted requests" in full.get_json()["detail"]
    assert kind(ask(client, cohort, "E2", "M2")) == "mentee-full"
    assert kind(ask(client, cohort, "E2", "M1")) == "already-requested"
    # M1 is no longer suggested to E1, and M1's room counts the request.
    suggested = client.get(f"/api/v1/cohorts/{cohort}/people/E1/suggestions").get_json()
    assert "M1" not in [s["mentor_id"] for s in suggested["items"]]

    declined = decide(client, cohort, made["id"], "decline")
    assert declined.status_code == 200, declined.get_json()
    body = declined.get_json()
    assert body["request"]["status"] == "declined" and body["request"]["decided_at"]
    after = body["next_request"]
    # E2's best suggestion not yet asked: M2 (M4 excludes E2, M1 declined).
    assert (after["mentee_id"], after["mentor_id"], after["status"]) == ("E2", "M2", "pending")
    assert (after["origin"], after["follows_id"]) == ("next_suggestion", made["id"])
    again = decide(client, cohort, made["id"], "decline")  # the same decision again
    assert again.status_code == 200 and again.get_json() == body
    assert kind(decide(client, cohort, made["id"], "accept")) == "request-closed"

    mine = ask(client, cohort, "E1", "M1").get_json()
    accepted = decide(client, cohort, mine["id"], "accept").get_json()
    assert accepted["request"]["status"] == "accepted" and accepted["next_request"] is None

    sent = events(app, sessions, receiver, secret)
    assert [e["type"] for e in sent] == ["request.declined", "request.accepted"]
    assert sent[0]["data"] == {
        "request_id": made["id"],
        "cohort_id": cohort,
        "mentee_id": "E2",
        "mentor_id": "M1",
        "status": "declined",
        "next_request_id": after["id"],
    }
    assert sent[1]["data"]["next_request_id"] is None

    forbid = {"rules": {"forbidden_pairs": [["E1", "M1"]]}}
    refused = client.post(f"/api/v1/cohorts/{cohort}/runs", json=forbid)
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["column"] == "rules.forbidden_pairs"
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()
    assert ["E1", "M1"] in run["policy"]["rules"]["pinned_pairs"]
    execute(app, run["id"])
    pairs = client.get(f"/api/v1/runs/{run['id']}/assignments").get_json()["items"]
    e1 = next(p for p in pairs if p["mentee_id"] == "E1")
    assert (e1["mentor_id"], e1["pinned"]) == ("M1", True)
    from api.store import load_cohort
    from api.tables import Run
    from matcher.io.policy import policy_from_dict
    from matcher.solve import solve

    with sessions() as session:
        stored = session.get(Run, run["id"])
        people, policy = load_cohort(session, cohort), policy_from_dict(stored.policy)
    assert check(people, policy, solve(people, policy)) == []
    # M1 leaves: the run's pin names someone gone, and suggestions still answer.
    gone = {"people": [{"employee_id": "M1", "status": "leaver"}]}
    synced = client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=gone)
    assert synced.status_code == 200, synced.get_json()
    after_leaving = client.get(f"/api/v1/cohorts/{cohort}/people/E1/suggestions")
    assert after_leaving.status_code == 200, after_leaving.get_json()
    assert "M1" not in [s["mentor_id"] for s in after_leaving.get_json()["items"]]


def test_a_hard_rule_or_an_unknown_person_refuses_the_request(client, other):
    cohort = make_cohort(client, RECORDS)
    forbidden = ask(client, cohort, "E2", "M4")  # M4's exclude list names E2
    assert (forbidden.status_code, kind(forbidden)) == (409, "pair-forbidden")
    assert forbidden.get_json()["rules"] == ["exclude"]
    assert "an exclude list" in forbidden.get_json()["detail"]
    assert ask(client, cohort, "E9", "M1").status_code == 404
    assert ask(client, cohort, "E1", "M9").status_code == 404
    assert ask(client, cohort, "M1", "E1").status_code == 404
    assert ask(other, cohort, "E1", "M1").status_code == 404
    assert (
        client.post(f"/api/v1/cohorts/{cohort}/requests", json={"mentee": "E1"}).status_code == 422
    )
    assert client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["total"] == 0


def test_expiry_passes_on_when_read_and_by_the_command(
    app, client, sessions, receiver, database_url, monkeypatch
):
    hook = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": EVENTS})
    secret = hook.get_json()["secret"]
    cohort = make_cohort(client, RECORDS)
    settings = client.put(f"/api/v1/cohorts/{cohort}/settings", json={"request_expiry_hours": 48})
    assert settings.status_code == 200 and settings.get_json()["request_expiry_hours"] == 48
    made = ask(client, cohort, "E2", "M1").get_json()
    opened = made["created_at"], made["expires_at"]
    assert opened[1] > opened[0]

    def age(request_id):
        with sessions.begin() as session:
            row = session.get(MentorRequest, request_id)
            row.expires_at = utcnow() - timedelta(seconds=1)

    age(made["id"])
    listed = client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["items"]
    assert [(r["mentor_id"], r["status"]) for r in listed] == [("M2", "pending"), ("M1", "expired")]
    assert listed[0]["follows_id"] == made["id"]
    assert kind(decide(client, cohort, made["id"], "accept")) == "request-closed"

    # The command expires every cohort's due requests without a read.
    age(listed[0]["id"])
    monkeypatch.setenv("DATABASE_URL", database_url)
    from api.commands import requests as requests_group

    outcome = CliRunner().invoke(requests_group, ["expire"], catch_exceptions=False)
    assert outcome.exit_code == 0 and "expired 1 request(s) in 1 cohort(s)" in outcome.stderr
    with sessions() as session:
        rows = session.query(MentorRequest).filter_by(mentee_id="E2").all()
    assert sorted((r.mentor_id, r.status) for r in rows) == [
        ("M1", "expired"),
        ("M2", "expired"),
        ("M3", "pending"),
    ]
    sent = events(app, sessions, receiver, secret)
    assert [e["type"] for e in sent] == ["request.expired", "request.expired"]
    assert sent[0]["data"]["next_request_id"] == listed[0]["id"]


def test_listing_filters_and_pages_and_posts_are_idempotent(client):
    cohort = make_cohort(client, RECORDS)
    key = {"Idempotency-Key": "ask-e1-m2"}
    first = ask(client, cohort, "E1", "M2", headers=key)
    replay = ask(client, cohort, "E1", "M2", headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    declined = decide(client, cohort, first.get_json()["id"], "decline").get_json()
    assert declined["next_request"]["mentor_id"] == "M1"  # E1's best after M2
    assert ask(client, cohort, "E2", "M2").status_code == 201
    base = f"/api/v1/cohorts/{cohort}/requests"
    everything = client.get(base).get_json()
    assert everything["total"] == 3
    pending = client.get(f"{base}?status=pending").get_json()["items"]
    assert {(r["mentee_id"], r["mentor_id"]) for r in pending} == {
        ("E1", "M1"),
        ("E2", "M2"),
    }
    assert [r["status"] for r in client.get(f"{base}?status=declined").get_json()["items"]] == [
        "declined"
    ]
    assert client.get(f"{base}?mentee=E2").get_json()["total"] == 1
    page = client.get(f"{base}?per_page=1&page=2")
    assert len(page.get_json()["items"]) == 1 and 'rel="next"' in page.headers["Link"]
    assert page.get_json()["items"][0] == everything["items"][1]  # newest first, stable
    assert client.get(f"{base}?status=maybe").status_code == 422


def test_a_leaver_s_requests_are_withdrawn_and_a_mentee_passes_on(app, client, sessions, receiver):
    hook = client.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["request.withdrawn"]}
    )
    secret = hook.get_json()["secret"]
    cohort = make_cohort(client, RECORDS)
    waiting = ask(client, cohort, "E2", "M1").get_json()
    taken = ask(client, cohort, "E1", "M2").get_json()
    decide(client, cohort, taken["id"], "accept")
    sync = {"people": [{"employee_id": "M1", "status": "leaver"}, {"id": "E1", "status": "leaver"}]}
    response = client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=sync)
    assert response.status_code == 200, response.get_json()
    listed = client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["items"]
    state = {(r["mentee_id"], r["mentor_id"]): (r["status"], r["follows_id"]) for r in listed}
    assert state == {
        ("E2", "M1"): ("withdrawn", None),
        ("E1", "M2"): ("withdrawn", None),  # the mentee left: nothing passes on
        ("E2", "M2"): ("pending", waiting["id"]),  # E2's next suggestion with room
    }
    sent = events(app, sessions, receiver, secret)
    assert sorted((e["data"]["mentee_id"], e["data"]["next_request_id"] is None) for e in sent) == [
        ("E1", True),
        ("E2", False),
    ]


def test_concurrent_requests_for_a_last_place_give_it_once(app, key):
    """Eight mentees ask at once for M3's one place; the cohort lock lets exactly one in."""
    from concurrent.futures import ThreadPoolExecutor

    from api_helpers import KeyClient

    records = [r for r in RECORDS if r["role"] == "mentor"] + [
        {"id": f"E{k}", "role": "mentee", "seniority": 2, "skills": "react"} for k in range(8)
    ]
    cohort = make_cohort(KeyClient(app.test_client(), key), records)

    def one(k):
        return ask(KeyClient(app.test_client(), key), cohort, f"E{k}", "M3").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(one, range(8)))
    assert codes == [201] + [409] * 7


def test_a_person_s_requests_are_in_their_export_and_gone_after_erasure(client, sessions):
    cohort = make_cohort(client, RECORDS)
    asked = ask(client, cohort, "E1", "M2")
    assert asked.status_code == 201, asked.get_json()

    exported = client.get("/api/v1/people/export?person_id=E1").get_json()
    [where] = exported["cohorts"]
    [request] = where["requests"]
    assert (request["mentee_id"], request["mentor_id"], request["status"]) == (
        "E1",
        "M2",
        "pending",
    )

    erased = client.post("/api/v1/erasures", json={"person_id": "E1"}).get_json()
    assert erased["rows"]["mentor_requests"] == 1
    with sessions() as session:
        assert session.query(MentorRequest).filter_by(mentee_id="E1").count() == 0
    assert client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["items"] == []
