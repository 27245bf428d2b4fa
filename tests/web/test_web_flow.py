"""The new-cohort flow and the review through the test client: upload, mapping pre-filled
from the core's suggestion, every problem in one table, templates, the policy step, runs,
decisions, the exact re-solve, publishing and downloads. The checker passes on every
result the flow produces."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from web_helpers import GOOGLE, SAMPLE, checked, location_id, page_form, run_queued

from api.tables import Cohort, Participant, Run
from api.tables_web import CohortImport, Decision, MappingTemplate, Publication, Upload


def mapped(ada, path=SAMPLE, content=None, edit=None):
    """Upload a sheet and send the mapping as the page suggests it (after ``edit``)."""
    response = ada.upload(path, content=content)
    assert response.status_code == 303, response.get_data(as_text=True)
    upload = location_id(response)
    page = ada.get(f"/imports/{upload}").get_data(as_text=True)
    form = page_form(page, "mapping")
    if edit:
        edit(form)
    return upload, ada.post(f"/imports/{upload}", form)


def matched(ada, app, path=SAMPLE, **policy):
    upload, response = mapped(ada, path)
    cohort = response.location.split("/")[-2]
    page = ada.get(f"/cohorts/{cohort}/policy").get_data(as_text=True)
    form = page_form(page, "policy")
    form.update(policy)
    started = ada.post(f"/cohorts/{cohort}/policy", form)
    assert started.status_code == 303, started.get_data(as_text=True)
    run = location_id(started)
    run_queued(app, run)
    return cohort, run


def test_an_upload_is_mapped_as_suggested_and_stored_with_names(ada, sessions):
    upload, response = mapped(ada)
    assert response.status_code == 303 and response.location.endswith("/policy")
    cohort_id = response.location.split("/")[-2]
    with sessions() as session:
        cohort = session.get(Cohort, cohort_id)
        assert (cohort.n_mentors, cohort.n_mentees) == (12, 28)
        names = session.scalars(select(Participant.name).where(Participant.cohort_id == cohort_id))
        assert "Priya Raman" in set(names)
        assert session.get(Upload, upload) is None  # the upload goes once the cohort is made
        assert session.get(CohortImport, cohort_id).understood[0] == "id: 40 people"
    page = ada.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "12 mentors, 28 mentees" in page and "skills: 47 distinct" in page


def test_the_mapping_page_shows_the_suggestion_for_a_forms_export(ada):
    response = ada.upload(GOOGLE)
    page = ada.get(response.location).get_data(as_text=True)
    form = page_form(page, "mapping")
    headers = re.findall(r'<fieldset id="col-(\d+)" class="column">\s*<legend>([^<]+)', page)
    by_header = {h: int(k) for k, h in headers}
    email = by_header["Email Address"]
    assert form[f"c{email}-feeds"] == "id" and form[f"c{email}-also"] == "email"
    role = by_header["Are you signing up as a mentor or a mentee?"]
    assert "A mentor = mentor" in form[f"c{role}-values"]
    hobbies = by_header["Hobbies and interests"]
    assert form[f"c{hobbies}-feeds"] == "attribute" and form[f"c{hobbies}-type"] == "multi-choice"
    assert form[f"c{hobbies}-separator"] == ", "
    assert form[f"c{by_header['Timestamp']}-feeds"] == "ignore"
    for k in by_header.values():  # every control of every column has its label
        for key in ("feeds", "also", "role", "separator", "attribute", "type", "values"):
            assert f'<label for="c{k}-{key}">' in page


def test_a_form_answer_nobody_mapped_is_one_row_of_the_table_and_fixed_in_the_mapping(
    ada, sessions
):
    sheet = GOOGLE.read_text(encoding="utf-8").replace(",3+,12,Data,", ",maybe,12,Data,", 1)
    upload, response = mapped(ada, GOOGLE, content=sheet.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>"
        r"\s*<td>(.*?)</td>",
        page,
        re.S,
    )
    assert len(rows) == 1
    source, line, column, value, message = rows[0]
    assert source == "google-signup.csv" and line == "2" and "maybe" in value
    assert "How many mentees can you take on?" in column and 'href="#col-' in column
    assert "name this answer in the column&#39;s values" in message
    form = page_form(page, "mapping")
    k = re.search(r'href="#col-(\d+)"', column)[1]
    form[f"c{k}-values"] = "maybe = 1"  # the fix: read "maybe" as 1
    fixed = ada.post(f"/imports/{upload}", form)
    assert fixed.status_code == 303, fixed.get_data(as_text=True)
    with sessions() as session:
        imported = session.scalars(select(CohortImport)).one()
    assert imported.mapping["columns"]["How many mentees can you take on?"]["values"] == {
        "maybe": 1
    }
    assert [q["attribute"] for q in imported.questions] == [
        "hobbies_interests",
        "preferred_meeting_format",
        "anything_else_know",
    ]


def test_a_bad_cell_is_fixed_by_uploading_the_corrected_sheet(ada, sessions):
    broken = SAMPLE.read_bytes().replace(b"M01,mentor,Priya Raman", b"M01,mentr,Priya Raman")
    upload, response = mapped(ada, content=broken)
    assert response.status_code == 422
    assert "mentr" in response.get_data(as_text=True)
    form = {"file": (io.BytesIO(SAMPLE.read_bytes()), "coaching-sample.csv")}
    again = ada.post(f"/imports/{upload}/file", form, content_type="multipart/form-data")
    assert again.status_code == 303
    page = ada.get(f"/imports/{upload}").get_data(as_text=True)
    assert "reads without problems" in page
    stored = ada.post(f"/imports/{upload}", page_form(page, "mapping"))
    assert stored.status_code == 303 and stored.location.endswith("/policy")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "choose a csv or excel file"),
        (b"\x00\x01\x02 not a sheet", "utf-8"),
        (b"PK\x03\x04 a broken workbook", "workbook"),
    ],
)
def test_bad_uploads_are_refused_with_what_to_do(ada, sessions, content, expected):
    response = ada.upload(SAMPLE, content=content)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True).lower()
    with sessions() as session:
        assert session.query(Upload).count() == 0


def test_a_bad_mapping_lists_every_problem_and_stores_nothing(ada, sessions):
    def no_id(form):
        form["c0-feeds"] = "ignore"  # the id column
        form["c5-feeds"] = "attribute"  # skills as a question without a name
        form["c5-attribute"] = ""

    upload, response = mapped(ada, edit=no_id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "no column feeds &#39;id&#39;" in page
    assert "expected an attribute name of 1 to 64 characters" in page
    with sessions() as session:
        assert session.query(Cohort).count() == 0 and session.get(Upload, upload) is not None


def test_a_mapping_saved_as_a_template_pre_fills_the_next_upload(ada, sessions):
    def rename(form):
        form["template_name"] = "sample layout"
        form["c10-feeds"] = "ignore"  # location: not used this season

    mapped(ada, edit=rename)
    with sessions() as session:
        template = session.scalars(select(MappingTemplate)).one()
    assert template.mapping["columns"]["location"] == {"ignore": True}
    response = ada.upload(SAMPLE)
    page = ada.get(f"{response.location}?template={template.id}").get_data(as_text=True)
    assert page_form(page, "mapping")["c10-feeds"] == "ignore"
    assert "sample layout" in page


def test_policy_problems_are_shown_with_the_settings_words(ada, app, sessions):
    upload, response = mapped(ada)
    cohort = response.location.split("/")[-2]
    form = page_form(ada.get(response.location).get_data(as_text=True), "policy")
    for key in ("skills", "goals", "seniority", "timezone", "language", "preference"):
        form[f"w-{key}"] = "0"
    form["seniority-min_gap"] = "-2"
    refused = ada.post(f"/cohorts/{cohort}/policy", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Mentor at least this many levels above the mentee" in page
    with sessions() as session:
        assert session.query(Run).count() == 0


def test_run_progress_then_review_with_names_bars_search_and_pages(ada, app, sessions):
    upload, response = mapped(ada)
    cohort = response.location.split("/")[-2]
    form = page_form(ada.get(response.location).get_data(as_text=True), "policy")
    run = location_id(ada.post(f"/cohorts/{cohort}/policy", form))
    progress = ada.get(f"/runs/{run}").get_data(as_text=True)
    assert "Waiting for a worker" in progress and 'hx-trigger="every 1s"' in progress
    polled = ada.get(f"/runs/{run}/status", headers={"HX-Request": "true"})
    assert "HX-Redirect" not in polled.headers
    run_queued(app, run)
    checked(sessions, run)
    polled = ada.get(f"/runs/{run}/status", headers={"HX-Request": "true"})
    assert polled.headers["HX-Redirect"] == f"/runs/{run}"
    page = ada.get(f"/runs/{run}").get_data(as_text=True)
    assert "27 pairs" in page and "Zoe Dubois" in page and "<meter" in page
    assert "27 of 29 places matched" in page and "certified optimal" in page
    found = ada.get(f"/runs/{run}?q=zoe").get_data(as_text=True)
    assert "1 pair matching" in found and "Zoe Dubois" in found
    low = ada.get(f"/runs/{run}?sort=-score&show=low").get_data(as_text=True)
    scores = [float(s) for s in re.findall(r'<td class="score">([\d.]+)', low)]
    assert scores == sorted(scores) and all(s < 0.5 for s in scores)
    paged = ada.get(f"/runs/{run}?page=2").get_data(as_text=True)
    assert "Page 1 of 1" in paged  # a page past the end shows the last one
    unmatched = ada.get(f"/runs/{run}/unmatched").get_data(as_text=True)
    assert "2 mentees with places left unfilled" in unmatched
    pictures = ada.get(f"/runs/{run}/programme").get_data(as_text=True)
    assert pictures.count("<svg") == 4 and "27 pairs; mean score" in pictures


def test_decline_re_solve_moves_only_who_must_and_keeps_the_rest(ada, app, sessions):
    cohort, run = matched(ada, app)
    page = ada.get(f"/runs/{run}").get_data(as_text=True)
    first = re.search(
        r'name="mentee_id" value="([^"]+)">\s*<input type="hidden" '
        r'name="mentor_id" value="([^"]+)"',
        page,
    )
    mentee, mentor = first.groups()
    here = f"/runs/{run}"
    declined = ada.post(
        f"/runs/{run}/decide",
        {"action": "decline", "mentee_id": mentee, "mentor_id": mentor, "next": here},
    )
    assert declined.status_code == 303 and declined.location == here
    assert "Re-solve with 1 decision" in ada.get(here).get_data(as_text=True)
    resolved = ada.post(f"/runs/{run}/resolve")
    new = location_id(resolved)
    run_queued(app, new)
    checked(sessions, new)
    with sessions() as session:
        before = dict(session.execute(select(Run.id, Run.kind).where(Run.id.in_([run, new]))).all())
        moves = session.get(Run, new).moves
        decision = session.scalars(select(Decision)).one()
    assert before[new] == "rematch" and decision.applied_run_id == new
    assert {m["mentee_id"] for m in moves if m["from_mentor"]} == {mentee}
    for move in moves:  # the declined mentee leaves; whoever takes the place is new
        assert move["mentee_id"] == mentee or move["from_mentor"] is None
    page = ada.get(f"/runs/{new}").get_data(as_text=True)
    assert f"Who moved in this re-solve ({len(moves)})" in page
    assert f"{mentee}</span>" in page and "forbidden pairs" in page
    old = ada.get(f"/runs/{run}").get_data(as_text=True)
    assert "Re-solved as" in old and "Re-solve with 0 decisions" in old


def test_pin_approve_reassign_and_undo(ada, app, sessions):
    cohort, run = matched(ada, app)
    with sessions() as session:
        from api.tables import AlternateRow, Assignment

        alternate = session.scalars(
            select(AlternateRow).where(AlternateRow.run_id == run).order_by(AlternateRow.id)
        ).first()
        current = session.scalars(
            select(Assignment).where(
                Assignment.run_id == run, Assignment.mentee_id == alternate.mentee_id
            )
        ).first()
        others = session.scalars(
            select(Assignment)
            .where(Assignment.run_id == run, Assignment.mentee_id != alternate.mentee_id)
            .order_by(Assignment.position)
        ).all()
    mentee_page = ada.get(f"/runs/{run}/mentees/{alternate.mentee_id}").get_data(as_text=True)
    assert "Other mentors for" in mentee_page and alternate.why_not[:20] in mentee_page
    ada.post(
        f"/runs/{run}/decide",
        {
            "action": "reassign",
            "mentee_id": current.mentee_id,
            "mentor_id": current.mentor_id,
            "to": alternate.mentor_id,
        },
    )
    ada.post(
        f"/runs/{run}/decide",
        {"action": "pin", "mentee_id": others[0].mentee_id, "mentor_id": others[0].mentor_id},
    )
    ada.post(
        f"/runs/{run}/decide",
        {"action": "approve", "mentee_id": others[1].mentee_id, "mentor_id": others[1].mentor_id},
    )
    ada.post(
        f"/runs/{run}/decide",
        {"action": "approve", "mentee_id": others[2].mentee_id, "mentor_id": others[2].mentor_id},
    )
    ada.post(
        f"/runs/{run}/decide",
        {"action": "undo", "mentee_id": others[2].mentee_id, "mentor_id": others[2].mentor_id},
    )
    refused = ada.post(
        f"/runs/{run}/decide",
        {"action": "reassign", "mentee_id": "E01", "mentor_id": "M01", "to": "M02"},
    )
    assert "Not done" in ada.get(refused.location).get_data(as_text=True)
    decided = ada.get(f"/runs/{run}?show=decided").get_data(as_text=True)
    assert "3 pairs" in decided and "reassigned" in decided and "pinned" in decided
    new = location_id(ada.post(f"/runs/{run}/resolve"))
    run_queued(app, new)
    checked(sessions, new)
    with sessions() as session:
        pairs = set(
            session.execute(
                select(Assignment.mentee_id, Assignment.mentor_id).where(Assignment.run_id == new)
            )
        )
        pinned = set(
            session.execute(
                select(Assignment.mentee_id, Assignment.mentor_id).where(
                    Assignment.run_id == new, Assignment.pinned.is_(True)
                )
            )
        )
    assert (current.mentee_id, alternate.mentor_id) in pinned
    assert (current.mentee_id, current.mentor_id) not in pairs
    assert {
        (others[0].mentee_id, others[0].mentor_id),
        (others[1].mentee_id, others[1].mentor_id),
    } <= pinned
    assert (others[2].mentee_id, others[2].mentor_id) not in pinned


def test_publish_freezes_versions_and_downloads_carry_names(ada, app, sessions):
    cohort, run = matched(ada, app)
    first = ada.post(f"/runs/{run}/publish")
    assert "Published as version 1" in ada.get(first.location).get_data(as_text=True)
    again = ada.post(f"/runs/{run}/publish")  # one run, one version: the page says so
    assert "already published as version 1" in ada.get(again.location).get_data(as_text=True)
    with sessions() as session:
        versions = session.scalars(select(Publication).order_by(Publication.version)).all()
    assert [v.version for v in versions] == [1] and versions[0].user_id is not None
    page = ada.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert "version 1" in page and "ada@example.org" in page
    csv = ada.get(f"/runs/{run}/download/pairs.csv")
    assert csv.mimetype == "text/csv"
    assert "spring-v1-pairs.csv" in csv.headers["Content-Disposition"]
    text = csv.get_data().decode("utf-8-sig")
    assert text.startswith("mentee_id,mentor_id,mentee_name,mentee_email,mentor_name")
    assert "Zoe Dubois" in text
    book = load_workbook(io.BytesIO(ada.get(f"/runs/{run}/download/pairs.xlsx").get_data()))
    assert book.sheetnames == ["Pairs", "Unmatched", "Summary"]
    assert book["Pairs"].max_row == 28
    intros = ada.get(f"/runs/{run}/download/intros.csv").get_data().decode("utf-8-sig")
    assert intros.splitlines()[0].startswith("mentee_name,mentee_email,mentor_name")
    assert len(intros.splitlines()) == 28
    assert ada.get(f"/runs/{run}/download/secrets.txt").status_code == 404


def test_deleting_a_cohort_erases_its_people_runs_and_versions(ada, app, sessions):
    cohort, run = matched(ada, app)
    ada.post(f"/runs/{run}/publish")
    response = ada.post(f"/cohorts/{cohort}/delete", {"confirm": "on"})
    assert response.status_code == 303
    with sessions() as session:
        for model in (Cohort, Participant, Run, Publication, CohortImport):
            assert session.query(model).count() == 0
