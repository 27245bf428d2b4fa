"""The what-if page through the test client: variants of the draft (a sweep and listed
change sets) queued as one scenario by the JSON API's operations, run by the workers'
code, compared in a table and a chart, and one promoted to the draft, which the JSON API's
draft then returns and decisions start from. Problems of the form and of the core come
back together, and nothing is stored."""

from __future__ import annotations

import re

from sqlalchemy import select
from test_web_flow import matched
from web_helpers import checked, location_id, run_queued

from api.decisions import draft
from api.store import solved_inputs
from api.tables import Assignment, Run, Scenario
from api.tables_web import Promotion


def _run_all(app, sessions, scenario_id):
    with sessions() as session:
        ids = session.scalars(select(Run.id).where(Run.scenario_id == scenario_id)).all()
    for run_id in ids:
        run_queued(app, run_id)
        checked(sessions, run_id)
    return ids


def test_variants_are_compared_side_by_side_and_one_becomes_the_draft(ada, app, sessions):
    cohort, run = matched(ada, app)
    page = ada.get(f"/cohorts/{cohort}/whatif").get_data(as_text=True)
    assert f'the policy of the draft <a href="/runs/{run}">' in page
    for box in ("vary-key", "vary-values", "v0-name", "v0-mentors", "v2-json"):
        assert f'<label for="{box}">' in page
    form = {
        "vary-key": "capacity.all",
        "vary-values": "1, 2",
        "v0-name": "no goals",
        "v0-weights": "goals=0",
        "v0-rule-honour_exclude": "off",
    }
    started = ada.post(f"/cohorts/{cohort}/whatif", form)
    assert started.status_code == 303, started.get_data(as_text=True)
    scenario = location_id(started)
    waiting = ada.get(f"/scenarios/{scenario}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and "queued" in waiting
    polled = ada.get(f"/scenarios/{scenario}/status", headers={"HX-Request": "true"})
    assert "HX-Redirect" not in polled.headers
    assert len(_run_all(app, sessions, scenario)) == 4  # baseline, no goals, two of the sweep
    polled = ada.get(f"/scenarios/{scenario}/status", headers={"HX-Request": "true"})
    assert polled.headers["HX-Redirect"] == f"/scenarios/{scenario}"
    with sessions() as session:
        spec = session.get(Scenario, scenario).spec
        runs = {
            r.variant: r for r in session.scalars(select(Run).where(Run.scenario_id == scenario))
        }
    assert spec["request"]["scenarios"][0]["policy"] == {
        "weights": {"goals": 0.0},
        "rules": {"honour_exclude": False},
    }
    assert [v["params"] for v in spec["variants"][1:]] == [
        [["capacity.all", 1]],
        [["capacity.all", 2]],
    ]
    page = ada.get(f"/scenarios/{scenario}").get_data(as_text=True)
    rows = re.findall(
        r'<th scope="row"><a href="/runs/(run_\w+)">([^<]+)</a></th>\s*<td>([^<]*)</td>'
        r"\s*<td>(\d+) of (\d+)</td>",
        page,
    )
    assert [name for _, name, *_ in rows][:2] == ["baseline", "no goals"]
    for run_id, name, _, matched_places, _ in rows:
        assert runs[name].id == run_id
        assert int(matched_places) == runs[name].metrics["matched_places"]
    one_each = next(r for r in rows if r[2] == "capacity.all = 1")
    assert int(one_each[3]) == 12  # twelve mentors with one place each
    assert page.count("<svg") == 2 and "Matched places" in page and "Total score" in page
    assert 'aria-label="Make no goals the draft"' in page
    promoted = ada.post(f"/scenarios/{scenario}/promote", {"variant": "no goals"})
    assert promoted.location == f"/runs/{runs['no goals'].id}"
    assert "is the draft now" in ada.get(promoted.location).get_data(as_text=True)
    with sessions() as session:
        assert draft(session, cohort).id == runs["no goals"].id
        assert session.scalars(select(Promotion)).one().user_id is not None
    cohort_page = ada.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert "a promoted what-if variant, “no goals”" in cohort_page
    assert "the draft</span>" in ada.get(f"/scenarios/{scenario}").get_data(as_text=True)


def test_a_promoted_variant_is_decided_on_and_re_solved_as_the_draft(ada, app, sessions):
    cohort, run = matched(ada, app)
    started = ada.post(f"/cohorts/{cohort}/whatif", {"v0-name": "two each", "v0-capacity_all": "2"})
    scenario = location_id(started)
    _run_all(app, sessions, scenario)
    ada.post(f"/scenarios/{scenario}/promote", {"variant": "two each"})
    with sessions() as session:
        promoted = draft(session, cohort)
        first = session.scalars(
            select(Assignment).where(Assignment.run_id == promoted.id).order_by(Assignment.position)
        ).first()
    here = f"/runs/{promoted.id}"
    ada.post(
        f"{here}/decide",
        {"action": "decline", "mentee_id": first.mentee_id, "mentor_id": first.mentor_id},
    )
    new = location_id(ada.post(f"{here}/resolve"))
    run_queued(app, new)
    checked(sessions, new)
    with sessions() as session:
        resolved = session.get(Run, new)
        assert draft(session, cohort).id == new  # a later re-solve supersedes the promotion
        people, _ = solved_inputs(session, resolved)
    assert all(m.capacity == 2 for m in people.mentors)  # the variant's change carried over
    assert {m["mentee_id"] for m in resolved.moves if m["from_mentor"]} == {first.mentee_id}


def test_problems_of_the_form_and_of_the_core_are_listed_and_nothing_is_stored(ada, app, sessions):
    cohort, run = matched(ada, app)
    form = {
        "v0-name": "odd",
        "v0-mentors": "M01=three, M99=2",
        "v0-json": "[1, 2]",
        "vary-key": "capacity.all",
    }
    refused = ada.post(f"/cohorts/{cohort}/whatif", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "expected KEY=a whole number, e.g. M01=3" in page and "M01=three" in page
    assert "expected a JSON object" in page and "Vary: values" in page
    assert 'value="M01=three, M99=2"' in page  # the form keeps what was typed
    form = {"v0-name": "ghost", "v0-mentors": "M99=2", "v1-name": "minus", "v1-capacity_all": "-1"}
    refused = ada.post(f"/cohorts/{cohort}/whatif", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "scenarios[0].capacity.mentors" in page and "M99" in page
    assert "scenarios[1].capacity.all" in page
    empty = ada.post(f"/cohorts/{cohort}/whatif", {})
    assert "describe at least one variant" in empty.get_data(as_text=True)
    sweep = {"vary-key": "capacity.all", "vary-values": "1, 2, 3, 4"}
    large = ada.post(f"/cohorts/{cohort}/whatif", sweep)  # 5 runs; 4 may be active at once
    assert large.status_code == 422
    said = large.get_data(as_text=True)
    assert "not started: the request makes 4 variants, so 5 runs with the baseline" in said
    assert 'value="1, 2, 3, 4"' in said
    with sessions() as session:
        assert session.query(Scenario).count() == 0
        assert session.query(Run).count() == 1


def test_people_added_and_removed_in_a_variant(ada, app, sessions):
    cohort, run = matched(ada, app)
    form = {
        "v0-name": "newcomer",
        "v0-remove_mentors": "M03",
        "v0-remove_mentees": "E12, E13",
        "v0-mentors": "M01=4",
        "v0-json": (
            '{"add": [{"id": "E99", "role": "mentee", "seniority": 2, "skills": "Python"}]}'
        ),
    }
    started = ada.post(f"/cohorts/{cohort}/whatif", form)
    assert started.status_code == 303, started.get_data(as_text=True)
    scenario = location_id(started)
    _run_all(app, sessions, scenario)
    with sessions() as session:
        variant = session.scalar(
            select(Run).where(Run.scenario_id == scenario, Run.variant == "newcomer")
        )
        people, _ = solved_inputs(session, variant)
    assert "E99" in people.mentee_ids and {"E12", "E13"}.isdisjoint(people.mentee_ids)
    assert "M03" not in people.mentor_ids
    assert next(m.capacity for m in people.mentors if m.id == "M01") == 4
    page = ada.get(f"/scenarios/{scenario}").get_data(as_text=True)
    assert "Who changes in newcomer" in page and "E99" in page
