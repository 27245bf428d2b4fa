"""The review workflow for HR systems: a cohort's draft and published versions, decisions
on a run's pairs (make, list, undo), the re-solve that applies them and publishing. The
operations are the review page's own (:mod:`api.decisions`)."""

from __future__ import annotations

from flask import url_for

from api import decision_schemas as schemas
from api import decisions
from api.db import transaction
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.operations import finished, owned, present_run
from api.schemas import RunOut
from api.services import services
from api.tables import Cohort, Run, RunStatus
from api.tables_web import Decision, Publication
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected

blp = protected(Blueprint("decisions", __name__, url_prefix="/api/v1"))
LOCATION = {"Location": {"schema": {"type": "string"}}}


def refused(error: ValueError, kind: str) -> ApiProblem:
    return ApiProblem(422, kind.replace("-", " "), str(error), kind=kind)


def present_decision(row: Decision, said: str | None = None) -> dict:
    keys = ("id", "run_id", "cohort_id", "action", "mentee_id", "mentor_id", "from_mentor_id")
    body = {key: getattr(row, key) for key in (*keys, "created_at", "applied_run_id")}
    return {**body, "said": said} if said else body


def present_version(row: Publication) -> dict:
    body = {k: getattr(row, k) for k in ("cohort_id", "run_id", "version", "published_at")}
    return {**body, "published_by": row.user.email if row.user else None}


@blp.route("/cohorts/<cohort_id>/draft", methods=["GET"])
@blp.response(200, schemas.DraftOut)
@problems(blp, 401, 404)
def get_draft(cohort_id):
    """The draft, its decisions and the versions.

    The draft is the latest succeeded run outside scenarios, or the run of the what-if
    variant promoted after it (``POST /scenarios/{id}/promote``).
    """
    with services().sessions() as session:
        owned(session, Cohort, cohort_id)
        run = decisions.draft(session, cohort_id)
        made = decisions.made_on(session, run.id) if run else []
        pending = len(decisions.pending(session, run.id)) if run else 0
        mine = decisions.published_as(session, run) if run else None
        versions = [present_version(v) for v in decisions.versions(session, cohort_id)]
        return {
            "cohort_id": cohort_id,
            "run": present_run(run) if run else None,
            "decisions": [present_decision(d) for d in made],
            "pending": pending,
            "published": present_version(mine) if mine else None,
            "versions": versions,
        }


@blp.route("/runs/<run_id>/decisions", methods=["POST"])
@json_only
@blp.arguments(schemas.DecisionIn, example=schemas.DECISION_IN_EXAMPLE)
@blp.response(201, schemas.DecisionOut, headers=LOCATION, example=schemas.DECISION_EXAMPLE)
@problems(blp, 400, 401, 404, 409, 415, 422)
def decide(data, run_id):
    """Approve, decline, pin or reassign a pair of the run; replaces an earlier decision on
    it. 422 when the pair is not in the run or the new mentor is not an alternate."""
    with transaction(services().sessions) as session:
        run = finished(owned(session, Run, run_id))
        args = (data["action"], data["mentee_id"], data["mentor_id"], data.get("to_mentor_id"))
        try:
            said, row = decisions.decide(session, run, *args, None)
        except decisions.DecisionRefused as error:
            raise refused(error, "decision-refused") from None
        where = url_for("decisions.list_decisions", run_id=run_id)
        return present_decision(row, said), 201, {"Location": where}


@blp.route("/runs/<run_id>/decisions", methods=["GET"])
@blp.response(200, schemas.DecisionList)
@problems(blp, 401, 404, 409)
def list_decisions(run_id):
    """Every decision made on the run, oldest first; ``applied_run_id`` null: pending."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        return {"items": [present_decision(d) for d in decisions.made_on(session, run.id)]}


@blp.route("/runs/<run_id>/decisions/<int:decision_id>", methods=["DELETE"])
@blp.response(204)
@problems(blp, 401, 404, 409, 422)
def undo_decision(run_id, decision_id):
    """Undo a decision a re-solve has not applied yet."""
    with transaction(services().sessions) as session:
        run = finished(owned(session, Run, run_id))
        try:
            found = decisions.undo(session, run, decision_id)
        except decisions.DecisionRefused as error:
            raise refused(error, "decision-applied") from None
        if not found:
            raise ApiProblem(404, "not found", f"no decision {decision_id}", kind="not-found")


@blp.route("/runs/<run_id>/resolve", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@blp.response(202, RunOut, headers=LOCATION)
@problems(blp, 401, 404, 409, 422, 429)
def resolve(run_id):
    """Queue the re-solve of the run with its pending decisions: the exact rematch that
    moves the fewest pairs (as the review page does). 422 when there are none."""
    settings = services().settings
    with transaction(services().sessions) as session:
        new = decisions.resolve(session, finished(owned(session, Run, run_id)), settings)
        if new is None:
            raise refused(ValueError("the run has no pending decisions"), "nothing-to-resolve")
    services().hand_off([new.id])
    return present_run(new), 202, {"Location": url_for("runs.get_run", run_id=new.id)}


@blp.route("/runs/<run_id>/publish", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@blp.response(201, schemas.VersionOut, headers=LOCATION, example=schemas.VERSION_EXAMPLE)
@problems(blp, 401, 404, 409, 422)
def publish(run_id):
    """Freeze the run's pairs as the cohort's next version; writes ``cohort.published``.
    409 when the run is already published, 422 when it has not succeeded or is infeasible."""
    with transaction(services().sessions) as session:
        run = succeeded(owned(session, Run, run_id))
        try:
            row = decisions.publish(session, run, None)
        except decisions.AlreadyPublished as error:
            raise ApiProblem(
                409, "already published", str(error), kind="already-published"
            ) from None
        except decisions.PublishRefused as error:
            raise refused(error, "not-publishable") from None
        where = url_for("decisions.list_versions", cohort_id=run.cohort_id)
        return present_version(row), 201, {"Location": where}


def succeeded(run: Run) -> Run:
    if run.status != RunStatus.SUCCEEDED:
        detail = f"run {run.id} is {run.status}; only a succeeded run can be published"
        raise ApiProblem(422, "run not succeeded", detail, kind="run-not-succeeded")
    return run


@blp.route("/cohorts/<cohort_id>/versions", methods=["GET"])
@blp.response(200, schemas.VersionList)
@problems(blp, 401, 404)
def list_versions(cohort_id):
    """The cohort's published versions, newest first."""
    with services().sessions() as session:
        owned(session, Cohort, cohort_id)
        return {"items": [present_version(v) for v in decisions.versions(session, cohort_id)]}
