"""The mapping ``mentormatch map`` would write for an uploaded sheet, as JSON.

:func:`suggested` reads the sheet (CSV or workbook, within the participant limit), asks
the core for its suggestion (:func:`matcher.io.suggest.suggest`), renders the very file
``map`` writes (:func:`matcher.io.mapping_file.mapping_text`) and parses it back, so the
JSON is what an HR integrator would get from ``mentormatch map`` on the same sheet. The
file's comments come as ``notes`` per column, the choices for an ambiguous time-zone
answer as ``timezones``, and ``reads`` says whether the sheet reads with the mapping as
suggested (with its problems when it does not), as ``map`` does.
"""

from __future__ import annotations

import tomllib

from flask import request

from api.cohort_input import CSV_TYPES, WORKBOOK_TYPES, too_many_rows, unsupported
from api.errors import problem_items
from api.ids import check_ids
from api.mapped_sheet import read_mapped_sheet
from api.sheet import SOURCE, TooManyParticipants, split_records
from matcher.io.decode import decode, sniff_delimiter
from matcher.io.mapping import load_mapping
from matcher.io.mapping_file import mapping_text
from matcher.io.suggest import suggest
from matcher.io.xlsx import is_workbook, read_sheet, sheet_names
from matcher.model import InputError, Problem

ACCEPTED = (*CSV_TYPES, *WORKBOOK_TYPES, "multipart/form-data")


def sheet_from_request() -> bytes:
    """The sheet of a request: a CSV or workbook body, or the ``file`` part of a form.

    Raises
    ------
    ApiProblem
        415 for another content type.
    InputError
        A form without a ``file`` part.
    """
    if request.mimetype in CSV_TYPES or request.mimetype in WORKBOOK_TYPES:
        return request.get_data(cache=False)
    if request.mimetype != "multipart/form-data":
        raise unsupported(ACCEPTED)
    upload = request.files.get("file")
    if upload is None:
        problem = Problem("expected the sheet in a form field named 'file'", column="file")
        raise InputError([problem], title="the upload was rejected")
    return upload.read()


def _count(raw: bytes, limit: int) -> None:
    """TooManyParticipants past ``limit`` records of a CSV file (not read further)."""
    if is_workbook(raw):
        return
    text = decode(raw, SOURCE)
    records = split_records(text, sniff_delimiter(text))
    next(records, None)  # the header
    for count, _ in enumerate(records, 1):
        if count > limit:
            raise TooManyParticipants(count)


def suggested(raw: bytes, sheet: str | None, limit: int) -> dict:
    """The suggested mapping of a sheet, its notes, zone choices and whether it reads.

    Parameters
    ----------
    raw : the sheet's bytes (CSV or workbook).
    sheet : the workbook sheet to read (None: the first).
    limit : the most participants this server takes.

    Raises
    ------
    ApiProblem
        413 above ``limit`` records.
    InputError
        The file cannot be read as a sheet.
    """
    try:
        _count(raw, limit)
        table = read_sheet(raw, SOURCE, sheet)
        if len(table.rows) > limit:
            raise TooManyParticipants(len(table.rows), whole=True)
    except TooManyParticipants as error:
        raise too_many_rows(error, limit) from None
    suggestions, zones, tool = suggest(table)
    del table
    if is_workbook(raw) and sheet is None:
        sheet = sheet_names(raw)[0]
    text = mapping_text(suggestions, zones, name="sheet", tool=tool, sheet=sheet)
    data = tomllib.loads(text)
    return {
        "mapping": data,
        "tool": tool,
        "notes": {s.header: s.notes for s in suggestions if s.notes},
        "timezones": {
            answer: [{"zone": zone, "meaning": meaning} for zone, meaning in choices]
            for answer, choices in zones.items()
        },
        "reads": _reads(raw, data, limit),
    }


def _reads(raw: bytes, data: dict, limit: int) -> dict:
    """Whether the sheet reads with the mapping ``data``, as an upload would read it."""
    try:
        cohort, _ = read_mapped_sheet(raw, load_mapping(data), limit)
        check_ids(cohort)
    except InputError as error:
        body = {
            "ok": False,
            "mentors": None,
            "mentees": None,
            "total_errors": len(error.problems),
            "errors": problem_items(error.problems),
        }
        if (stopped := getattr(error, "stopped_at", None)) is not None:
            body["stopped_at"] = stopped
        return body
    mentors, mentees = len(cohort.mentors), len(cohort.mentees)
    return {"ok": True, "mentors": mentors, "mentees": mentees, "total_errors": 0, "errors": []}
