"""Cohorts: create (JSON, a sheet body or a multipart upload, optionally through a mapping),
list, read, participants, delete."""

from __future__ import annotations

import json

from flask import g, url_for
from sqlalchemy import select

from api import schemas
from api.cohort_input import WORKBOOK_TYPES, cohort_from_request
from api.db import transaction
from api.erasure import ERASED_TABLES
from api.idempotency import idempotent
from api.mapping_schemas import MAPPING_EXAMPLE
from api.mappings import keep_import
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
WORKBOOK_BODY = {
    "schema": {
        "type": "string",
        "format": "binary",
        "description": "the cohort sheet as a workbook (its first sheet, or the mapping's)",
    }
}
CREATE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": "CohortIn"},
        "text/csv": CSV_BODY,
        **{kind: WORKBOOK_BODY for kind in WORKBOOK_TYPES},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "name", "program"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "program": {"type": "string", "enum": list(schemas.PROGRAMS)},
                    "mapping": {
                        "type": "string",
                        "description": "a mapping (JSON, as POST /mappings takes it) to read "
                        "the file's own columns through, instead of ?mapping=",
                        "example": json.dumps(MAPPING_EXAMPLE),
                    },
                },
            }
        },
    },
}


QUERY = [  # listed by hand: a doc's parameters replace those @arguments would document
    {
        "in": "query",
        "name": "name",
        "description": "the cohort's name (a sheet body; a form may send it as a field)",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    {
        "in": "query",
        "name": "program",
        "description": "the program preset its runs start from",
        "schema": {"type": "string", "enum": list(schemas.PROGRAMS)},
    },
    {
        "in": "query",
        "name": "mapping",
        "description": "a mapping template's name (GET /mappings): the sheet's own columns "
        "are read through it, and its question rules join every run's policy",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        "example": "Google form, spring",
    },
]


@blp.route("", methods=["POST"])
@blp.doc(requestBody=CREATE_BODY, parameters=[IDEMPOTENCY_KEY, *QUERY])
@idempotent
@blp.arguments(schemas.CohortQuery, location="query", as_kwargs=True)
@blp.response(201, schemas.CohortOut, headers={"Location": {"schema": {"type": "string"}}})
@problems(blp, 400, 401, 409, 413, 415)
def create_cohort(**query):
    """Create a cohort from JSON records, a sheet body (CSV or workbook; ?name=&program=) or
    a multipart upload; a sheet is read through a mapping template (?mapping=NAME) or an
    inline mapping (the ``mapping`` part), whose question rules every run then uses."""
    got = cohort_from_request(services().settings["MAX_PARTICIPANTS"])
    with transaction(services().sessions) as session:
        row = save_cohort(session, g.organization_id, got.name, got.program, got.cohort)
        if got.mapping is not None:
            keep_import(session, row.id, got.filename, got.mapping, got.cohort, got.readings)
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
    services().prepared.forget([cohort_id])
    scrub(services().engine, ERASED_TABLES, full=True)
