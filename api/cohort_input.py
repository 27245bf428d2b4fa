"""A cohort from a request: JSON records, a sheet body (CSV or workbook), or an upload.

Everything goes through the core (:func:`matcher.io.records.cohort_from_records`, and the
core's reader pieces for sheets: :func:`api.sheet.read_sheet`), so the API accepts exactly
what the CLI accepts and rejects it with the same row/column problems (a sheet with
hundreds of them: the first 200). A sheet may be read through a mapping, as ``--map``
reads it (:func:`api.mapped_sheet.read_mapped_sheet`): a saved template named by
``?mapping=``, or the mapping itself as the JSON ``mapping`` part of a multipart upload.
Too many participants (the ``MAX_PARTICIPANTS`` setting, or ``SYNC_MATCH_LIMIT`` for
``POST /match``) is a 413: the request is well formed but larger than this server takes,
like an oversized body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from flask import request
from marshmallow import Schema, ValidationError

from api.errors import ApiProblem, validation_items
from api.ids import check_ids
from api.jsonbody import loads, request_json
from api.mapped_sheet import read_mapped_sheet
from api.mappings import check_mapping, template_mapping
from api.schemas import CohortIn, CohortQuery
from api.services import services
from api.sheet import TooManyParticipants, check_records, read_sheet
from matcher.io.records import cohort_from_records
from matcher.model import Cohort, InputError, Problem

CSV_TYPES = ("text/csv", "application/csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_TYPES = (
    XLSX,
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.spreadsheet",
)
ACCEPTED = ("application/json", *CSV_TYPES, *WORKBOOK_TYPES, "multipart/form-data")


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


PEOPLE_KEYS = ("participants", "mentors", "mentees", "org_chart")


def people_to_cohort(data: Mapping, limit: int, detail: str = "", strict: bool = False) -> Cohort:
    """The core Cohort of loaded :class:`~api.schemas.PeopleIn` data.

    With ``strict``, a key other than :data:`PEOPLE_KEYS` is a problem (``POST /match``,
    whose cohort object holds nothing else), not silently ignored.

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
    unknown = [k for k in data if k not in PEOPLE_KEYS] if strict else []
    if unknown:
        expected = f"expected one of {', '.join(PEOPLE_KEYS)}"
        problems = [
            Problem(f"unknown key; {expected}", column=str(k)[:80], source="cohort")
            for k in unknown
        ]
        raise InputError(problems, title="the cohort was rejected")
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


@dataclass(frozen=True)
class Incoming:
    """A ``POST /cohorts`` request read and validated: the cohort to store and, for a sheet
    read through a mapping, the mapping's data, how each column was read and the file name."""

    name: str
    program: str
    cohort: Cohort
    mapping: dict | None = None
    readings: tuple = ()
    filename: str = "request body"


def cohort_from_request(limit: int) -> Incoming:
    """A ``POST /cohorts`` request as a cohort validated by the core.

    A sheet (a CSV or workbook body, or the ``file`` part of a form) is read with
    mentormatch's own column names, or through a mapping: a template named by the
    ``mapping`` query parameter, or a JSON ``mapping`` part of the form.

    Raises
    ------
    ApiProblem
        415 for another content type, 400 for broken JSON, 422 for a bad name or program,
        413 above ``limit`` participants (a sheet is not read past the limit).
    InputError
        Every problem of the mapping, else every row/column problem of the records or the
        sheet (of a sheet with many, the first :data:`api.sheet.MAX_PROBLEMS`).
    """
    mimetype = request.mimetype
    if mimetype == "application/json":
        if "mapping" in request.args:
            raise InputError([_NO_MAPPING], title="the upload was rejected")
        data = load(CohortIn(), json_body())
        return Incoming(data["name"], data["program"], people_to_cohort(data, limit))
    inline, filename = None, "request body"
    if mimetype in CSV_TYPES or mimetype in WORKBOOK_TYPES:
        name, program = _named(request.args, "query")
        raw = request.get_data(cache=False)
    elif mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            problem = Problem("expected the sheet in a form field named 'file'", column="file")
            raise InputError([problem], title="the upload was rejected")
        name, program = _named({**request.args, **request.form}, "form")
        raw, filename = upload.read(), upload.filename or "upload"
        inline = mapping_part()
    else:
        raise unsupported(ACCEPTED)
    data = chosen_mapping(request.args.get("mapping"), inline)
    try:
        if data is None:
            return Incoming(name, program, check_ids(read_sheet(raw, limit)), filename=filename)
        cohort, readings = read_mapped_sheet(raw, check_mapping(data), limit)
    except TooManyParticipants as error:
        raise too_many_rows(error, limit) from None
    return Incoming(name, program, check_ids(cohort), data, readings, filename)


def too_many_rows(error: TooManyParticipants, limit: int) -> ApiProblem:
    """The 413 of a sheet with more records than ``limit``."""
    where = (
        f"the sheet has {error.count} records"
        if error.whole
        else f"reading stopped at record {limit + 1}"
    )
    return ApiProblem(
        413,
        "too many participants",
        f"more than {limit} participants; this server takes at most {limit} here ({where})",
        kind="too-many-participants",
        limit=limit,
    )


_NO_MAPPING = Problem(
    "a mapping reads a sheet's own columns; JSON records use mentormatch's field names",
    column="mapping",
    source="query",
)


def mapping_part() -> object | None:
    """The parsed ``mapping`` part of a multipart form (a field or a file), or None.

    Raises
    ------
    InputError
        The part is not JSON (source ``mapping``).
    ApiProblem
        422 when it is JSON outside :mod:`api.jsonbody`'s limits.
    """
    part = request.files.get("mapping")
    text = part.read() if part is not None else request.form.get("mapping")
    if text is None:
        return None
    try:
        return loads(text)
    except json.JSONDecodeError as error:
        problem = Problem(
            f"expected the mapping as a JSON object ({error.msg}, at character {error.pos})",
            source="mapping",
        )
        raise InputError([problem], title="the mapping was rejected") from None


def chosen_mapping(template: str | None, inline) -> dict | None:
    """The mapping an upload is read with: the named template's data, the inline
    mapping, or None for mentormatch's own column names.

    Raises
    ------
    InputError
        Both are given, or no template has the name.
    """
    if template is not None and inline is not None:
        problem = Problem(
            "give a template name (?mapping=) or a mapping part, not both",
            column="mapping",
            value=template[:80],
            source="query",
        )
        raise InputError([problem], title="the upload was rejected")
    if template is None:
        return inline
    with services().sessions() as session:
        return template_mapping(session, template)
