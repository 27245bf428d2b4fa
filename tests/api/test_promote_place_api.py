"""The web app's two newer review operations in the JSON API: an ``add_place`` decision
(one more place at the mentor an unmatched mentee's reason names, applied by the exact
re-solve) and promoting a what-if variant to the cohort's draft
(``POST /api/v1/scenarios/{id}/promote``), with their refusals."""

from __future__ import annotations

import re

from api_helpers import execute, sample_cohort
from test_decisions_api import checked, match


def test_an_add_place_decision_matches_the_mentee_at_the_re_solve(
    app, client, sessions, sample_csv
):
    cohort = sample_cohort(client, sample_csv)
    run = match(app, client, cohort)
    left = client.get(f"/api/v1/runs/{run}/unmatched").get_json()["items"]
    named = [
        (u["mentee_id"], found[1])
        for u in left
        for reason in u["reasons"]
        if (found := re.search(r"one more place at (.+?) \(score ", reason))
    ]
    assert named, left
    mentee, mentor = named[0]
    made = client.post(
        f"/api/v1/runs/{run}/decisions",
        json={"action": "add_place", "mentee_id": mentee, "mentor_id": mentor},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["said"].startswith(f"{mentor} gets one more place")
    new = client.post(f"/api/v1/runs/{run}/resolve").get_json()["id"]
    execute(app, new)
    checked(sessions, new)
    before = client.get(f"/api/v1/runs/{run}").get_json()["metrics"]["matched_places"]
    after = client.get(f"/api/v1/runs/{new}").get_json()
    assert after["metrics"]["matched_places"] == before + 1
    assert any(m["mentee_id"] == mentee and m["to_mentor"] == mentor for m in after["moves"])
    matched = client.get(f"/api/v1/runs/{new}/assignments/{mentee}")
    assert matched.status_code == 200


def test_add_place_is_refused_for_a_matched_mentee_or_an_unknown_mentor(
    app, client, sessions, sample_csv
):
    cohort = sample_cohort(client, sample_csv)
    run = match(app, client, cohort)
    mentee = client.get(f"/api/v1/runs/{run}/unmatched").get_json()["items"][0]["mentee_id"]
    paired = client.get(f"/api/v1/runs/{run}/assignments").get_json()["items"][0]["mentee_id"]
    for body, said in (
        ({"mentee_id": paired, "mentor_id": "M01"}, "is not left unmatched"),
        ({"mentee_id": mentee, "mentor_id": "M99"}, "M99 is not a mentor of this draft"),
    ):
        refused = client.post(f"/api/v1/runs/{run}/decisions", json={"action": "add_place", **body})
        assert refused.status_code == 422 and said in refused.get_json()["detail"]


def test_a_promoted_variant_is_the_draft_until_a_later_run(app, client, sessions, sample_csv):
    cohort = sample_cohort(client, sample_csv)
    match(app, client, cohort)
    body = {"scenarios": [{"name": "three each", "capacity": {"all": 3}}]}
    scenario = client.post(f"/api/v1/cohorts/{cohort}/scenarios", json=body).get_json()
    early = client.post(
        f"/api/v1/scenarios/{scenario['id']}/promote", json={"variant": "three each"}
    )
    assert (
        early.status_code == 422 and "only a solved one is promoted" in early.get_json()["detail"]
    )
    for item in scenario["runs"]:
        execute(app, item["run_id"])
    variant = next(r["run_id"] for r in scenario["runs"] if r["variant"] == "three each")
    unknown = client.post(f"/api/v1/scenarios/{scenario['id']}/promote", json={"variant": "four"})
    assert unknown.status_code == 422 and "has no variant 'four'" in unknown.get_json()["detail"]
    promoted = client.post(
        f"/api/v1/scenarios/{scenario['id']}/promote", json={"variant": "three each"}
    )
    assert promoted.status_code == 200, promoted.get_json()
    assert promoted.get_json()["id"] == variant
    assert client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()["run"]["id"] == variant
    later = match(app, client, cohort)
    assert client.get(f"/api/v1/cohorts/{cohort}/draft").get_json()["run"]["id"] == later
