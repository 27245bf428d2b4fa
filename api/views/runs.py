"""Runs: start one on a cohort (202 + Location), list a cohort's, read one, cancel it, read
its results."""

from __future__ import annotations

from flask import Response, request, url_for
from sqlalchemy import select

from api import scenario_schemas, schemas
from api.cohort_input import json_body
from api.db import transaction
from api.errors import ApiProblem
from api.history import history_section, with_accepted, with_history
from api.idempotency import idempotent
from api.mappings import with_cohort_rules
from api.operations import (
    build_policy,
    check_against_cohort,
    finished,
    owned,
    present_run,
    start_run,
    start_runs,
)
from api.pagination import paginate
from api.policy_schemas import PolicyIn
from api.results import assignments_csv, mentee_result, pair_body, pairs_of, unmatched_of
from api.services import services
from api.tables import Cohort, Run, RunStatus
from api.tables_answers import ANSWER_KINDS
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected
from api.whatif import plan_rematch
from matcher.io.policy import policy_to_dict

blp = protected(Blueprint("runs", __name__, url_prefix="/api/v1"))
PAIRS_OR_CSV = {
    "description": "A page of pairs, or with Accept: text/csv the whole result as CSV",
    "content": {
        "application/json": {"schema": schemas.AssignmentPage},
        "text/csv": {"schema": {"type": "string"}},
    },
}


@blp.route("/cohorts/<cohort_id>/runs", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(PolicyIn)
@blp.response(202, schemas.RunOut, headers={"Location": {"schema": {"type": "string"}}})
@problems(blp, 400, 401, 404, 409, 415, 429)
def start(_, cohort_id):
    """Queue a match of the cohort under a policy (preset name, weights, rules, solver).

    A cohort uploaded with a mapping adds the question rules the mapping declares (the
    body's ``attributes`` win). ``history.runs`` names earlier runs whose pairs are avoided
    or preferred (``history.mode``); without a ``history`` section the cohort's settings
    apply. Accepted mentor requests are pinned. The run's ``policy`` shows every rule and
    pair it used.
    """
    settings = services().settings
    with transaction(services().sessions) as session:
        cohort = owned(session, Cohort, cohort_id)
        body, history_runs = history_section(json_body())
        policy = build_policy(body, cohort.program, settings["MAX_SOLVER_SECONDS"])
        policy = with_cohort_rules(session, cohort.id, policy)
        policy = with_history(session, cohort, policy, history_runs)
        check_against_cohort(session, cohort.id, policy)
        policy = with_accepted(session, cohort, policy)
        run = start_run(session, cohort, policy_to_dict(policy), settings)
    services().hand_off([run.id])
    return present_run(run), 202, {"Location": url_for("runs.get_run", run_id=run.id)}


@blp.route("/cohorts/<cohort_id>/runs", methods=["GET"])
@blp.arguments(schemas.RunListArgs, location="query")
@blp.response(200, schemas.RunPage)
@problems(blp, 401, 404)
def list_runs(args, cohort_id):
    """The cohort's runs, newest first; ``status`` and ``kind`` filter (repeatable).
    Answer jobs (prices, alternatives, attrition) are not runs of the cohort: each is
    read at its own ``/answer-jobs/{id}``."""
    mine = select(Run).where(Run.cohort_id == cohort_id, Run.kind.not_in(ANSWER_KINDS))
    if args.get("status"):
        mine = mine.where(Run.status.in_(args["status"]))
    if args.get("kind"):
        mine = mine.where(Run.kind.in_(args["kind"]))
    with services().sessions() as session:
        owned(session, Cohort, cohort_id)
        body, headers = paginate(session, mine.order_by(Run.created_at.desc(), Run.id), args)
        body["items"] = [present_run(run) for run in body["items"]]
    return body, headers


@blp.route("/runs/<run_id>/rematch", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(scenario_schemas.RematchIn)
@blp.response(202, schemas.RunOut, headers={"Location": {"schema": {"type": "string"}}})
@problems(blp, 400, 401, 404, 409, 415, 429)
def rematch(_, run_id):
    """Queue a rematch of a succeeded run after changes, keeping as many pairs as possible.

    The new run solves what the run solved with the changes applied; once it succeeds,
    its ``moves`` say who moved from which mentor to which, and why.
    """
    settings = services().settings
    with services().sessions() as session:
        previous = finished(owned(session, Run, run_id))
        columns = plan_rematch(session, previous, json_body(), settings["MAX_SOLVER_SECONDS"])
    with transaction(services().sessions) as session:
        cohort = owned(session, Run, run_id).cohort
        run = start_runs(session, cohort, [columns], settings)[0]
    services().hand_off([run.id])
    return present_run(run), 202, {"Location": url_for("runs.get_run", run_id=run.id)}


@blp.route("/runs/<run_id>", methods=["GET"])
@blp.response(200, schemas.RunOut)
@problems(blp, 401, 404)
def get_run(run_id):
    """Status, attempt, timestamps, solver status, objective, bound, gap, metrics, error."""
    with services().sessions() as session:
        return present_run(owned(session, Run, run_id))


@blp.route("/runs/<run_id>/cancel", methods=["POST"])
@blp.response(200, schemas.RunOut, description="Cancelled (it had not started, or already was)")
@blp.alt_response(202, schema=schemas.RunOut, description="Cancel requested", success=True)
@problems(blp, 401, 404, 409)
def cancel_run(run_id):
    """Cancel a run: a queued run at once, a running one at its next stage."""
    with transaction(services().sessions) as session:
        run = owned(session, Run, run_id)
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            finished_already(run)
        from api.jobs.lifecycle import request_cancel

        request_cancel(session, run)
        code = 202 if run.status == RunStatus.RUNNING else 200
        return present_run(run), code


def finished_already(run: Run):
    raise ApiProblem(
        409,
        "run already finished",
        f"run {run.id} has {run.status}; there is nothing to cancel",
        kind="run-finished",
        run_status=run.status,
    )


@blp.route("/runs/<run_id>/assignments", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.AssignmentPage)
@blp.doc(responses={"200": PAIRS_OR_CSV})
@problems(blp, 401, 404, 406, 409)
def list_assignments(args, run_id):
    """The pairs (JSON, paginated) or, with Accept: text/csv, the Excel-safe CSV file."""
    kind = wanted_type()
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        if kind == "text/csv":
            return csv_response(run.id, assignments_csv(session, run))
        if kind is None:
            raise ApiProblem(406, "not acceptable", "ask for application/json or text/csv")
        body, headers = paginate(session, pairs_of(run.id), args)
    body["items"] = [pair_body(row) for row in body["items"]]
    return body, headers


def wanted_type() -> str | None:
    """JSON unless the Accept header prefers CSV; None when it accepts neither."""
    if not request.accept_mimetypes:
        return "application/json"
    return request.accept_mimetypes.best_match(["application/json", "text/csv"])


def csv_response(run_id: str, data: bytes) -> Response:
    disposition = f'attachment; filename="{run_id}-assignments.csv"'
    headers = {"Content-Disposition": disposition}
    return Response(data, mimetype="text/csv", headers=headers)


@blp.route("/runs/<run_id>/assignments/<path:mentee_id>", methods=["GET"])
@blp.response(200, schemas.MenteeResultOut)
@problems(blp, 401, 404, 409)
def get_assignment(run_id, mentee_id):
    """One mentee: pairs with score breakdown and explanation, unfilled places, alternates."""
    with services().sessions() as session:
        return mentee_result(session, finished(owned(session, Run, run_id)), mentee_id)


@blp.route("/runs/<run_id>/unmatched", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.UnmatchedPage)
@problems(blp, 401, 404, 409)
def list_unmatched(args, run_id):
    """Mentees with wanted places left unfilled, and why."""
    with services().sessions() as session:
        finished(owned(session, Run, run_id))
        return paginate(session, unmatched_of(run_id), args)
