"""Cohorts over HTTP: every way in, every way of being rejected, pages, erasure."""

from __future__ import annotations

import io

from api_helpers import make_cohort, small_records
from sqlalchemy import func, select

from api.tables import Cohort, Participant

CSV_HEADERS = {"Content-Type": "text/csv"}


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_json_records_make_a_cohort_with_location(client, sessions):
    body = {"name": "spring", "program": "mentoring", "participants": small_records()}
    response = client.post("/api/v1/cohorts", json=body)
    assert response.status_code == 201
    made = response.get_json()
    assert (made["mentors"], made["mentees"], made["program"]) == (2, 3, "mentoring")
    assert response.headers["Location"] == f"/api/v1/cohorts/{made['id']}"
    assert client.get(response.headers["Location"]).get_json() == made
    assert count(sessions, Participant) == 5


def test_mentors_and_mentees_lists_and_an_org_chart(client):
    records = small_records()
    body = {
        "name": "two lists",
        "program": "coaching",
        "mentors": [r for r in records if r["role"] == "mentor"],
        "mentees": [{k: v for k, v in r.items() if k != "role"} for r in records[2:]],
        "org_chart": [["E1", "M1"]],
    }
    response = client.post("/api/v1/cohorts", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["org_chart_edges"] == 1


def test_csv_body_and_multipart_upload(client, sample_csv):
    response = client.post(
        "/api/v1/cohorts?name=sample&program=coaching", data=sample_csv, headers=CSV_HEADERS
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["mentors"] + response.get_json()["mentees"] == 40
    form = {"file": (io.BytesIO(sample_csv), "cohort.csv"), "name": "up", "program": "coaching"}
    response = client.post("/api/v1/cohorts", data=form, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "up"


def test_participants_keep_no_names_or_emails(client, sample_csv):
    cohort = client.post(
        "/api/v1/cohorts?name=s&program=coaching", data=sample_csv, headers=CSV_HEADERS
    ).get_json()["id"]
    response = client.get(f"/api/v1/cohorts/{cohort}/participants?per_page=50")
    people = response.get_json()["items"]
    assert len(people) == 40 and people[0]["id"] == "M01" and people[0]["role"] == "mentor"
    assert all("name" not in p and "email" not in p for p in people)
    assert b"Priya" not in response.data and b"example.org" not in response.data


def test_bad_csv_lists_every_problem_with_lines_and_stores_nothing(client, sessions):
    sheet = b"id,role,capacity,seniority\nM1,mentor,two,5\nE1,mentee,1,x\nE1,mentee,1,2\n"
    response = client.post(
        "/api/v1/cohorts?name=bad&program=coaching", data=sheet, headers=CSV_HEADERS
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    where = {(e.get("line"), e.get("column")) for e in problem["errors"]}
    assert {(2, "capacity"), (3, "seniority"), (4, "id")} <= where
    assert {"value": "two", "column": "capacity"}.items() <= problem["errors"][0].items()
    assert problem["total_errors"] == len(problem["errors"])
    assert count(sessions, Cohort) == 0 and count(sessions, Participant) == 0


def test_bad_json_records_name_row_and_column(client, sessions):
    records = small_records()
    records[3]["capacity"] = -1
    records[4]["colour"] = "red"
    body = {"name": "x", "program": "coaching", "participants": records}
    problem = client.post("/api/v1/cohorts", json=body).get_json()
    assert problem["status"] == 422
    assert {(e.get("row"), e.get("column")) for e in problem["errors"]} >= {
        (3, "capacity"),
        (4, "colour"),
    }
    assert count(sessions, Cohort) == 0


def test_shape_errors_of_the_json_body(client):
    bad = {"name": "", "program": "yearly", "participants": "E1"}
    problem = client.post("/api/v1/cohorts", json=bad).get_json()
    assert problem["status"] == 422
    by_column = {e["column"]: e for e in problem["errors"]}
    assert set(by_column) == {"name", "program", "participants"}
    assert by_column["program"]["value"] == "yearly"
    both = {"name": "x", "program": "coaching", "participants": [], "mentors": []}
    problem = client.post("/api/v1/cohorts", json=both).get_json()
    assert problem["status"] == 422 and "either" in problem["errors"][0]["message"]


def test_csv_needs_name_and_program(client, sample_csv):
    response = client.post("/api/v1/cohorts?name=x", data=sample_csv, headers=CSV_HEADERS)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"source": "query", "column": "program", "message": "required"}
    ]
    form = {"name": "x", "program": "coaching"}
    response = client.post("/api/v1/cohorts", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["column"] == "file"


def test_wrong_content_type_broken_json_and_too_large(app, client):
    response = client.post("/api/v1/cohorts", data="<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert "text/csv" in response.get_json()["detail"]
    response = client.post("/api/v1/cohorts", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["title"] == "the request body is not valid JSON"
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(
        "/api/v1/cohorts?name=x&program=coaching", data=b"x" * 500, headers=CSV_HEADERS
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_too_many_participants_is_413(app, client, sessions):
    app.extensions["mentormatch"].settings["MAX_PARTICIPANTS"] = 4
    body = {"name": "x", "program": "coaching", "participants": small_records()}
    problem = client.post("/api/v1/cohorts", json=body).get_json()
    assert (problem["status"], problem["participants"], problem["limit"]) == (413, 5, 4)
    assert count(sessions, Cohort) == 0


def test_list_pages_with_a_capped_size_and_link_next(app, client, other):
    for _ in range(5):
        make_cohort(client)
    make_cohort(other)
    app.extensions["mentormatch"].settings["MAX_PAGE_SIZE"] = 2
    response = client.get("/api/v1/cohorts?per_page=50")
    page = response.get_json()
    assert (page["per_page"], page["total"], len(page["items"])) == (2, 5, 2)
    assert 'rel="next"' in response.headers["Link"] and "page=2" in response.headers["Link"]
    last = client.get("/api/v1/cohorts?page=3&per_page=2")
    assert len(last.get_json()["items"]) == 1 and 'rel="next"' not in last.headers["Link"]
    seen = {
        c["id"]
        for p in (1, 2, 3)
        for c in client.get(f"/api/v1/cohorts?page={p}").get_json()["items"]
    }
    assert len(seen) == 5


def test_bad_page_parameters(client):
    for query in ("page=0", "page=x", "per_page=0", "per_page=-3", "page=1.5"):
        response = client.get(f"/api/v1/cohorts?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["source"] == "query"


def test_delete_erases_participants_runs_and_results(client, sessions):
    from api_helpers import finish

    from api.tables import Assignment, Run

    cohort = make_cohort(client)
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()["id"]
    finish(sessions, run)
    assert count(sessions, Assignment) > 0
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 204
    for model in (Cohort, Participant, Run, Assignment):
        assert count(sessions, model) == 0, model
    assert client.get(f"/api/v1/cohorts/{cohort}").status_code == 404
    assert client.delete(f"/api/v1/cohorts/{cohort}").status_code == 404


def test_a_key_is_required(app, client):
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/cohorts")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = anonymous.get("/api/v1/cohorts", headers={"Authorization": "Bearer mm_0000_nope"})
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    basic = anonymous.get("/api/v1/cohorts", headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401


def test_a_revoked_key_stops_working(client, sessions, key):
    from api.db import transaction
    from api.keys import revoke_key

    assert client.get("/api/v1/cohorts").status_code == 200
    with transaction(sessions) as session:
        revoke_key(session, key)
    assert client.get("/api/v1/cohorts").status_code == 401


def test_records_written_by_the_core_come_back_through_json(client, sample_csv):
    """``cohort_to_records`` output (nulls, skill objects) is valid input, also for /match."""
    from matcher.io.cohort_csv import read_cohort
    from matcher.io.records import cohort_to_records

    records = cohort_to_records(read_cohort(sample_csv))
    body = {"name": "round trip", "program": "coaching", "participants": records}
    response = client.post("/api/v1/cohorts", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["mentees"] == sum(r["role"] == "mentee" for r in records)
    matched = client.post("/api/v1/match", json={"cohort": {"participants": records}})
    assert matched.status_code == 200, matched.get_json()


def test_shape_problems_inside_records_name_the_list_and_row(client):
    body = {"name": "x", "program": "coaching", "mentors": [], "mentees": [{"id": "E1"}, 7]}
    problem = client.post("/api/v1/cohorts", json=body).get_json()
    assert problem["status"] == 422
    assert {"source": "mentees", "row": 1}.items() <= problem["errors"][0].items()
