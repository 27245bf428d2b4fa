"""A cohort from a request: JSON records, a ``text/csv`` body, or a multipart upload.

Everything goes through the core (:func:`matcher.io.records.cohort_from_records`, and the
core's reader pieces for sheets: :func:`api.sheet.read_sheet`), so the API accepts exactly
what the CLI accepts and rejects it with the same row/column problems (a sheet with
hundreds of them: the first 200). Too many participants (the
``MAX_PARTICIPANTS`` setting, or ``SYNC_MATCH_LIMIT`` for ``POST /match``) is a 413: the
request is well formed but larger than this server takes, like an oversized body.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import request
from marshmallow import Schema, ValidationError

from api.errors import ApiProblem, validation_items
from api.ids import check_ids
from api.jsonbody import request_json
from api.schemas import CohortIn, CohortQuery
from api.sheet import TooManyParticipants, check_records, read_sheet
from matcher.io.records import cohort_from_records
from matcher.model import Cohort, InputError, Problem

CSV_TYPES = ("text/csv", "application/csv")
ACCEPTED = ("application/json", *CSV_TYPES, "multipart/form-data")


def json_body() -> object:
    """The request's JSON; 415 when it is not JSON, 400 when it does not parse."""
    if not request.is_json:
        raise unsupported(("application/json",))
    try:
        data = request_json()
    except ValueError:  # not JSON at all (limits are 422 problems raised by request_json)
        data = None
    if data is None:
        raise ApiProblem(
            400,
            "the request body is not valid JSON",
            "send a JSON object (check quotes, commas and brackets)",
            kind="invalid-request",
        )
    return data


def unsupported(accepted) -> ApiProblem:
    return ApiProblem(
        415,
        "unsupported content type",
        f"got {request.mimetype or 'no Content-Type'}; send one of: {', '.join(accepted)}",
        kind="unsupported-media-type",
        accepted=list(accepted),
    )


def load(schema: Schema, data, location: str = "json") -> dict:
    """``schema.load(data)``, with marshmallow's errors as a 422 problem."""
    try:
        return schema.load(data)
    except ValidationError as error:
        items = validation_items({location: error.messages})
        raise ApiProblem(
            422,
            "invalid request",
            f"{len(items)} problem(s) with the request; see errors",
            kind="invalid-request",
            errors=items,
        ) from None


def too_many(count: int, limit: int, detail: str) -> ApiProblem:
    return ApiProblem(
        413,
        "too many participants",
        f"{count} participants; this server takes at most {limit} here. {detail}",
        kind="too-many-participants",
        participants=count,
        limit=limit,
    )


def people_to_cohort(data: Mapping, limit: int, detail: str = "") -> Cohort:
    """The core Cohort of loaded :class:`~api.schemas.PeopleIn` data.

    Raises
    ------
    ApiProblem
        413 above ``limit`` participants (counted before validation).
    InputError
        Every problem with the records; neither or both input forms given; ids nobody
        could read back (:mod:`api.ids`).
    """
    one = "participants" in data
    two = "mentors" in data or "mentees" in data
    if one == two:
        problem = Problem(
            "give either 'participants' (records with a role) or 'mentors' and 'mentees'",
            source="cohort",
        )
        raise InputError([problem], title="the cohort was rejected")
    lists = [data.get(k) or [] for k in ("participants", "mentors", "mentees")]
    if (count := sum(len(x) for x in lists)) > limit:
        raise too_many(count, limit, detail)
    check_records({k: data[k] for k in ("participants", "mentors", "mentees") if data.get(k)})
    chart = tuple(tuple(edge) for edge in data.get("org_chart") or ())
    if one:
        return check_ids(cohort_from_records(data["participants"], org_chart=chart))
    return check_ids(cohort_from_records(mentors=lists[1], mentees=lists[2], org_chart=chart))


def _named(fields: Mapping, source: str) -> tuple[str, str]:
    got = load(CohortQuery(), {k: fields[k] for k in ("name", "program") if k in fields}, source)
    missing = [k for k in ("name", "program") if k not in got]
    if missing:
        items = [{"source": source, "column": k, "message": "required"} for k in missing]
        raise ApiProblem(
            422,
            "invalid request",
            f"a CSV upload needs {' and '.join(missing)} as {source} parameters",
            kind="invalid-request",
            errors=items,
        )
    return got["name"], got["program"]


def cohort_from_request(limit: int) -> tuple[str, str, Cohort]:
    """(name, program, cohort) of a ``POST /cohorts`` request, validated by the core.

    Raises
    ------
    ApiProblem
        415 for another content type, 400 for broken JSON, 422 for a bad name or program,
        413 above ``limit`` participants (a sheet is not read past the limit).
    InputError
        Every row/column problem of the records or the CSV file (of a sheet with many,
        the first :data:`api.sheet.MAX_PROBLEMS`).
    """
    mimetype = request.mimetype
    if mimetype == "application/json":
        data = load(CohortIn(), json_body())
        cohort = people_to_cohort(data, limit)
        return data["name"], data["program"], cohort
    if mimetype in CSV_TYPES:
        name, program = _named(request.args, "query")
        raw = request.get_data(cache=False)
    elif mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            problem = Problem("expected the CSV file in a form field named 'file'", column="file")
            raise InputError([problem], title="the upload was rejected")
        name, program = _named({**request.args, **request.form}, "form")
        raw = upload.read()
    else:
        raise unsupported(ACCEPTED)
    try:
        cohort = read_sheet(raw, limit)
    except TooManyParticipants:
        raise ApiProblem(
            413,
            "too many participants",
            f"more than {limit} participants; this server takes at most {limit} here "
            f"(reading stopped at record {limit + 1})",
            kind="too-many-participants",
            limit=limit,
        ) from None
    return name, program, check_ids(cohort)
