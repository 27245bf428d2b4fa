"""Listing a cohort's runs (newest first, filters, pages) and scenario comparisons that
are computed once, when the last run finishes, and read back from storage."""

from __future__ import annotations

from api_helpers import execute, finish, make_cohort

from api.tables import Scenario


def test_runs_are_listed_newest_first_with_filters_and_pages(client, sessions):
    cohort = make_cohort(client)
    ids = [client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"] for _ in "abc"]
    finish(sessions, ids[0])
    listed = client.get(f"/api/v1/cohorts/{cohort}/runs")
    assert listed.status_code == 200
    body = listed.get_json()
    assert [r["id"] for r in body["items"]] == ids[::-1] and body["total"] == 3
    assert body["items"][0]["links"]["self"] == f"/api/v1/runs/{ids[2]}"

    done = client.get(f"/api/v1/cohorts/{cohort}/runs?status=succeeded").get_json()
    assert [r["id"] for r in done["items"]] == [ids[0]]
    both = client.get(f"/api/v1/cohorts/{cohort}/runs?status=succeeded&status=queued")
    assert both.get_json()["total"] == 3
    assert client.get(f"/api/v1/cohorts/{cohort}/runs?kind=rematch").get_json()["total"] == 0

    page = client.get(f"/api/v1/cohorts/{cohort}/runs?per_page=2")
    assert [r["id"] for r in page.get_json()["items"]] == [ids[2], ids[1]]
    assert 'rel="next"' in page.headers["Link"] and "page=2" in page.headers["Link"]
    last = client.get(f"/api/v1/cohorts/{cohort}/runs?per_page=2&page=2").get_json()
    assert [r["id"] for r in last["items"]] == [ids[0]]


def test_a_bad_status_is_422_and_another_organizations_cohort_is_404(client, other):
    cohort = make_cohort(client)
    bad = client.get(f"/api/v1/cohorts/{cohort}/runs?status=done")
    assert bad.status_code == 422
    problem = bad.get_json()
    assert bad.mimetype == "application/problem+json"
    assert problem["errors"][0]["source"] == "query" and "status" in problem["errors"][0]["column"]
    assert other.get(f"/api/v1/cohorts/{cohort}/runs").status_code == 404
    assert client.get("/api/v1/cohorts/coh_nope/runs").status_code == 404


def test_a_scenario_comparison_is_stored_when_its_last_run_finishes(
    app, client, sessions, monkeypatch
):
    cohort = make_cohort(client)
    scenario = client.post(
        f"/api/v1/cohorts/{cohort}/scenarios", json={"vary": {"capacity.all": [1, 2]}}
    ).get_json()
    run_ids = [r["run_id"] for r in scenario["runs"]]
    execute(app, *run_ids[:-1])
    with sessions() as session:
        assert session.get(Scenario, scenario["id"]).comparison is None
    execute(app, run_ids[-1])
    with sessions() as session:
        stored = session.get(Scenario, scenario["id"]).comparison
    names = [row["name"] for row in stored["table"]]
    assert names == ["baseline", "capacity.all=1", "capacity.all=2"]

    def rebuilt(*args):
        raise AssertionError("a GET must read the stored comparison, not rebuild it")

    monkeypatch.setattr("api.whatif.comparison", rebuilt)
    body = client.get(f"/api/v1/scenarios/{scenario['id']}").get_json()
    assert body["status"] == "succeeded" and body["comparison"] == stored


def test_a_comparison_whose_worker_stopped_is_made_on_first_read(app, client, sessions):
    from sqlalchemy import update

    from api.db import transaction

    cohort = make_cohort(client)
    scenario = client.post(
        f"/api/v1/cohorts/{cohort}/scenarios", json={"vary": {"capacity.all": [1]}}
    ).get_json()
    execute(app, *[r["run_id"] for r in scenario["runs"]])
    with transaction(sessions) as session:  # as if the worker died before it stored it
        session.execute(update(Scenario).values(comparison=None))
    body = client.get(f"/api/v1/scenarios/{scenario['id']}").get_json()
    assert body["comparison"]["table"][1]["name"] == "capacity.all=1"
    with sessions() as session:
        assert session.get(Scenario, scenario["id"]).comparison == body["comparison"]
