"""The HR-data routes, admin only (:data:`api.auth.ROUTE_SCOPES`): the audit log, erasure of
a person, their export."""

from __future__ import annotations

from flask import g

from api import audit
from api import hr_schemas as schemas
from api.db import transaction
from api.erasure import ERASED_TABLES, erase_person
from api.errors import ApiProblem
from api.pagination import paginate
from api.personal import scrub
from api.services import services
from api.subject import export_person
from api.views import Blueprint, json_only, problems, protected

blp = protected(Blueprint("hr", __name__, url_prefix="/api/v1"))


@blp.route("/audit", methods=["GET"])
@blp.arguments(schemas.AuditArgs, location="query")
@blp.response(200, schemas.AuditPage)
@problems(blp, 401, 403)
def list_audit(args):
    """The organization's audit log, oldest first: who (``key:<prefix>``, ``user:<id>``,
    ``cli``, ``system``), what, which object, when, the request id. Filters narrow it."""
    filters = {k: args.get(k) for k in ("since", "until", "action", "object_type", "object_id")}
    statement = audit.query(g.organization_id, who=args.get("actor"), **filters)
    with services().sessions() as session:
        body, headers = paginate(session, statement, args)
        body["items"] = [audit.as_dict(entry) for entry in body["items"]]
    return body, headers


@blp.route("/erasures", methods=["POST"])
@json_only
@blp.arguments(schemas.PersonRef, example={"email": "ada@example.org"})
@blp.response(200, schemas.ErasureOut)
@problems(blp, 400, 401, 403, 415, 422)
def erase(data):
    """Erase one person from everything the organization stores: participant rows of every
    cohort and roster version, their pairs, unmatched entries and alternates (runs touched
    get a note), decisions, stored documents naming them, replayable answers and uploads.

    Safe to repeat: a second erasure finds nothing (``found`` false).
    """
    with transaction(services().sessions) as session:
        erasure = erase_person(session, g.organization_id, **data)
    services().prepared.forget(erasure.cohorts)  # prepared rosters that held them
    scrub(services().engine, ERASED_TABLES, full=True)
    return erasure.summary()


@blp.route("/people/export", methods=["GET"])
@blp.arguments(schemas.PersonRef, location="query")
@blp.response(200, schemas.ExportOut)
@problems(blp, 400, 401, 403, 404, 422)
def export(args):
    """Everything stored about one person, by ``email`` or ``person_id`` (recorded in the
    audit log, found or not)."""
    with transaction(services().sessions) as session:
        found = export_person(session, g.organization_id, **args)
    if found is None:
        raise ApiProblem(
            404, "not found", "this organization stores nothing about that person", kind="not-found"
        )
    return found
