"""The prepared-cohort cache of suggestions and requests: bounded least-recently-used,
keyed by roster version and policy, so a people sync or an erasure is seen on the next
call and cached answers are the ones a fresh preparation gives."""

from __future__ import annotations

from api_helpers import execute, make_cohort

from api.prepared_cache import PreparedCache
from matcher.encode.prepare import prepare
from matcher.io.policy import preset
from matcher.io.records import cohort_from_records

RECORDS = [
    {"id": "M1", "role": "mentor", "seniority": 6, "skills": "python:5; sql", "capacity": 1},
    {"id": "M2", "role": "mentor", "seniority": 5, "skills": "python; css", "capacity": 2},
    {"id": "E1", "role": "mentee", "seniority": 2, "skills": "python; sql"},
    {"id": "E2", "role": "mentee", "seniority": 2, "skills": "python"},
]


def prepared(n_mentees: int):
    mentees = [
        {"id": f"E{k}", "role": "mentee", "seniority": 1, "skills": "python"}
        for k in range(n_mentees)
    ]
    return prepare(cohort_from_records(RECORDS[:2] + mentees), preset("coaching"))


def test_least_recently_used_bounded_by_entries_and_cells():
    small, big = prepared(2), prepared(6)  # 4 and 12 cells
    cache = PreparedCache(entries=2, cells=20)
    built = []

    def build(value):
        return lambda: built.append(value) or value

    assert cache.get(("a", 1), build(small)) is small
    assert cache.get(("a", 1), build(big)) is small  # a hit: not built again
    assert cache.get(("b", 1), build(small)) is small
    cache.get(("a", 1), build(small))  # a is now the most recent
    cache.get(("c", 1), build(small))  # three entries: b, the least recent, goes
    assert len(cache) == 2 and (cache.hits, cache.misses) == (2, 3)
    cache.get(("b", 1), build(small))
    assert built == [small, small, small, small]  # b was built again
    cache.get(("d", 1), build(big))  # 12 + 4 cells fit; 12 + 4 + 4 would not
    assert len(cache) == 2
    too_big = PreparedCache(entries=4, cells=10)
    assert too_big.get(("e", 1), build(big)) is big and len(too_big) == 0
    off = PreparedCache(entries=0, cells=100)
    assert off.get(("f", 1), build(small)) is small and len(off) == 0
    cache.forget(["d", "zzz"])
    assert len(cache) == 1


def suggested(client, cohort, mentee="E1"):
    response = client.get(f"/api/v1/cohorts/{cohort}/people/{mentee}/suggestions")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_routes_reuse_the_prepared_roster_until_a_sync_or_an_erasure(app, client):
    cache = app.extensions["mentormatch"].prepared
    cohort = make_cohort(client, RECORDS)
    first = suggested(client, cohort)
    misses = cache.misses
    assert suggested(client, cohort) == first and cache.misses == misses  # a hit
    made = client.post(f"/api/v1/cohorts/{cohort}/requests", json={"mentee": "E2", "mentor": "M1"})
    assert made.status_code == 201 and cache.misses == misses  # a request reuses it too
    # the cached answer is the one a fresh preparation gives (the request now holds M1)
    app.extensions["mentormatch"].prepared = PreparedCache(0, 0)
    fresh = suggested(client, cohort)
    app.extensions["mentormatch"].prepared = cache
    assert suggested(client, cohort) == fresh and "M1" not in [
        s["mentor_id"] for s in fresh["items"]
    ]
    # a people sync makes a new roster version: the next call prepares it
    joiner = {"id": "M3", "role": "mentor", "seniority": 6, "skills": "python:5; sql"}
    body = {"people": [joiner]}
    assert (
        client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=body).status_code
        == 200
    )
    after = suggested(client, cohort)
    assert cache.misses == misses + 1 and "M3" in [s["mentor_id"] for s in after["items"]]
    # a run changes the suggestion policy's source (its policy digest keys the entry)
    execute(app, client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"])
    assert suggested(client, cohort)["policy_run_id"] is not None
    # an erasure drops the cohort's entries and the person is no longer suggested
    erased = client.post("/api/v1/erasures", json={"person_id": "M3"})
    assert erased.status_code == 200, erased.get_json()
    assert all(key[0] != cohort for key in cache._items)
    assert "M3" not in [s["mentor_id"] for s in suggested(client, cohort)["items"]]


def test_a_roster_of_a_sync_rolled_back_is_never_cached(app, client):
    services = app.extensions["mentormatch"]
    cohort = make_cohort(client, RECORDS)
    execute(app, client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"])
    top = suggested(client, cohort, "E2")["items"][0]["mentor_id"]
    ask = {"mentee": "E2", "mentor": top}
    assert client.post(f"/api/v1/cohorts/{cohort}/requests", json=ask).status_code == 201
    # the mentor leaves: E2's request passes on inside the sync's transaction, then the
    # rematch is refused (429) and the whole sync rolls back
    services.settings["MAX_ACTIVE_RUNS"] = 0
    leave = {"people": [{"employee_id": top, "status": "leaver"}], "rematch": True}
    refused = client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=leave)
    assert refused.status_code == 429, refused.get_json()
    roster = client.get(f"/api/v1/cohorts/{cohort}/participants").get_json()["items"]
    assert top in {p["id"] for p in roster}  # nothing of the sync was stored
    assert all(key[:2] != (cohort, 1) for key in services.prepared._items)
    # version 1 is now another roster: a mentor joins, nobody leaves
    joiner = {"id": "M3", "role": "mentor", "seniority": 6, "skills": "python:5; sql"}
    body = {"people": [joiner]}
    assert (
        client.open(f"/api/v1/cohorts/{cohort}/people", method="PATCH", json=body).status_code
        == 200
    )
    ids = [s["mentor_id"] for s in suggested(client, cohort, "E1")["items"]]
    assert "M3" in ids
    listed = client.get(f"/api/v1/cohorts/{cohort}/requests").get_json()["items"]
    assert [(r["mentor_id"], r["status"]) for r in listed] == [(top, "pending")]
