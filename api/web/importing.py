"""From an uploaded sheet to a stored cohort, with the core doing the reading.

:func:`look_at` reads the upload's table and the mapping :func:`matcher.io.suggest.suggest`
proposes (what ``mentormatch map`` writes); :func:`read_with` checks a mapping and reads
the sheet through it with :func:`matcher.io.sheets.read_people`, so the web app accepts
and rejects exactly what ``mentormatch validate --map`` does; :func:`store_import` saves
the cohort through :func:`api.store.save_cohort` with names and emails in the participant
rows, records how it was read, and deletes the upload.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.mappings import keep_import
from api.store import save_cohort
from api.tables import utcnow
from api.tables_web import Upload
from matcher.io.decode import Table, blank_column, uninert
from matcher.io.mapping import load_mapping
from matcher.io.sheets import read_people
from matcher.io.suggest import Suggestion, suggest
from matcher.io.xlsx import first_filled, is_workbook, read_sheet, sheet_sizes
from matcher.model import Cohort, InputError, Problem

SAMPLES = 3  # answers shown beside each column


@dataclass(frozen=True)
class Look:
    """What the mapping step shows about a sheet."""

    table: Table
    headers: list[tuple[int, str]]  # the columns that need a decision: (index, header)
    suggestions: dict[str, Suggestion]
    zones: dict[str, tuple]  # ambiguous time-zone answer -> ((zone, meaning), ...)
    tool: str  # google, microsoft or sheet
    sheet: str | None = None  # the workbook sheet read (None: a CSV file)
    sheets: tuple[tuple[str, int], ...] = ()  # every sheet of a workbook, with its rows

    def samples(self, k: int) -> list[str]:
        seen: list[str] = []
        for row in self.table.rows:
            value = uninert(row[k]).strip() if k < len(row) else ""
            if value and value not in seen:
                seen.append(value[:60])
            if len(seen) == SAMPLES:
                break
        return seen

    def suggested(self) -> dict:
        """The suggested mapping data (zones left for a person to choose)."""
        columns = {h: dict(self.suggestions[h].settings) for _, h in self.headers}
        return self.with_sheet({"mapping": 1, "columns": columns})

    def with_sheet(self, data: dict) -> dict:
        """Mapping data that reads this look's workbook sheet."""
        return {**data, "sheet": self.sheet} if self.sheet is not None else data


def look_at(content: bytes, limit: int, sheet: str | None = None) -> Look:
    """The sheet's table and the suggested mapping.

    Parameters
    ----------
    sheet : the workbook sheet to read; None, or a name the workbook does not have, reads
        the first sheet with records (:func:`matcher.io.xlsx.first_filled`).

    Raises
    ------
    InputError
        The file cannot be read as a sheet, or has more than ``limit`` rows.
    """
    sheets: tuple = ()
    if is_workbook(content):
        sheets = sheet_sizes(content, "cohort")
        if sheet not in {name for name, _ in sheets}:
            sheet = first_filled(sheets) or (sheets[0][0] if sheets else None)
    else:
        sheet = None
    table = read_sheet(content, "cohort", sheet)
    if len(table.rows) > limit:
        message = f"{len(table.rows)} rows; this server takes at most {limit} people per cohort"
        raise InputError([Problem(message, source="cohort")], title="the sheet is too large")
    suggestions, zones, tool = suggest(table)
    by_header = {s.header: s for s in suggestions}
    headers = [
        (k, h.strip())
        for k, h in enumerate(table.header)
        if not blank_column(table, k) and h.strip() in by_header
    ]
    return Look(table, headers, by_header, zones, tool, sheet, sheets)


def read_with(content: bytes, data: dict) -> tuple[Cohort, tuple]:
    """The cohort in ``content`` read through the mapping ``data``, and how it was read.

    Raises
    ------
    InputError
        Every problem of the mapping (source ``mapping``), else every problem of the
        sheet read through it (source ``cohort``), each with its line, column and value.
    """
    mapping = load_mapping(data, "mapping")
    return read_people(content, mapping=mapping)


def store_import(
    session: Session, upload: Upload, cohort: Cohort, readings, data: dict, user_id: int
):
    """Save the cohort (names and emails in its participant rows), how it was read, and
    delete the upload. Returns the cohort row."""
    row = save_cohort(
        session, upload.organization_id, upload.name, upload.program, cohort, contacts=True
    )
    keep_import(session, row.id, upload.filename, data, cohort, readings, user_id)
    session.delete(upload)
    return row


def sweep_uploads(session: Session, ttl_seconds: float) -> int:
    """Delete uploads older than ``ttl_seconds``; how many went."""
    cutoff = utcnow() - timedelta(seconds=ttl_seconds)
    return session.execute(delete(Upload).where(Upload.created_at < cutoff)).rowcount


def where_to_fix(problem: Problem, headers: list[tuple[int, str]]) -> int | None:
    """The index of the sheet column a problem is about (for a link to its settings)."""
    from api.web.mapping_form import column_of
    from matcher.io.mapping import header_key

    found = column_of(problem.column, headers)
    if found is not None:
        return found[0]
    if problem.column:
        key = header_key(problem.column)
        return next((k for k, h in headers if header_key(h) == key), None)
    return None


def named(problems, source_name: str) -> list[Problem]:
    """Problems of the sheet carry the upload's file name as their source."""
    return [replace(p, source=source_name) if p.source == "cohort" else p for p in problems]
