"""The organization's cohorts: the list at ``/``, one cohort's page, and the policy step
that starts a run (the JSON API's own operations build the policy and queue the run)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from api import decisions
from api.db import transaction
from api.erasure import ERASED_TABLES
from api.history import with_accepted, with_history
from api.operations import build_policy, check_against_cohort, owned, start_run
from api.personal import scrub
from api.services import services
from api.tables import Cohort, Run
from api.tables_answers import ANSWER_KINDS
from api.tables_web import CohortImport, Publication, Upload
from api.web import bp, policy_form
from api.web.imports import PROGRAMS
from matcher.io.policy import policy_to_dict
from matcher.model import InputError


@bp.route("/")
def home():
    """The organization's cohorts, newest first, and uploads still waiting for a mapping."""
    with services().sessions() as session:
        mine = Cohort.organization_id == g.organization_id
        cohorts = session.scalars(select(Cohort).where(mine).order_by(Cohort.created_at.desc()))
        cohorts = list(cohorts)
        uploads = session.scalars(
            select(Upload)
            .where(Upload.organization_id == g.organization_id)
            .order_by(Upload.created_at.desc())
        ).all()
        published = {
            cohort_id: version
            for cohort_id, version in session.execute(
                select(Publication.cohort_id, Publication.version).where(
                    Publication.cohort_id.in_([c.id for c in cohorts])
                )
            )
        }
    return render_template("home.html", cohorts=cohorts, uploads=uploads, published=published)


@bp.route("/cohorts/<cohort_id>")
def cohort_page(cohort_id):
    """One cohort: how it was read, its runs (newest first) and published versions."""
    with services().sessions() as session:
        cohort = owned(session, Cohort, cohort_id)
        runs = session.scalars(
            select(Run)
            .where(Run.cohort_id == cohort.id, Run.scenario_id.is_(None))
            .where(Run.kind.not_in(ANSWER_KINDS))  # answer jobs are the API's, not runs
            .order_by(Run.created_at.desc())
        ).all()
        versions = session.scalars(
            select(Publication)
            .where(Publication.cohort_id == cohort.id)
            .order_by(Publication.version.desc())
        ).all()
        imported = session.get(CohortImport, cohort.id)
        emails = {p.id: p.user.email if p.user else "a removed user" for p in versions}
        draft = decisions.draft(session, cohort.id)
    return render_template(
        "cohort.html",
        draft=draft,
        cohort=cohort,
        runs=runs,
        versions=versions,
        emails=emails,
        imported=imported,
    )


def _policy_page(cohort, imported, data: dict, problems=(), status=200):
    questions = imported.questions if imported else []
    page = render_template(
        "policy.html",
        cohort=cohort,
        form=policy_form,
        programs=PROGRAMS,
        problems=[(p, None) for p in problems],
        labels=policy_form.LABELS,
        **policy_form.shown(data, questions),
    )
    return page, status


@bp.route("/cohorts/<cohort_id>/policy", methods=["GET"])
def policy_page(cohort_id):
    """The policy form, from the programme preset (``?program=`` switches it) or from the
    latest run's policy."""
    with services().sessions() as session:
        cohort = owned(session, Cohort, cohort_id)
        imported = session.get(CohortImport, cohort.id)
        latest = session.scalar(
            select(Run.policy)
            .where(Run.cohort_id == cohort.id, Run.kind == "match", Run.scenario_id.is_(None))
            .order_by(Run.created_at.desc())
            .limit(1)
        )
    program = request.args.get("program")
    program = program if program in PROGRAMS else (latest or {}).get("program", cohort.program)
    mapping = imported.mapping if imported else None
    return _policy_page(cohort, imported, policy_form.starting_data(program, latest, mapping))


@bp.route("/cohorts/<cohort_id>/policy", methods=["POST"])
def start_match(cohort_id):
    """Check the policy (every problem at once) and queue a run; its page shows progress."""
    settings = services().settings
    with services().sessions() as session:
        cohort = owned(session, Cohort, cohort_id)
        imported = session.get(CohortImport, cohort.id)
    data = policy_form.policy_data(request.form, imported.questions if imported else [])
    try:
        with transaction(services().sessions) as session:
            row = owned(session, Cohort, cohort_id)
            policy = build_policy(data, row.program, settings["MAX_SOLVER_SECONDS"])
            policy = with_history(session, row, policy, None)
            check_against_cohort(session, row.id, policy)
            policy = with_accepted(session, row, policy)
            run = start_run(session, row, policy_to_dict(policy), settings)
    except InputError as error:
        shown = policy_form.over_preset(data)
        return _policy_page(cohort, imported, shown, error.problems, 422)
    services().hand_off([run.id])
    return redirect(url_for("web.run_page", run_id=run.id), 303)


@bp.route("/cohorts/<cohort_id>/delete", methods=["POST"])
def delete_cohort(cohort_id):
    """Erase the cohort: its people, runs, decisions and published versions."""
    with transaction(services().sessions) as session:
        cohort = owned(session, Cohort, cohort_id)
        name = cohort.name
        session.delete(cohort)
    scrub(services().engine, ERASED_TABLES, full=True)
    flash(f"Cohort {name!r} and everything about it were deleted.")
    return redirect(url_for("web.home"), 303)
