"""A run's pages: progress (polling the run row) and cancel; once it has succeeded, the
review (pairs, unmatched mentees, one mentee with alternates, pictures), decisions, the
re-solve, publishing and downloads."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for

from api import decisions
from api.db import transaction
from api.jobs.lifecycle import request_cancel
from api.operations import finished, owned
from api.results import mentee_result
from api.services import services
from api.tables import ACTIVE, Cohort, Run, RunStatus
from api.tables_web import Publication
from api.web import bp, charts, review
from api.web.auth import local_path
from api.web.files import KINDS, filename, run_file
from matcher.model import InputError


def _version(session, run: Run) -> Publication | None:
    return decisions.published_as(session, run)


@bp.route("/runs/<run_id>")
def run_page(run_id):
    """Progress while the run is queued or running; its review once it has succeeded."""
    args = request.args
    with services().sessions() as session:
        run = owned(session, Run, run_id)
        cohort = session.get(Cohort, run.cohort_id)
        if run.status != RunStatus.SUCCEEDED:
            return render_template("run_progress.html", run=run, cohort=cohort, active=ACTIVE)
        page = review.pairs_page(
            session,
            run,
            q=args.get("q", ""),
            show=args.get("show", "all"),
            sort=args.get("sort", "score"),
            page=args.get("page", 1, type=int),
        )
        context = _review_context(session, run)
    return render_template(
        "review.html", run=run, cohort=cohort, page=page, args=args, tab="pairs", **context
    )


def _review_context(session, run: Run) -> dict:
    moved = run.moves or []
    mentees = review.names(session, run.cohort_id, "mentee", (m["mentee_id"] for m in moved))
    return {
        "pending": decisions.pending(session, run.id),
        "version": _version(session, run),
        "resolved": decisions.re_solved_as(session, run),
        "moves": moved,
        "move_names": mentees,
        "sorts": review.SORT_WORDS,
        "shows": review.SHOW_WORDS,
        "actions": review.ACTION_WORDS,
        "metrics": run.metrics or {},
    }


@bp.route("/runs/<run_id>/status")
def run_status(run_id):
    """The progress panel alone, for polling; a finished run sends the browser to its page."""
    with services().sessions() as session:
        run = owned(session, Run, run_id)
        cohort = session.get(Cohort, run.cohort_id)
    page = render_template("run_status.html", run=run, cohort=cohort, active=ACTIVE)
    headers = {}
    if run.status not in ACTIVE and request.headers.get("HX-Request"):
        headers["HX-Redirect"] = url_for("web.run_page", run_id=run.id)
    return page, 200, headers


@bp.route("/runs/<run_id>/cancel", methods=["POST"])
def cancel(run_id):
    """Cancel a queued run at once, a running one at its next stage."""
    with transaction(services().sessions) as session:
        run = owned(session, Run, run_id)
        if run.status in ACTIVE:
            request_cancel(session, run)
    flash("Cancel requested." if run.status == RunStatus.RUNNING else f"The run is {run.status}.")
    return redirect(url_for("web.run_page", run_id=run_id), 303)


@bp.route("/runs/<run_id>/unmatched")
def unmatched(run_id):
    """Mentees left (partly) unmatched, and why."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        cohort = session.get(Cohort, run.cohort_id)
        page = review.unmatched_page(session, run, request.args.get("page", 1, type=int))
        context = _review_context(session, run)
    return render_template(
        "unmatched.html", run=run, cohort=cohort, page=page, tab="unmatched", **context
    )


@bp.route("/runs/<run_id>/programme")
def programme(run_id):
    """Pictures of the run: scores, mentors' loads, wanted-skill coverage, department mix."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        cohort = session.get(Cohort, run.cohort_id)
        seen = charts.paired(session, run)
        pictures = [
            charts.score_distribution(session, run),
            charts.mentor_load(session, run),
            charts.skill_coverage(seen),
        ]
        mix = charts.department_mix(seen)
        context = _review_context(session, run)
    return render_template(
        "programme.html",
        run=run,
        cohort=cohort,
        charts=pictures,
        mix=mix,
        tab="programme",
        **context,
    )


@bp.route("/runs/<run_id>/mentees/<path:mentee_id>")
def mentee(run_id, mentee_id):
    """One mentee: their pairs with the score breakdown, unfilled places and alternates."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        cohort = session.get(Cohort, run.cohort_id)
        found = mentee_result(session, run, mentee_id)
        mentors = {p["mentor_id"] for p in found["pairs"]} | {
            a.mentor_id for a in found["alternates"]
        }
        who = review.names(session, run.cohort_id, "mentor", mentors)
        name = review.names(session, run.cohort_id, "mentee", [mentee_id]).get(mentee_id, "")
        made = review.decisions(session, run.id)
    return render_template(
        "mentee.html",
        run=run,
        cohort=cohort,
        found=found,
        mentee_id=mentee_id,
        name=name,
        mentors=who,
        made=made,
        actions=review.ACTION_WORDS,
    )


@bp.route("/runs/<run_id>/decide", methods=["POST"])
def decide(run_id):
    """Approve, decline, pin, reassign or undo; back to the page it was made on."""
    form = request.form
    back = local_path(form.get("next"), url_for("web.run_page", run_id=run_id))
    with transaction(services().sessions) as session:
        run = finished(owned(session, Run, run_id))
        try:
            said, _ = decisions.decide(
                session,
                run,
                form.get("action", ""),
                form.get("mentee_id", ""),
                form.get("mentor_id", ""),
                form.get("to", ""),
                g.user_id,
            )
        except decisions.DecisionRefused as error:
            said = f"Not done: {error}."
    flash(said[0].upper() + said[1:])
    return redirect(back, 303)


@bp.route("/runs/<run_id>/add-place", methods=["POST"])
def add_place(run_id):
    """Give a mentor one more place for an unmatched mentee and re-solve at once (with
    every pending decision): the exact rematch that moves the fewest pairs."""
    form, settings = request.form, services().settings
    back = url_for("web.unmatched", run_id=run_id)
    try:
        with transaction(services().sessions) as session:
            run = finished(owned(session, Run, run_id))
            decisions.add_place(
                session, run, form.get("mentee_id", ""), form.get("mentor_id", ""), g.user_id
            )
            new = decisions.resolve(session, run, settings)
    except decisions.DecisionRefused as error:
        flash(f"Not done: {error}.")
        return redirect(back, 303)
    except InputError as error:
        flash("The place cannot be added: " + "; ".join(map(str, error.problems[:5])))
        return redirect(back, 303)
    services().hand_off([new.id])
    return redirect(url_for("web.run_page", run_id=new.id), 303)


@bp.route("/runs/<run_id>/resolve", methods=["POST"])
def resolve(run_id):
    """Re-solve with the draft's decisions: the exact rematch that moves the fewest pairs."""
    settings = services().settings
    try:
        with transaction(services().sessions) as session:
            run = finished(owned(session, Run, run_id))
            new = decisions.resolve(session, run, settings)
    except InputError as error:
        flash("The decisions cannot be applied: " + "; ".join(map(str, error.problems[:5])))
        return redirect(url_for("web.run_page", run_id=run_id), 303)
    if new is None:
        flash("There are no decisions to apply yet.")
        return redirect(url_for("web.run_page", run_id=run_id), 303)
    services().hand_off([new.id])
    return redirect(url_for("web.run_page", run_id=new.id), 303)


@bp.route("/runs/<run_id>/publish", methods=["POST"])
def publish(run_id):
    """Freeze this run's pairs as the cohort's next published version."""
    with transaction(services().sessions) as session:
        run = finished(owned(session, Run, run_id))
        try:
            said = f"Published as version {decisions.publish(session, run, g.user_id).version}."
        except decisions.PublishRefused as error:
            said = str(error)[0].upper() + str(error)[1:] + "."
    flash(said)
    return redirect(url_for("web.run_page", run_id=run_id), 303)


@bp.route("/runs/<run_id>/download/<kind>")
def download(run_id, kind):
    """The pairs CSV, the pairs workbook or the introductions CSV of a run."""
    if kind not in KINDS:
        return render_template("error.html", title="Not found", message="No such file."), 404
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        cohort = session.get(Cohort, run.cohort_id)
        version = _version(session, run)
        try:
            data = run_file(session, run, kind)
        except InputError as error:
            message = "; ".join(p.message for p in error.problems[:3])
            return render_template("error.html", title="No introductions", message=message), 422
    name = filename(cohort.name, version.version if version else None, run.id, kind)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, mimetype=KINDS[kind], headers=headers)
