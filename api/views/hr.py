"""The HR-data routes, admin only (:data:`api.auth.ROUTE_SCOPES`): the audit log, erasure of
a person, their export, deletion of the whole organization."""

from __future__ import annotations

from flask import g

from api import audit, organizations
from api import hr_schemas as schemas
from api.db import transaction
from api.erasure import ERASED_TABLES, erase_person
from api.errors import ApiProblem
from api.pagination import paginate
from api.personal import scrub
from api.services import services
from api.subject import export_person
from api.tables import Organization
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


@blp.route("/organization", methods=["DELETE"])
@blp.arguments(schemas.OrganizationDeletion, location="query")
@blp.response(
    200,
    schemas.OrganizationDeleted,
    example={
        "organization": "Acme Mentoring",
        "rows": {"cohorts": 3, "participants": 412, "runs": 9, "audit_log": 57},
    },
)
@problems(blp, 400, 401, 403, 404, 422)
def delete_organization(args):
    """Delete the key's organization with everything it owns: cohorts, people, runs,
    results, scenarios, mapping templates, webhooks and their deliveries, coordinators'
    accounts, every API key (this one too: it stops working at once) and the audit log.
    This cannot be undone; ``confirm`` must name the organization exactly.

    The deletion is kept in the service's own audit log (`mentormatch audit-log
    --service`), which no organization sees. The same as `mentormatch orgs delete ORG --yes`.
    """
    with transaction(services().sessions) as session:
        org = session.get(Organization, g.organization_id, with_for_update=True)
        if org is None:  # deleted by a request that committed after this key was checked
            raise ApiProblem(404, "not found", "the organization is gone", kind="not-found")
        if args["confirm"] != org.name:
            raise ApiProblem(
                422,
                "confirmation does not name the organization",
                f"confirm must be this key's organization name, exactly ({org.name!r}); "
                "nothing was deleted",
                kind="confirmation-mismatch",
                errors=[
                    {
                        "source": "query",
                        "column": "confirm",
                        "value": args["confirm"][:200],
                        "message": f"expected {org.name!r}",
                    }
                ],
            )
        name = org.name
        counts = organizations.delete_organization(session, org, who=audit.actor())
    scrub(services().engine, organizations.all_tables(), full=True)
    return {"organization": name, "rows": counts}
