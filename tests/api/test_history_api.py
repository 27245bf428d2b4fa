"""Pairing history through the API: a cohort names earlier runs (its own or another
cohort's of the organization), and its runs avoid or prefer their pairs."""

from __future__ import annotations

from api_helpers import execute, make_cohort, small_records

from matcher.checker import check


def pairs_of(client, run_id) -> set[tuple[str, str]]:
    items = client.get(f"/api/v1/runs/{run_id}/assignments").get_json()["items"]
    return {(p["mentee_id"], p["mentor_id"]) for p in items}


def run(app, client, cohort, body=None) -> dict:
    response = client.post(f"/api/v1/cohorts/{cohort}/runs", json=body or {})
    assert response.status_code == 202, response.get_json()
    execute(app, response.get_json()["id"])
    return client.get(f"/api/v1/runs/{response.get_json()['id']}").get_json()


def checked(sessions, cohort, run_body) -> list[str]:
    from api.store import load_cohort
    from matcher.io.policy import policy_from_dict
    from matcher.solve import solve

    with sessions() as session:
        people = load_cohort(session, cohort)
    policy = policy_from_dict(run_body["policy"])
    return check(people, policy, solve(people, policy))


def test_settings_name_an_earlier_cohort_run_and_runs_avoid_its_pairs(app, client, sessions):
    spring = make_cohort(client)
    first = run(app, client, spring)
    earlier = pairs_of(client, first["id"])
    autumn = make_cohort(client)  # next cycle: the same people in a new cohort
    url = f"/api/v1/cohorts/{autumn}/settings"
    assert client.get(url).get_json() == {
        "cohort_id": autumn,
        "request_expiry_hours": 168.0,
        "history": {"mode": "ignore", "runs": []},
    }
    put = client.put(url, json={"history": {"mode": "avoid", "runs": [first["id"]]}})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["history"] == {"mode": "avoid", "runs": [first["id"]]}
    second = run(app, client, autumn)
    assert second["policy"]["history"]["mode"] == "avoid"
    assert {tuple(p) for p in second["policy"]["history"]["previous_pairs"]} == earlier
    now = pairs_of(client, second["id"])
    assert now and not now & earlier
    assert checked(sessions, autumn, second) == []
    # Why is a mentee unmatched? The history rule is named like the other rules.
    unmatched = client.get(f"/api/v1/runs/{second['id']}/unmatched").get_json()["items"]
    assert any("pairing-history rule" in " ".join(u["reasons"]) for u in unmatched)


def test_a_run_body_prefers_earlier_pairs_and_explains_them(app, client, sessions):
    cohort = make_cohort(client)
    first = run(app, client, cohort)
    earlier = pairs_of(client, first["id"])
    body = {"history": {"mode": "prefer", "bonus": 0.5, "runs": [first["id"]]}}
    second = run(app, client, cohort, body)
    assert pairs_of(client, second["id"]) == earlier
    items = client.get(f"/api/v1/runs/{second['id']}/assignments").get_json()["items"]
    assert all(p["explanation"].startswith("paired last cycle (+0.5") for p in items)
    assert checked(sessions, cohort, second) == []


def test_unknown_unfinished_and_foreign_runs_are_refused(app, client, other):
    cohort = make_cohort(client)
    queued = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    theirs = make_cohort(other, small_records())
    foreign = run(app, other, theirs)["id"]
    url = f"/api/v1/cohorts/{cohort}/settings"
    refused = client.put(
        url, json={"history": {"mode": "avoid", "runs": ["run_x", queued, foreign]}}
    )
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (0, "history.runs"),
        (1, "history.runs"),
        (2, "history.runs"),
    ]
    assert "queued" in errors[1]["message"]
    assert client.get(url).get_json()["history"]["mode"] == "ignore"  # nothing stored
    body = {"history": {"mode": "avoid", "runs": [foreign]}}
    assert client.post(f"/api/v1/cohorts/{cohort}/runs", json=body).status_code == 422
    bad = client.put(url, json={"history": {"mode": "sometimes"}, "request_expiry_hours": -1})
    assert bad.status_code == 422


def test_a_scenario_baseline_uses_the_cohort_history(app, client):
    cohort = make_cohort(client)
    first = run(app, client, cohort)
    url = f"/api/v1/cohorts/{cohort}/settings"
    client.put(url, json={"history": {"mode": "avoid", "runs": [first["id"]]}})
    sweep = {"vary": {"capacity.all": [2]}}
    scenario = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=sweep)
    assert scenario.status_code == 202, scenario.get_json()
    runs = client.get(f"/api/v1/cohorts/{cohort}/runs?kind=scenario").get_json()["items"]
    assert runs and all(r["policy"]["history"]["mode"] == "avoid" for r in runs)
    earlier = {tuple(p) for p in runs[0]["policy"]["history"]["previous_pairs"]}
    assert earlier == pairs_of(client, first["id"])
