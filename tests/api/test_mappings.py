"""Mapping templates over HTTP, the suggested mapping of a sheet, and uploads read through a
mapping: the same mapping the CLI reads (`map` -> `match --map` pairs the same people),
the web app's templates, question rules kept for runs, every problem named, nothing
stored on a rejected upload, the upload limits, and Idempotency-Key replays."""

from __future__ import annotations

import copy
import io
import json
import tomllib
from pathlib import Path

import pytest
from api_helpers import count, execute
from click.testing import CliRunner

from api.sheet import CHUNK, MAX_PROBLEMS
from api.tables import Cohort, Participant
from api.tables_web import CohortImport, MappingTemplate
from matcher.cli import main
from matcher.io.attribute_rules import with_mapping_rules
from matcher.io.cohort_csv import read_assignments
from matcher.io.mapping import load_mapping
from matcher.io.policy import preset
from matcher.io.sheets import read_people
from matcher.model import InputError
from matcher.solve import solve

FORMS = Path(__file__).resolve().parents[1] / "data" / "forms"
GOOGLE = FORMS / "google-signup.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = {"Content-Type": "text/csv"}
SMALL = {
    "mapping": 1,
    "columns": {
        "Email": {"field": ["id", "email"]},
        "I am a": {"field": "role", "values": {"A mentor": "mentor", "A mentee": "mentee"}},
        "Skills": {"field": "skills", "separator": ", "},
        "Places": {"field": "capacity", "role": "mentor"},
    },
}


def small_sheet(rows: int, bad: bool = False) -> str:
    lines = ["Email,I am a,Skills,Places"]
    for i in range(rows):
        role = "A mentor" if i % 4 == 0 else "A mentee"
        places = "maybe" if bad else "2"
        lines.append(f'p{i}@acme.example,{role},"python, sql",{places if i % 4 == 0 else ""}')
    return "\n".join(lines) + "\n"


def suggest(client, name: str) -> dict:
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    data = (FORMS / name).read_bytes()
    response = client.post("/api/v1/mappings/suggest", data=data, headers={"Content-Type": kind})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def upload(client, sheet: bytes, mapping=None, query="", headers=None, filename="form.csv"):
    form = {"name": "spring", "program": "mentoring", "file": (io.BytesIO(sheet), filename)}
    if mapping is not None:
        form["mapping"] = json.dumps(mapping)
    return client.post(
        f"/api/v1/cohorts{query}",
        data=form,
        content_type="multipart/form-data",
        headers=headers or {},
    )


def pairs_of(client, run_id: str) -> set[tuple[str, str]]:
    body = client.get(f"/api/v1/runs/{run_id}/assignments?per_page=500").get_json()
    return {(p["mentee_id"], p["mentor_id"]) for p in body["items"]}


# --------------------------------------------------------------------------- templates


def test_save_list_read_replace_and_delete_a_template(client):
    response = client.post("/api/v1/mappings", json={"name": "spring form", "mapping": SMALL})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == "/api/v1/mappings/spring%20form"
    saved = response.get_json()
    assert (saved["name"], saved["mapping"]) == ("spring form", SMALL)
    again = client.post("/api/v1/mappings", json={"name": "spring form", "mapping": SMALL})
    assert again.status_code == 409
    assert again.get_json()["type"].endswith("#problem-mapping-template-exists")
    client.post("/api/v1/mappings", json={"name": "autumn/form", "mapping": SMALL})
    listed = client.get("/api/v1/mappings").get_json()
    assert [t["name"] for t in listed["items"]] == ["autumn/form", "spring form"]
    assert client.get("/api/v1/mappings/autumn/form").get_json()["mapping"] == SMALL
    changed = copy.deepcopy(SMALL)
    changed["columns"]["Places"]["ranges"] = "low"
    replaced = client.put("/api/v1/mappings/spring form", json={"mapping": changed})
    assert replaced.status_code == 200 and replaced.get_json()["mapping"] == changed
    assert client.get("/api/v1/mappings/spring form").get_json()["mapping"] == changed
    assert client.delete("/api/v1/mappings/spring form").status_code == 204
    gone = client.get("/api/v1/mappings/spring form")
    assert gone.status_code == 404 and gone.content_type == "application/problem+json"
    missing = client.put("/api/v1/mappings/nobody", json={"mapping": SMALL})
    assert missing.status_code == 404


def test_a_bad_mapping_lists_every_problem_with_its_key_path_and_is_not_saved(client):
    bad = {
        "mapping": 1,
        "columns": {
            "Email": {"field": "e-mail"},
            "I am a": {"field": "role", "role": "mentor"},
            "Places": {"field": "capacity", "separator": ";"},
            "Hobbies": {"attribute": "hobbies", "type": "multi", "rule": "sometimes"},
        },
        "timezones": {"IST": "Mars/Olympus"},
    }
    response = client.post("/api/v1/mappings", json={"name": "bad", "mapping": bad})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    where = {(e["source"], e["column"]) for e in problem["errors"]}
    assert where == {
        ("mapping", 'columns."Email".field'),
        ("mapping", 'columns."I am a".role'),
        ("mapping", 'columns."Places".separator'),
        ("mapping", 'columns."Hobbies".type'),
        ("mapping", 'columns."Hobbies".rule'),
        ("mapping", "columns"),  # nothing feeds the id
        ("mapping", "timezones.IST"),
    }
    assert problem["total_errors"] == 7
    email = next(e for e in problem["errors"] if e["column"] == 'columns."Email".field')
    assert email["value"] == "e-mail" and email["message"].startswith("unknown field")
    assert client.get("/api/v1/mappings").get_json()["total"] == 0
    client.post("/api/v1/mappings", json={"name": "good", "mapping": SMALL})
    assert client.put("/api/v1/mappings/good", json={"mapping": bad}).status_code == 422
    assert client.get("/api/v1/mappings/good").get_json()["mapping"] == SMALL
    shape = client.post("/api/v1/mappings", json={"name": " padded ", "mapping": []})
    assert {e["column"] for e in shape.get_json()["errors"]} == {"name", "mapping"}


def coordinator(app, sessions, org: str, email: str):
    """A web app user of ``org`` (the API keys' organizations are ``acme`` and ``globex``),
    signed in."""
    from tests.web.web_helpers import Browser, make_user

    make_user(sessions, org, email)
    browser = Browser(app.test_client())
    browser.sign_in(email)
    return browser


def test_templates_are_the_web_apps_for_the_same_organization_only(app, client, other, sessions):
    client.post("/api/v1/mappings", json={"name": "saved by the API", "mapping": SMALL})
    ada = coordinator(app, sessions, "acme", "ada@example.org")
    eve = coordinator(app, sessions, "globex", "eve@example.org")
    pages = [b.get(b.upload(GOOGLE).location).get_data(as_text=True) for b in (ada, eve)]
    assert "saved by the API" in pages[0] and "saved by the API" not in pages[1]
    # ... and a template saved on the mapping page is the API's.
    upload_id = ada.upload(GOOGLE).location.rsplit("/", 1)[1]
    ada.post(f"/imports/{upload_id}", {"template_name": "saved on the page"})
    names = [t["name"] for t in client.get("/api/v1/mappings").get_json()["items"]]
    assert names == ["saved by the API", "saved on the page"]
    assert other.get("/api/v1/mappings").get_json()["total"] == 0
    assert other.get("/api/v1/mappings/saved on the page").status_code == 404
    assert other.delete("/api/v1/mappings/saved by the API").status_code == 404
    assert count(sessions, MappingTemplate) == 2


# --------------------------------------------------------------------------- suggestion


@pytest.mark.parametrize("name", ["google-signup.csv", "google-signup.xlsx"])
def test_the_suggestion_is_the_clis_and_an_upload_with_it_pairs_as_match_map(
    app, client, tmp_path, name
):
    runner = CliRunner()
    written, pairs = tmp_path / "mapping.toml", tmp_path / "pairs.csv"
    assert runner.invoke(main, ["map", str(FORMS / name), "-o", str(written)]).exit_code == 0
    matched = runner.invoke(
        main,
        [
            "match",
            str(FORMS / name),
            "--map",
            str(written),
            "--program",
            "mentoring",
            "-o",
            str(pairs),
        ],
    )
    assert matched.exit_code == 0, matched.output
    cli_pairs = {(r["mentee_id"], r["mentor_id"]) for r in read_assignments(pairs)}
    assert len(cli_pairs) == 16

    suggestion = suggest(client, name)
    assert suggestion["mapping"] == tomllib.loads(written.read_text())
    assert suggestion["tool"] == "google"
    assert suggestion["reads"] == {
        "ok": True,
        "mentors": 8,
        "mentees": 16,
        "total_errors": 0,
        "errors": [],
    }
    assert suggestion["notes"]["Timestamp"] == ["form metadata"]
    kind = "xlsx" if name.endswith(".xlsx") else "csv"
    response = upload(
        client, (FORMS / name).read_bytes(), suggestion["mapping"], filename=f"form.{kind}"
    )
    assert response.status_code == 201, response.get_json()
    cohort = response.get_json()
    assert (cohort["mentors"], cohort["mentees"]) == (8, 16)
    run = client.post(f"/api/v1/cohorts/{cohort['id']}/runs", json={}).get_json()["id"]
    execute(app, run)
    assert pairs_of(client, run) == cli_pairs


def test_a_workbook_suggestion_names_its_sheet_and_reads_any_sheet_asked_for(client):
    suggestion = suggest(client, "google-signup.xlsx")
    assert suggestion["mapping"]["sheet"] == "Form Responses 1"
    missing = client.post(
        "/api/v1/mappings/suggest?sheet=Nope",
        data=(FORMS / "google-signup.xlsx").read_bytes(),
        headers={"Content-Type": XLSX},
    )
    assert missing.status_code == 422
    assert "no sheet with this name" in missing.get_json()["errors"][0]["message"]
    form = {"file": (io.BytesIO(GOOGLE.read_bytes()), "form.csv")}
    multipart = client.post(
        "/api/v1/mappings/suggest", data=form, content_type="multipart/form-data"
    )
    assert multipart.status_code == 200
    assert "sheet" not in multipart.get_json()["mapping"]
    wrong = client.post("/api/v1/mappings/suggest", data="x", content_type="text/plain")
    assert wrong.status_code == 415


def test_the_documented_suggestion_is_what_the_route_answers(client):
    from api.mapping_schemas import SHEET_EXAMPLE, SUGGESTION_EXAMPLE

    response = client.post("/api/v1/mappings/suggest", data=SHEET_EXAMPLE, headers=CSV)
    assert response.get_json() == SUGGESTION_EXAMPLE


def test_a_suggestion_says_when_the_sheet_does_not_read_with_it(client):
    sheet = small_sheet(4).replace("A mentee", "Not sure", 1)  # "I am a" is no role question
    response = client.post("/api/v1/mappings/suggest", data=sheet, headers=CSV)
    suggestion = response.get_json()
    assert suggestion["mapping"]["columns"]["I am a"] == {"attribute": "am", "type": "choice"}
    assert suggestion["reads"] == {
        "ok": False,
        "mentors": None,
        "mentees": None,
        "total_errors": 1,
        "errors": [
            {
                "source": "mapping",
                "message": "no column feeds 'role': map the mentor/mentee question to it",
            }
        ],
    }


# --------------------------------------------------------------------------- uploads


def test_an_upload_through_a_template_keeps_its_question_rules_for_runs(app, client, sessions):
    data = suggest(client, "google-signup.csv")["mapping"]
    data["columns"]["Hobbies and interests"].update(rule="overlap", weight=0.5)
    client.post("/api/v1/mappings", json={"name": "google", "mapping": data})
    response = client.post(
        "/api/v1/cohorts?name=spring&program=mentoring&mapping=google",
        data=GOOGLE.read_bytes(),
        headers=CSV,
    )
    assert response.status_code == 201, response.get_json()
    cohort = response.get_json()["id"]
    with sessions() as session:
        imported = session.get(CohortImport, cohort)
        assert imported.mapping == data and imported.filename == "request body"
        assert {"attribute": "hobbies_interests", "type": "multi-choice", "role": None} in [
            {k: q[k] for k in ("attribute", "type", "role")} for q in imported.questions
        ]
    run = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}).get_json()
    assert run["policy"]["attributes"] == [
        {"attribute": "hobbies_interests", "rule": "overlap", "weight": 0.5}
    ]
    execute(app, run["id"])
    mapping = load_mapping(data)
    people, _ = read_people(GOOGLE, mapping=mapping)
    result = solve(people, with_mapping_rules(preset("mentoring"), mapping))
    assert pairs_of(client, run["id"]) == {(p.mentee_id, p.mentor_id) for p in result.pairs}
    # The web app shows how the sheet was read, and its policy step starts from the rule.
    ada = coordinator(app, sessions, "acme", "ada@example.org")
    page = ada.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert "How request body was read" in page and "ignored: Timestamp" in page
    other_cohort = client.post(
        "/api/v1/cohorts?name=autumn&program=mentoring&mapping=google",
        data=GOOGLE.read_bytes(),
        headers=CSV,
    ).get_json()["id"]
    policy = ada.get(f"/cohorts/{other_cohort}/policy").get_data(as_text=True)
    assert '<option value="overlap" selected>' in policy
    # The run's own rule wins: weight 0 turns the mapping's off.
    off = {"attributes": [{"attribute": "hobbies_interests", "rule": "overlap", "weight": 0}]}
    again = client.post(f"/api/v1/cohorts/{cohort}/runs", json=off).get_json()
    assert again["policy"]["attributes"] == [
        {"attribute": "hobbies_interests", "rule": "overlap", "weight": 0.0}
    ]
    # Scenarios use them too, and the cohort keeps them when the template goes.
    assert client.delete("/api/v1/mappings/google").status_code == 204
    sweep = {"vary": {"capacity.all": [1]}}
    scenario = client.post(f"/api/v1/cohorts/{other_cohort}/scenarios", json=sweep).get_json()
    for item in scenario["runs"]:
        policy = client.get(f"/api/v1/runs/{item['run_id']}").get_json()["policy"]
        assert policy["attributes"] == [
            {"attribute": "hobbies_interests", "rule": "overlap", "weight": 0.5}
        ]


def test_a_rejected_upload_names_the_sheets_own_words_and_stores_nothing(client, other, sessions):
    bad = GOOGLE.read_text().replace(",3+,", ",maybe,", 1)
    data = suggest(client, "google-signup.csv")["mapping"]
    response = upload(client, bad.encode(), data)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"] == [
        {
            "source": "cohort",
            "line": 2,
            "row": 0,
            "column": "How many mentees can you take on?",
            "value": "maybe",
            "message": "expected a number such as 2, '3+', 'up to 2', '1-2' or 'none'; "
            "or name this answer in the column's values",
        }
    ]
    broken = copy.deepcopy(data)
    broken["columns"]["Department"] = {"field": "departments"}
    response = upload(client, GOOGLE.read_bytes(), broken)
    assert [(e["source"], e["column"]) for e in response.get_json()["errors"]] == [
        ("mapping", 'columns."Department".field')
    ]
    not_json = client.post(
        "/api/v1/cohorts",
        data={
            "name": "s",
            "program": "coaching",
            "mapping": "{oops",
            "file": (io.BytesIO(GOOGLE.read_bytes()), "form.csv"),
        },
        content_type="multipart/form-data",
    )
    assert not_json.status_code == 422
    assert not_json.get_json()["errors"][0]["source"] == "mapping"
    other.post("/api/v1/mappings", json={"name": "theirs", "mapping": data})
    for name in ("theirs", "nobody's"):  # another organization's is no one's
        response = client.post(
            f"/api/v1/cohorts?name=s&program=coaching&mapping={name}",
            data=GOOGLE.read_bytes(),
            headers=CSV,
        )
        assert response.status_code == 422
        assert response.get_json()["errors"] == [
            {
                "source": "query",
                "column": "mapping",
                "value": name,
                "message": "no mapping template has this name in your organization "
                "(GET /api/v1/mappings)",
            }
        ]
    both = upload(client, GOOGLE.read_bytes(), data, query="?mapping=theirs")
    assert both.status_code == 422
    records = {"name": "s", "program": "coaching", "participants": []}
    assert client.post("/api/v1/cohorts?mapping=x", json=records).status_code == 422
    assert count(sessions, Cohort) == count(sessions, CohortImport) == 0
    assert count(sessions, Participant) == 0


def test_without_a_mapping_a_forms_headers_are_rejected_as_before(client):
    response = client.post(
        "/api/v1/cohorts?name=s&program=coaching", data=GOOGLE.read_bytes(), headers=CSV
    )
    assert response.status_code == 422
    messages = [e["message"] for e in response.get_json()["errors"]]
    assert any("mentormatch map" in m for m in messages)
    xlsx = client.post(
        "/api/v1/cohorts?name=s&program=coaching",
        data=(FORMS / "google-signup.xlsx").read_bytes(),
        headers={"Content-Type": XLSX},
    )
    assert xlsx.status_code == 422
    assert any("mentormatch map" in e["message"] for e in xlsx.get_json()["errors"])


def test_idempotency_key_replays_an_upload_with_a_mapping(client, sessions):
    data = suggest(client, "google-signup.csv")["mapping"]
    client.post("/api/v1/mappings", json={"name": "google", "mapping": data})
    for first, again in [
        (
            lambda: upload(client, GOOGLE.read_bytes(), data, headers={"Idempotency-Key": "a"}),
            lambda: upload(client, GOOGLE.read_bytes(), data, headers={"Idempotency-Key": "a"}),
        ),
        (
            lambda: upload(
                client,
                GOOGLE.read_bytes(),
                query="?mapping=google",
                headers={"Idempotency-Key": "b"},
            ),
            lambda: upload(
                client,
                GOOGLE.read_bytes(),
                query="?mapping=google",
                headers={"Idempotency-Key": "b"},
            ),
        ),
    ]:
        one, two = first(), again()
        assert one.status_code == two.status_code == 201
        assert two.headers["Idempotent-Replayed"] == "true"
        assert one.get_json() == two.get_json()
    assert count(sessions, Cohort) == count(sessions, CohortImport) == 2
    changed = upload(
        client, GOOGLE.read_bytes(), query="?mapping=other", headers={"Idempotency-Key": "b"}
    )
    assert changed.status_code == 422
    assert changed.get_json()["title"] == "idempotency key reused"


# --------------------------------------------------------------------------- limits


def test_a_mapped_sheet_is_not_read_past_the_participant_limit(app, client):
    app.extensions["mentormatch"].settings["MAX_PARTICIPANTS"] = 50
    response = upload(client, small_sheet(10_000).encode(), SMALL)
    assert response.status_code == 413
    assert "reading stopped at record 51" in response.get_json()["detail"]
    suggestion = client.post("/api/v1/mappings/suggest", data=small_sheet(51), headers=CSV)
    assert suggestion.status_code == 413


def workbook(text: str) -> bytes:
    """The CSV ``text`` as an .xlsx workbook of one sheet."""
    import csv

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Form Responses 1")
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbooks_keep_the_participant_limit_and_the_problem_cap(app, client):
    settings = app.extensions["mentormatch"].settings
    settings["MAX_PARTICIPANTS"] = 3 * CHUNK
    too_many = workbook(small_sheet(3 * CHUNK + 1))
    for response in (
        upload(client, too_many, SMALL, filename="form.xlsx"),
        client.post(
            "/api/v1/cohorts?name=s&program=coaching",
            data=too_many,
            headers={"Content-Type": XLSX},
        ),
        client.post("/api/v1/mappings/suggest", data=too_many, headers={"Content-Type": XLSX}),
    ):
        assert response.status_code == 413
        assert f"the sheet has {3 * CHUNK + 1} records" in response.get_json()["detail"]
    bad = upload(client, workbook(small_sheet(3 * CHUNK, bad=True)), SMALL, filename="f.xlsx")
    assert bad.status_code == 422
    assert len(bad.get_json()["errors"]) == MAX_PROBLEMS
    assert bad.get_json()["stopped_at"] == f"line {CHUNK + 1}"
    plain = "id,role,seniority\n" + "".join(f"x{i},b,q\n" for i in range(3 * CHUNK))
    response = client.post(
        "/api/v1/cohorts?name=s&program=coaching",
        data=workbook(plain),
        headers={"Content-Type": XLSX},
    )
    assert response.status_code == 422
    assert response.get_json()["stopped_at"] == f"line {CHUNK + 1}"


def test_checking_a_mapped_sheet_stops_after_200_problems(client, sessions):
    import tracemalloc

    text = small_sheet(4 * CHUNK, bad=True)  # every mentor's places: 'maybe'
    tracemalloc.start()
    try:
        response = upload(client, text.encode(), SMALL)
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
        "column": "Places",
        "value": "maybe",
        "message": "expected a number such as 2, '3+', 'up to 2', '1-2' or 'none'; "
        "or name this answer in the column's values",
    }
    assert peak < 4 * len(text) + 16 * 2**20, (peak, len(text))
    assert count(sessions, Cohort) == 0


def test_a_large_mapped_sheet_with_few_problems_gets_exactly_the_cores_answer(client):
    rows = small_sheet(2 * CHUNK + 10).splitlines(keepends=True)
    rows[CHUNK + 5] = rows[1]  # the first person again, a chunk away: an id used twice
    rows[2 * CHUNK + 3] = rows[2 * CHUNK + 3].replace("A mentee", "Unsure")
    text = "".join(rows)
    with pytest.raises(InputError) as core:
        read_people(text.encode(), mapping=load_mapping(SMALL))
    problem = upload(client, text.encode(), SMALL).get_json()
    assert problem["total_errors"] == len(core.value.problems) == 2
    assert [e["line"] for e in problem["errors"]] == [p.line for p in core.value.problems]
    accepted = upload(client, small_sheet(2 * CHUNK + 10).encode(), SMALL)
    assert accepted.status_code == 201 and accepted.get_json()["mentees"] == 3007
