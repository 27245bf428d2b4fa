"""Cohorts: create (JSON, CSV body or multipart upload), list, read, participants, delete."""

from __future__ import annotations

from flask import g, url_for
from sqlalchemy import select

from api import schemas
from api.cohort_input import cohort_from_request
from api.db import transaction
from api.idempotency import idempotent
from api.operations import owned
from api.pagination import paginate
from api.personal import scrub
from api.services import services
from api.store import save_cohort
from api.tables import Cohort, Participant
from api.views import IDEMPOTENCY_KEY, Blueprint, problems, protected

blp = protected(Blueprint("cohorts", __name__, url_prefix="/api/v1/cohorts"))
ORDER = (Participant.role.desc(), Participant.position)
CSV_BODY = {"schema": {"type": "string", "description": "the cohort sheet, one file with roles"}}
CREATE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": "CohortIn"},
        "text/csv": CSV_BODY,
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "name", "program"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "program": {"type": "string", "enum": list(schemas.PROGRAMS)},
                },
            }
        },
    },
}


@blp.route("", methods=["POST"])
@blp.doc(requestBody=CREATE_BODY, parameters=[IDEMPOTENCY_KEY])
@idempotent
@blp.arguments(schemas.CohortQuery, location="query", as_kwargs=True)
@blp.response(201, schemas.CohortOut, headers={"Location": {"schema": {"type": "string"}}})
@problems(blp, 400, 401, 409, 413, 415)
def create_cohort(**query):
    """Create a cohort from JSON records, a text/csv body (?name=&program=) or an upload."""
    name, program, cohort = cohort_from_request(services().settings["MAX_PARTICIPANTS"])
    with transaction(services().sessions) as session:
        row = save_cohort(session, g.organization_id, name, program, cohort)
    return row, 201, {"Location": url_for("cohorts.get_cohort", cohort_id=row.id)}


@blp.route("", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.CohortPage)
@problems(blp, 401)
def list_cohorts(args):
    """The organization's cohorts, newest first."""
    mine = select(Cohort).where(Cohort.organization_id == g.organization_id)
    with services().sessions() as session:
        return paginate(session, mine.order_by(Cohort.created_at.desc(), Cohort.id), args)


@blp.route("/<cohort_id>", methods=["GET"])
@blp.response(200, schemas.CohortOut)
@problems(blp, 401, 404)
def get_cohort(cohort_id):
    """One cohort: name, program, numbers of mentors and mentees."""
    with services().sessions() as session:
        return owned(session, Cohort, cohort_id)


@blp.route("/<cohort_id>/participants", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.ParticipantPage)
@problems(blp, 401, 404)
def list_participants(args, cohort_id):
    """The stored participants (mentors first, input order; no names or emails)."""
    people = select(Participant).where(
        Participant.cohort_id == cohort_id, Participant.until.is_(None)
    )
    with services().sessions() as session:
        owned(session, Cohort, cohort_id)
        body, headers = paginate(session, people.order_by(*ORDER), args)
    body["items"] = [{"id": p.external_id, "role": p.role, **p.data} for p in body["items"]]
    return body, headers


@blp.route("/<cohort_id>", methods=["DELETE"])
@blp.response(204)
@problems(blp, 401, 404)
def delete_cohort(cohort_id):
    """Erase the cohort, its participants, runs, results, scenarios and replayable answers."""
    with transaction(services().sessions) as session:
        session.delete(owned(session, Cohort, cohort_id))
    scrub(services().engine)
