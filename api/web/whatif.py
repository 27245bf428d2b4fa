"""The what-if page: variants of a cohort's draft, run as one scenario through the JSON
API's own operations (:func:`api.whatif.plan_scenario`, :func:`api.whatif.queue_scenario`,
the same executor), compared side by side in a table and a chart, and one promoted to the
draft (:func:`api.decisions.promote`, as ``POST /api/v1/scenarios/{id}/promote`` does)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from api import decisions
from api.db import transaction
from api.errors import ApiProblem
from api.operations import owned
from api.services import services
from api.store import solved_inputs
from api.tables import ACTIVE, Cohort, Scenario
from api.web import bp, whatif_form
from api.web.charts import Bar, Chart
from api.whatif import (
    plan_scenario,
    queue_scenario,
    scenario_runs,
    scenario_status,
    settle_comparison,
)
from matcher.io.policy import policy_to_dict
from matcher.model import InputError, Problem


def _page(cohort_id: str, form=None, problems=(), status=200):
    with services().sessions() as session:
        cohort = owned(session, Cohort, cohort_id)
        draft = decisions.draft(session, cohort.id)
        listed = session.scalars(
            select(Scenario)
            .where(Scenario.cohort_id == cohort.id)
            .order_by(Scenario.created_at.desc())
            .limit(20)
        ).all()
        scenarios = [(s, scenario_status(scenario_runs(session, s))) for s in listed]
    page = render_template(
        "whatif.html",
        cohort=cohort,
        draft=draft,
        scenarios=scenarios,
        form=form or {},
        problems=[(p, None) for p in problems],
        rows=range(whatif_form.ROWS),
        sweeps=whatif_form.SWEEPS,
        switches=whatif_form.SWITCHES,
        rule_choices=whatif_form.RULE_CHOICES,
    )
    return page, status


@bp.route("/cohorts/<cohort_id>/whatif", methods=["GET"])
def whatif_page(cohort_id):
    """The variants form over the draft, and the cohort's earlier comparisons."""
    return _page(cohort_id)


@bp.route("/cohorts/<cohort_id>/whatif", methods=["POST"])
def start_whatif(cohort_id):
    """Check every variant (every problem at once), then queue the baseline and each."""
    settings = services().settings
    with services().sessions() as session:
        cohort = owned(session, Cohort, cohort_id)
        draft = decisions.draft(session, cohort.id)
        if draft is None:
            flash("Run a match first: variants change the draft.")
            return redirect(url_for("web.whatif_page", cohort_id=cohort_id), 303)
        policy = policy_to_dict(solved_inputs(session, draft)[1])
    data, problems = whatif_form.scenario_request(request.form, policy)
    if problems:
        return _page(cohort_id, request.form, problems, 422)
    try:
        with services().sessions() as session:
            plan = plan_scenario(session, owned(session, Cohort, cohort_id), data, settings)
        with transaction(services().sessions) as session:
            cohort = owned(session, Cohort, cohort_id)
            scenario, runs = queue_scenario(session, cohort, plan, settings)
    except InputError as error:
        return _page(cohort_id, request.form, error.problems, 422)
    except ApiProblem as error:  # too many variants, or too many runs at once
        said = Problem(f"not started: {error.description}", column="variants", source="server")
        return _page(cohort_id, request.form, [said], error.code)
    services().hand_off([run.id for run in runs])
    return redirect(url_for("web.scenario_page", scenario_id=scenario.id), 303)


def _charts(table: list[dict]) -> list[Chart]:
    """Matched places and total score of each run, against the varied value."""
    labels = []
    for row in table:
        params = row.get("params") or {}
        labels.append(", ".join(str(v) for v in params.values()) if params else row["name"])
    keys = sorted({k for row in table for k in (row.get("params") or {})})
    x_label = ", ".join(keys) if keys else "variant"
    rows = list(zip(labels, table, strict=True))
    matched = tuple(Bar(label, row["matched_places"]) for label, row in rows)
    score = tuple(Bar(label, round(row["total_score"], 2)) for label, row in rows)
    best = max(table, key=lambda row: (row["matched_places"], row["total_score"]))
    return [
        Chart(
            "Matched places",
            x_label,
            "places",
            matched,
            f"most places matched: {best['matched_places']} ({best['name']})",
        ),
        Chart(
            "Total score",
            x_label,
            "score",
            score,
            f"highest total score: {max(row['total_score'] for row in table):.2f}",
        ),
    ]


@bp.route("/scenarios/<scenario_id>")
def scenario_page(scenario_id):
    """Progress while variants run; then the table, the chart and the promote buttons."""
    with services().sessions() as session:
        scenario = owned(session, Scenario, scenario_id)
        status = scenario_status(scenario_runs(session, scenario))
    comparison = None
    if status == "succeeded":
        comparison = settle_comparison(services().sessions, scenario_id)
    with services().sessions() as session:
        scenario = owned(session, Scenario, scenario_id)
        cohort = session.get(Cohort, scenario.cohort_id)
        runs = scenario_runs(session, scenario)
        draft = decisions.draft(session, cohort.id)
    table = comparison["table"] if comparison else []
    by_name = {run.variant: run for run in runs}
    return render_template(
        "scenario.html",
        scenario=scenario,
        cohort=cohort,
        runs=runs,
        status=scenario_status(runs),
        active=ACTIVE,
        table=table,
        by_name=by_name,
        comparisons={c["name"]: c for c in (comparison or {}).get("comparisons", [])},
        charts=_charts(table) if table else [],
        draft=draft,
    )


@bp.route("/scenarios/<scenario_id>/status")
def scenario_progress(scenario_id):
    """The runs' progress alone, for polling; once all have finished, the whole page."""
    with services().sessions() as session:
        scenario = owned(session, Scenario, scenario_id)
        runs = scenario_runs(session, scenario)
    status = scenario_status(runs)
    page = render_template("_scenario_runs.html", scenario=scenario, runs=runs, status=status)
    headers = {}
    if status in ("succeeded", "failed") and request.headers.get("HX-Request"):
        headers["HX-Redirect"] = url_for("web.scenario_page", scenario_id=scenario_id)
    return page, 200, headers


@bp.route("/scenarios/<scenario_id>/promote", methods=["POST"])
def promote(scenario_id):
    """Make one variant's run the cohort's draft; its review page follows."""
    variant = request.form.get("variant", "")
    with transaction(services().sessions) as session:
        scenario = owned(session, Scenario, scenario_id)
        try:
            run = decisions.promote(session, scenario, variant, g.user_id)
        except decisions.DecisionRefused as error:
            flash(f"Not promoted: {error}.")
            return redirect(url_for("web.scenario_page", scenario_id=scenario_id), 303)
    flash(f"Variant {variant!r} is the draft now: review, decide and publish it here.")
    return redirect(url_for("web.run_page", run_id=run.id), 303)
