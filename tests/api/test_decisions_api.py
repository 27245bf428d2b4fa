"""The review workflow over HTTP: the draft, decisions (make, list, undo, bad input), the
re-solve that moves only whom a decision moves (the checker passes on its result),
publishing (versions, 409 twice, 422 unfinished) and the ``cohort.published`` webhook."""

from __future__ import annotations

import json

from api_helpers import execute, make_cohort, sample_cohort
from receiver import Receiver, verified

from api.hooks.deliver import dispatch
from api.store import load_result, solved_inputs
from api.tables import AlternateRow, Run
from matcher.checker import check


def match(app, client, cohort) -> str:
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    execute(app, run)
    return run


def pairs(client, run_id) -> list[tuple[str, str]]:
    items = client.get(f"/api/v1/runs/{run_id}/assignments?page_size=100").get_json()["items"]
    return [(p["mentee_id"], p["mentor_id"]) for p in items]


def decide(client, run_id, **body):
    return client.post(f"/api/v1/runs/{run_id}/decisions", json=body)


def checked(sessions, run_id) -> None:
    with sessions() as session:
        run = session.get(Run, run_id)
        cohort, policy = solved_inputs(session, run)
        result = load_result(session, run)
    assert check(cohort, policy, result) == []


def test_decline_then_resolve_moves_only_the_declined_mentee(app, client, sessions, sample_csv):
    cohort = sample_cohort(client, sample_csv)
    run = match(app, client, cohort)
    before = pairs(client, run)
    mentee, mentor = before[0]
    made = decide(client, run, action="decline", mentee_id=mentee, mentor_id=mentor)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["action"] == "decline" and made.get_json()["said"]
    assert made.headers["Location"] == f"/api/v1/runs/{run}/decisions"
    kept = decide(client, run, action="approve", mentee_id=before[1][0], mentor_id=before[1][1])
    assert kept.status_code == 201
    listed = client.get(f"/api/v1/runs/{run}/decisions").get_json()["items"]
    assert [d["action"] for d in listed] == ["decline", "approve"]
    draft = client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()
    assert draft["run"]["id"] == run and draft["pending"] == 2 and draft["versions"] == []

    response = client.post(f"/api/v1/runs/{run}/resolve", headers={"Idempotency-Key": "r1"})
    assert response.status_code == 202, response.get_json()
    new = response.get_json()["id"]
    assert response.headers["Location"] == f"/api/v1/runs/{new}"
    again = client.post(f"/api/v1/runs/{run}/resolve", headers={"Idempotency-Key": "r1"})
    assert again.get_json()["id"] == new and again.headers["Idempotent-Replayed"] == "true"
    execute(app, new)
    checked(sessions, new)
    after = pairs(client, new)
    assert (mentee, mentor) not in after and before[1] in after
    moved = {m["mentee_id"] for m in client.get(f"/api/v1/runs/{new}").get_json()["moves"]}
    assert mentee in moved
    assert set(before) - set(after) == {p for p in before if p[0] in moved}
    assert client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()["run"]["id"] == new
    applied = client.get(f"/api/v1/runs/{run}/decisions").get_json()["items"]
    assert {d["applied_run_id"] for d in applied} == {new}
    nothing = client.post(f"/api/v1/runs/{run}/resolve")
    assert nothing.status_code == 422
    assert nothing.get_json()["title"] == "nothing to resolve"
    undo = client.delete(f"/api/v1/runs/{run}/decisions/{applied[0]['id']}")
    assert undo.status_code == 422 and "applied" in undo.get_json()["detail"]


def test_bad_decisions_are_refused_clearly_and_undo_works(app, client, sessions):
    cohort = make_cohort(client)
    run = match(app, client, cohort)
    (mentee, mentor), *_ = pairs(client, run)
    stranger = decide(client, run, action="pin", mentee_id=mentee, mentor_id="M-nobody")
    assert stranger.status_code == 422
    assert stranger.content_type == "application/problem+json"
    assert "not a pair" in stranger.get_json()["detail"]
    for body in (
        {"action": "shout", "mentee_id": mentee, "mentor_id": mentor},
        {"action": "reassign", "mentee_id": mentee, "mentor_id": mentor},
        {"action": "pin", "mentee_id": mentee, "mentor_id": mentor, "to_mentor_id": "M2"},
        {"action": "pin", "mentee_id": mentee},
    ):
        bad = decide(client, run, **body)
        assert bad.status_code in (400, 422) and bad.get_json()["errors"], body
    with sessions() as session:
        alternates = session.query(AlternateRow.mentor_id).filter_by(run_id=run, mentee_id=mentee)
        choices = {m for (m,) in alternates}
    wrong = decide(
        client, run, action="reassign", mentee_id=mentee, mentor_id=mentor, to_mentor_id="M9"
    )
    assert wrong.status_code == 422 and "alternates" in wrong.get_json()["detail"]
    if choices:
        to = sorted(choices)[0]
        moved = decide(
            client, run, action="reassign", mentee_id=mentee, mentor_id=mentor, to_mentor_id=to
        )
        assert moved.status_code == 201 and moved.get_json()["from_mentor_id"] == mentor
    pinned = decide(client, run, action="pin", mentee_id=mentee, mentor_id=mentor).get_json()
    assert [
        d["action"] for d in client.get(f"/api/v1/runs/{run}/decisions").get_json()["items"]
    ] == ["pin"]
    assert client.delete(f"/api/v1/runs/{run}/decisions/{pinned['id']}").status_code == 204
    assert client.get(f"/api/v1/runs/{run}/decisions").get_json()["items"] == []
    gone = client.delete(f"/api/v1/runs/{run}/decisions/{pinned['id']}")
    assert gone.status_code == 404 and gone.content_type == "application/problem+json"
    text = client.post(f"/api/v1/runs/{run}/decisions", data="x", content_type="text/plain")
    assert text.status_code == 415
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    early = decide(client, queued, action="pin", mentee_id=mentee, mentor_id=mentor)
    assert early.status_code == 409


def test_publish_makes_versions_once_per_run_and_tells_the_webhook(app, client, sessions):
    settings = app.extensions["mentormatch"].settings
    settings.update(WEBHOOK_ALLOW_PRIVATE=1, WEBHOOK_BACKOFF_SECONDS=0.05)
    server = Receiver()
    try:
        hook = client.post(
            "/api/v1/webhooks", json={"url": server.url, "events": ["cohort.published"]}
        ).get_json()
        assert hook["events"] == ["cohort.published"]
        cohort = make_cohort(client)
        run = match(app, client, cohort)
        dispatch(sessions, settings)
        assert server.requests == []  # run.succeeded is not subscribed
        queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
        early = client.post(f"/api/v1/runs/{queued}/publish")
        assert early.status_code == 422 and early.get_json()["title"] == "run not succeeded"

        published = client.post(f"/api/v1/runs/{run}/publish")
        assert published.status_code == 201, published.get_json()
        version = published.get_json()
        assert (version["version"], version["run_id"], version["published_by"]) == (1, run, None)
        assert published.headers["Location"] == f"/api/v1/cohorts/{cohort}/versions"
        twice = client.post(f"/api/v1/runs/{run}/publish")
        assert twice.status_code == 409 and "version 1" in twice.get_json()["detail"]
        listed = client.get(f"/api/v1/cohorts/{cohort}/versions").get_json()["items"]
        assert listed == [version]
        assert client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()["published"] == version

        assert dispatch(sessions, settings) == 1
        ((headers, body),) = server.requests
        assert verified(hook["secret"], headers, body)
        assert headers["X-Mentormatch-Event"] == "cohort.published"
        event = json.loads(body)
        assert event["data"] == {"cohort_id": cohort, "run_id": run, "version": 1}
    finally:
        server.close()


def test_a_cohort_without_a_succeeded_run_has_an_empty_draft(client):
    cohort = make_cohort(client)
    client.post(f"/api/v1/cohorts/{cohort}/runs", json={})
    draft = client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()
    assert draft == {
        "cohort_id": cohort,
        "run": None,
        "decisions": [],
        "pending": 0,
        "published": None,
        "versions": [],
    }
    assert client.get("/api/v1/cohorts/coh_nope/versions").status_code == 404
