"""Answers asked of a succeeded run: why not this pair, the equity audit, the receipt and
its verification (:mod:`api.answers`)."""

from __future__ import annotations

from api import answer_schemas as schemas
from api.answers import audit_body, receipt_body, verify_body, why_not_body
from api.operations import finished, owned
from api.services import services
from api.tables import Run
from api.views import Blueprint, json_only, problems, protected

blp = protected(Blueprint("answers", __name__, url_prefix="/api/v1/runs"))


@blp.route("/<run_id>/why-not", methods=["GET"])
@blp.arguments(schemas.WhyNotArgs, location="query")
@blp.response(200, schemas.WhyNotOut)
@problems(blp, 401, 404, 409, 422, 503)
def get_why_not(args, run_id):
    """Why the run's optimum does not pair ``mentee`` with ``mentor``: the hard rules that
    forbid it, in words, or the exact cost of forcing it (an exact re-solve with the pair
    pinned) and who would move where. Solved inline: above ``SYNC_MATCH_LIMIT``
    participants, a 422 pointing to ``mentormatch explain --why-not``."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        return why_not_body(session, run, args["mentee"], args["mentor"])


@blp.route("/<run_id>/audit", methods=["GET"])
@blp.arguments(schemas.AuditArgs, location="query")
@blp.response(200, schemas.AuditOut)
@problems(blp, 401, 404, 409, 422)
def get_audit(args, run_id):
    """The equity audit of the stored result: score, coverage and unmatched rate by
    department, location, seniority band and custom attribute, gaps flagged. No solve."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        return audit_body(session, run, args["threshold"], args["min_size"])


@blp.route("/<run_id>/receipt", methods=["GET"])
@blp.response(200, schemas.ReceiptOut)
@problems(blp, 401, 404, 409)
def get_receipt(run_id):
    """The receipt of the stored result: SHA-256 of the cohort as stored (no names or
    emails), of the policy and of the pairs; this server's versions; the solver, status,
    certificate flag, places, objective and bound. No solve."""
    with services().sessions() as session:
        return receipt_body(session, finished(owned(session, Run, run_id)))


@blp.route("/<run_id>/verify", methods=["POST"])
@json_only
@blp.arguments(schemas.VerifyIn)
@blp.response(200, schemas.VerifyOut)
@problems(blp, 400, 401, 404, 409, 415, 422)
def post_verify(data, run_id):
    """Re-check a receipt and pairs against what the run solved, without any solver:
    digests and figures, then every hard rule, capacity, minimum load and score."""
    with services().sessions() as session:
        run = finished(owned(session, Run, run_id))
        return verify_body(session, run, data)
