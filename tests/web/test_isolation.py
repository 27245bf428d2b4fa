"""A coordinator sees only their organization: another organization's upload, cohort,
run or template is a 404 page on every route with an id, by every method, and nothing
about it changes. ``ROUTES`` must list every such page route: a test checks the app."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_web_flow import mapped, matched

from api.tables import Cohort, Run, Scenario
from api.tables_web import Decision, MappingTemplate, Promotion, Publication, Upload, User

ROUTES = [
    ("GET", "/imports/<upload_id>"),
    ("POST", "/imports/<upload_id>"),
    ("POST", "/imports/<upload_id>/file"),
    ("POST", "/imports/<upload_id>/discard"),
    ("GET", "/cohorts/<cohort_id>"),
    ("GET", "/cohorts/<cohort_id>/policy"),
    ("POST", "/cohorts/<cohort_id>/policy"),
    ("POST", "/cohorts/<cohort_id>/delete"),
    ("GET", "/runs/<run_id>"),
    ("GET", "/runs/<run_id>/status"),
    ("POST", "/runs/<run_id>/cancel"),
    ("GET", "/runs/<run_id>/unmatched"),
    ("GET", "/runs/<run_id>/programme"),
    ("GET", "/runs/<run_id>/mentees/<path:mentee_id>"),
    ("POST", "/runs/<run_id>/decide"),
    ("POST", "/runs/<run_id>/resolve"),
    ("POST", "/runs/<run_id>/publish"),
    ("GET", "/runs/<run_id>/download/<kind>"),
    ("POST", "/runs/<run_id>/add-place"),
    ("GET", "/cohorts/<cohort_id>/whatif"),
    ("POST", "/cohorts/<cohort_id>/whatif"),
    ("GET", "/scenarios/<scenario_id>"),
    ("GET", "/scenarios/<scenario_id>/status"),
    ("POST", "/scenarios/<scenario_id>/promote"),
    ("POST", "/team/<int:user_id>/revoke"),
]
PUBLIC = {("GET", "/welcome/<token>"), ("POST", "/welcome/<token>")}  # the token is the key


def test_routes_list_every_page_route_with_an_id(app):
    with_ids = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<" in rule.rule and rule.endpoint.startswith("web.") and rule.endpoint != "web.static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert with_ids == set(ROUTES) | PUBLIC


def state(sessions):
    with sessions() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (
                Upload,
                Cohort,
                Run,
                Decision,
                Publication,
                MappingTemplate,
                Scenario,
                Promotion,
                User,
            )
        ]
        runs = session.execute(select(Run.id, Run.status, Run.cancel_requested)).all()
    return counts, sorted(runs)


@pytest.fixture
def acme(ada, app, sessions):
    """An upload waiting, a cohort with a succeeded run and a queued one, a what-if
    comparison (queued), a template."""
    cohort, run = matched(ada, app)
    page = ada.get(f"/cohorts/{cohort}/policy").get_data(as_text=True)
    from web_helpers import location_id, page_form

    queued = location_id(ada.post(f"/cohorts/{cohort}/policy", page_form(page, "policy")))
    ada.get(f"/cohorts/{cohort}/whatif")
    variant = {"v0-name": "one each", "v0-capacity_all": "1"}
    scenario = location_id(ada.post(f"/cohorts/{cohort}/whatif", variant))
    upload, _ = mapped(ada, edit=lambda form: form.update({"c0-feeds": "ignore"}))
    ada.post("/team/invite", {"email": "bob@example.org"})
    with sessions() as session:
        mentee = session.scalar(select(Decision.mentee_id)) or "E15"
        invited = session.scalar(select(User.id).where(User.email == "bob@example.org"))
    return {
        "upload_id": upload,
        "cohort_id": cohort,
        "run_id": run,
        "queued": queued,
        "mentee_id": mentee,
        "kind": "pairs.csv",
        "scenario_id": scenario,
        "int:user_id": str(invited),
    }


def test_another_organizations_objects_are_404s_and_unchanged(acme, eve, sessions):
    before = state(sessions)
    data = {
        "action": "decline",
        "mentee_id": "E15",
        "mentor_id": "M09",
        "confirm": "on",
        "variant": "baseline",
        "v0-capacity_all": "2",
    }
    for method, rule in ROUTES:
        path = rule.replace("<path:mentee_id>", "E15")
        for name, value in acme.items():
            path = path.replace(f"<{name}>", value)
        paths = [path]
        if "/runs/<run_id>" in rule and method == "POST":  # the queued run too
            paths.append(path.replace(acme["run_id"], acme["queued"]))
        for path in paths:
            response = eve.get(path) if method == "GET" else eve.post(path, data)
            assert response.status_code == 404, (path, response.status_code)
            assert "belongs to another organization" in response.get_data(as_text=True)
    assert state(sessions) == before


def test_the_other_organization_lists_nothing_and_cannot_use_a_template(acme, ada, eve, sessions):
    home = eve.get("/").get_data(as_text=True)
    assert "No cohorts yet" in home and "spring" not in home
    mine = ada.get("/").get_data(as_text=True)
    assert "spring" in mine
    ada.post(f"/imports/{acme['upload_id']}", {"template_name": "acme layout"})
    with sessions() as session:
        template = session.scalars(select(MappingTemplate)).one()
    response = eve.upload(__import__("web_helpers").SAMPLE)
    page = eve.get(f"{response.location}?template={template.id}")
    assert page.status_code == 404
