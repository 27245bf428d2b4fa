"""Mentor requests (a mentee asks, the mentor accepts or declines) and cohort settings."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import exists, select

from api import request_schemas as schemas
from api.db import transaction
from api.errors import ApiProblem
from api.history import earlier_pairs
from api.idempotency import idempotent
from api.mentor_requests import create, decide, expire_due, expiry_hours, present
from api.operations import owned
from api.pagination import paginate
from api.services import services
from api.tables import Cohort, utcnow
from api.tables_cycles import CohortSettings, MentorRequest, RequestStatus
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected

blp = protected(Blueprint("requests", __name__, url_prefix="/api/v1/cohorts"))


def _locked(session, cohort_id: str) -> Cohort:
    """The caller's cohort, locked for this transaction, with its due requests expired."""
    owned(session, Cohort, cohort_id)
    cohort = session.scalars(select(Cohort).where(Cohort.id == cohort_id).with_for_update()).one()
    expire_due(session, cohort, services().settings)
    return cohort


def _sweep(cohort_id: str) -> None:
    """Expire the cohort's due requests (its own transaction) before a read or decision."""
    due = exists().where(
        MentorRequest.cohort_id == cohort_id,
        MentorRequest.status == RequestStatus.PENDING.value,
        MentorRequest.expires_at <= utcnow(),
    )
    with services().sessions() as session:
        owned(session, Cohort, cohort_id)
        if not session.scalar(select(due)):
            return
    with transaction(services().sessions) as session:
        _locked(session, cohort_id)


def _request(session, cohort_id: str, request_id: str) -> MentorRequest:
    row = session.get(MentorRequest, request_id)
    if row is None or row.cohort_id != cohort_id:
        raise ApiProblem(404, "not found", f"no request {request_id}", kind="not-found")
    return row


@blp.route("/<cohort_id>/requests", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.RequestIn, example=schemas.REQUEST_EXAMPLE)
@blp.response(
    201,
    schemas.RequestOut,
    example=schemas.REQUEST_OUT_EXAMPLE,
    headers={"Location": {"schema": {"type": "string"}}},
)
@problems(blp, 400, 401, 404, 409, 415)
def create_request(data, cohort_id):
    """A mentee asks for a mentor: refused (409) when a hard rule forbids the pair or the
    mentor has no room (the latest run's pairs, pending and accepted requests counted)."""
    settings = services().settings
    with transaction(services().sessions) as session:
        cohort = _locked(session, cohort_id)
        body = present(create(session, cohort, data["mentee"], data["mentor"], settings))
    where = url_for("requests.get_request", cohort_id=cohort_id, request_id=body["id"])
    return body, 201, {"Location": where}


@blp.route("/<cohort_id>/requests", methods=["GET"])
@blp.arguments(schemas.RequestListArgs, location="query")
@blp.response(200, schemas.RequestPage)
@problems(blp, 401, 404)
def list_requests(args, cohort_id):
    """The cohort's requests, newest first; ``status`` (repeatable), ``mentee``, ``mentor``."""
    _sweep(cohort_id)
    mine = select(MentorRequest).where(MentorRequest.cohort_id == cohort_id)
    if args.get("status"):
        mine = mine.where(MentorRequest.status.in_(args["status"]))
    for key, column in (("mentee", MentorRequest.mentee_id), ("mentor", MentorRequest.mentor_id)):
        if args.get(key):
            mine = mine.where(column == args[key])
    newest = mine.order_by(MentorRequest.created_at.desc(), MentorRequest.id)
    with services().sessions() as session:
        body, headers = paginate(session, newest, args)
        body["items"] = [present(row) for row in body["items"]]
    return body, headers


@blp.route("/<cohort_id>/requests/<request_id>", methods=["GET"])
@blp.response(200, schemas.RequestOut, example=schemas.REQUEST_OUT_EXAMPLE)
@problems(blp, 401, 404)
def get_request(cohort_id, request_id):
    """One request (a pending one past its time reads as expired)."""
    _sweep(cohort_id)
    with services().sessions() as session:
        return present(_request(session, cohort_id, request_id))


def _decide(cohort_id: str, request_id: str, accept: bool) -> dict:
    _sweep(cohort_id)
    with transaction(services().sessions) as session:
        cohort = _locked(session, cohort_id)
        request = _request(session, cohort_id, request_id)
        after = decide(session, cohort, request, accept, services().settings)
        return {"request": present(request), "next_request": after and present(after)}


@blp.route("/<cohort_id>/requests/<request_id>/accept", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@blp.response(200, schemas.RequestDecisionOut, example=schemas.DECISION_EXAMPLE)
@problems(blp, 401, 404, 409)
def accept_request(cohort_id, request_id):
    """The mentor accepts: the pair is pinned in the cohort's next runs."""
    return _decide(cohort_id, request_id, True)


@blp.route("/<cohort_id>/requests/<request_id>/decline", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@blp.response(200, schemas.RequestDecisionOut, example=schemas.DECISION_EXAMPLE)
@problems(blp, 401, 404, 409)
def decline_request(cohort_id, request_id):
    """The mentor declines: the mentee's next suggestion gets a new pending request."""
    return _decide(cohort_id, request_id, False)


def _settings_body(session, cohort: Cohort) -> dict:
    row = session.get(CohortSettings, cohort.id)
    history = {"mode": row.history, "runs": row.history_run_ids} if row else None
    return {
        "cohort_id": cohort.id,
        "request_expiry_hours": expiry_hours(session, cohort, services().settings),
        "history": history or {"mode": "ignore", "runs": []},
    }


@blp.route("/<cohort_id>/settings", methods=["GET"])
@blp.response(200, schemas.CohortSettingsOut, example=schemas.SETTINGS_OUT_EXAMPLE)
@problems(blp, 401, 404)
def get_settings(cohort_id):
    """Request expiry in effect, and the pairing history the cohort's runs use."""
    with services().sessions() as session:
        return _settings_body(session, owned(session, Cohort, cohort_id))


@blp.route("/<cohort_id>/settings", methods=["PUT"])
@json_only
@blp.arguments(schemas.CohortSettingsIn, example=schemas.SETTINGS_EXAMPLE)
@blp.response(200, schemas.CohortSettingsOut, example=schemas.SETTINGS_OUT_EXAMPLE)
@problems(blp, 400, 401, 404, 415)
def put_settings(data, cohort_id):
    """Replace the cohort's settings; ``history.runs`` must be succeeded runs of yours."""
    with transaction(services().sessions) as session:
        cohort = owned(session, Cohort, cohort_id)
        runs = list(dict.fromkeys(data["history"]["runs"]))
        earlier_pairs(session, runs, column="history.runs")  # every run exists and succeeded
        row = session.get(CohortSettings, cohort.id) or CohortSettings(cohort_id=cohort.id)
        row.request_expiry_hours = data["request_expiry_hours"]
        row.history, row.history_run_ids = data["history"]["mode"], runs
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        return _settings_body(session, cohort)
