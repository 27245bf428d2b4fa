"""Uploads are read with memory bounded by the body: a sheet is not read past the
participant limit, checking stops after 200 problems (CSV and JSON), and a sheet that is
accepted, or nearly right, gets exactly the core's answer."""

from __future__ import annotations

import tracemalloc

import pytest

from api.sheet import CHUNK, MAX_PROBLEMS
from matcher.io.cohort_csv import read_cohort
from matcher.model import InputError

HEADER = "id,role,seniority,skills,capacity,timezone,exclude\n"


def good_rows(n: int, start: int = 0) -> str:
    return "".join(
        f"P{i},{'mentor' if i % 5 == 0 else 'mentee'},{i % 9},python;sql,2,+01:00,\n"
        for i in range(start, start + n)
    )


def bad_rows(n: int, start: int = 0) -> str:
    return "".join(f"x{i},b,q,a:9,-1,Mars/Base,\n" for i in range(start, start + n))


def upload(client, text: str):
    return client.post(
        "/api/v1/cohorts?name=big&program=coaching",
        data=text.encode(),
        headers={"Content-Type": "text/csv"},
    )


def test_a_sheet_is_not_read_past_the_participant_limit(app, client):
    app.extensions["mentormatch"].settings["MAX_PARTICIPANTS"] = 50
    response = upload(client, "id,role,name\n" + "x,b\n" * 10_000)  # short rows, every one
    assert response.status_code == 413
    problem = response.get_json()
    assert problem["limit"] == 50 and "reading stopped at record 51" in problem["detail"]


def test_checking_stops_after_200_problems_with_memory_bounded_by_the_body(client):
    text = HEADER + bad_rows(60_000)
    tracemalloc.start()
    try:
        response = upload(client, text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    problem = response.get_json()
    assert len(problem["errors"]) == MAX_PROBLEMS and "total_errors" not in problem
    assert problem["stopped_at"] == f"line {CHUNK + 1}"
    assert problem["errors"][0] == {
        "source": "cohort",
        "line": 2,
        "row": 0,
        "column": "role",
        "value": "b",
        "message": "expected 'mentor' or 'mentee'",
    }
    # The core alone keeps 300,000 problems here (~165 MB); now: the body, its ids and the
    # problems of one chunk of records.
    assert peak < 4 * len(text) + 16 * 2**20, (peak, len(text))


def test_problems_past_the_first_chunk_carry_the_files_lines_and_rows(client):
    text = HEADER + good_rows(CHUNK + 500) + "\n\n" + bad_rows(300, start=CHUNK + 500)
    problem = upload(client, text).get_json()
    assert len(problem["errors"]) == MAX_PROBLEMS
    first = problem["errors"][0]
    assert (first["line"], first["row"]) == (CHUNK + 500 + 4, CHUNK + 500)  # 2 blank lines


def test_a_large_sheet_with_few_problems_gets_exactly_the_cores_answer(client):
    # References across chunks are fine; one duplicate id and one bad cell far apart.
    rows = good_rows(2 * CHUNK + 10).splitlines(keepends=True)
    rows[3] = rows[3].replace(",\n", f",P{2 * CHUNK + 5}\n")  # excludes someone chunks away
    rows[CHUNK + 7] = rows[CHUNK + 7].replace("P", "Q", 1).replace(",2,", ",two,")
    rows[2 * CHUNK + 1] = "P1" + rows[2 * CHUNK + 1][rows[2 * CHUNK + 1].index(",") :]
    text = HEADER + "".join(rows)
    with pytest.raises(InputError) as core:
        read_cohort(text.encode())
    problem = upload(client, text).get_json()
    assert problem["total_errors"] == len(core.value.problems) == 2
    assert [e["line"] for e in problem["errors"]] == [p.line for p in core.value.problems]
    accepted = upload(client, HEADER + good_rows(2 * CHUNK + 10))
    assert accepted.status_code == 201 and accepted.get_json()["mentees"] == 3208


def test_json_records_stop_after_200_problems_too(client):
    people = [{"id": f"x{i}", "role": "b", "seniority": "q"} for i in range(3 * CHUNK)]
    response = client.post(
        "/api/v1/cohorts", json={"name": "big", "program": "coaching", "participants": people}
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert len(problem["errors"]) == MAX_PROBLEMS
    assert problem["stopped_at"] == f"participants[{CHUNK - 1}]"
    assert problem["errors"][0]["row"] == 0
