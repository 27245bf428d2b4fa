"""Sheets uploaded with a mapping, read with the same limits as :mod:`api.sheet`.

The core reads a form's own headers and answers through a mapping
(:func:`matcher.io.sheets.read_people` with ``mapping=``), keeping every problem of every
row. :func:`read_mapped_sheet` first does what :func:`api.sheet.read_sheet` does for
sheets with mentormatch's own columns:

* a CSV file's records are counted one at a time, and reading stops at the first record
  past the participant limit (413); a workbook is unpacked whole, then counted;
* above :data:`~api.sheet.CHUNK` records, each chunk is read through the mapping and
  validated on its own, keeping only the problems that hold whatever the rest of the
  sheet says (a cell's own; an id used twice inside the chunk; an ``exclude``/``prefer``
  answer nobody in the sheet has as id or email), and checking stops once
  :data:`~api.sheet.MAX_PROBLEMS` are found (nothing is stored);
* only a sheet with fewer problems is read whole by the core, so what is accepted, and
  every problem of a sheet that is nearly right, is exactly what ``mentormatch validate
  --map`` says (problems name the sheet's own headers, lines and answers).

A CSV file has one sheet: a mapping's ``sheet`` (written by ``mentormatch map`` for a
workbook) applies to workbooks only, so one template reads both exports of a form.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from api.sheet import CHUNK, SOURCE, TooManyParticipants, chunks, gate, split_records
from matcher.io.decode import Table, decode, sniff_delimiter, uninert
from matcher.io.mapped import Reading, read_mapped, validate_mapped
from matcher.io.mapping import SheetMapping, header_key
from matcher.io.sheets import read_people
from matcher.io.xlsx import is_workbook, read_workbook
from matcher.model import Cohort, Problem

_REFERENCES = frozenset({"exclude", "prefer"})


class _Known:
    """What the whole sheet holds that a chunk cannot see: ids (and those used twice),
    emails, and which headers feed ``id``, ``exclude`` and ``prefer``."""

    def __init__(self, header, mapping: SheetMapping):
        self.id_cells, self.email_cells = [], []
        self.id_headers, self.reference_headers = set(), set()
        for k, text in enumerate(header):
            rule = mapping.rule_for(text)
            if rule is None or rule.ignore:
                continue
            if "id" in rule.fields:
                self.id_cells.append((k, rule.lookup()))
                self.id_headers.add(rule.header)
            if "email" in rule.fields:
                self.email_cells.append(k)
            if _REFERENCES & set(rule.fields):
                self.reference_headers.add(rule.header)
        self.ids: set[str] = set()
        self.twice: set[str] = set()
        self.emails: set[str] = set()

    def add(self, row: list[str]) -> None:
        for k, lookup in self.id_cells:
            text = uninert(row[k]).strip() if k < len(row) else ""
            if text:
                value = str(lookup.get(header_key(text), text))
                (self.twice if value in self.ids else self.ids).add(value)
        for k in self.email_cells:
            if k < len(row) and (text := uninert(row[k]).strip()):
                self.emails.add(text.casefold())

    def certain(self, problems, first: bool, offset: int) -> list[Problem]:
        """The problems of a chunk that hold for the whole sheet, with its row numbers."""
        out = []
        for problem in problems:
            if problem.row is None:
                if first and problem.line is not None:
                    out.append(problem)
                continue
            value = problem.value
            if problem.column in self.id_headers and value in self.twice:
                continue
            if problem.column in self.reference_headers and self._known(value):
                continue
            out.append(replace(problem, row=problem.row + offset))
        return out

    def _known(self, value) -> bool:
        return value is not None and (value in self.ids or str(value).casefold() in self.emails)


def _check(table: Table, mapping: SheetMapping):
    """Read one chunk through the mapping and validate it (raises its problems)."""
    batch, cells, fed, _ = read_mapped(table, mapping)
    validate_mapped([batch], cells, [fed])


def _chunks(header, header_line: int, records, mapping: SheetMapping):
    """``(validate, first, offset, place)`` per :data:`CHUNK` records of ``records``
    (``(line, row)`` pairs, read lazily)."""
    width = len(header)
    for start, lines, rows in chunks(records):
        ragged = tuple(
            Problem(
                f"expected {width} fields like the header, found {len(row)}",
                line=lines[k],
                row=k,
                source=SOURCE,
            )
            for k, row in enumerate(rows)
            if len(row) != width
        )
        table = Table(SOURCE, tuple(header), header_line, rows, lines, ragged)
        yield partial(_check, table, mapping), start == 0, start, f"line {lines[-1]}"


def read_mapped_sheet(
    raw: bytes, mapping: SheetMapping, limit: int
) -> tuple[Cohort, tuple[Reading, ...]]:
    """The cohort in an uploaded sheet (CSV or workbook) read through ``mapping``.

    Parameters
    ----------
    raw : the file's bytes.
    mapping : a checked mapping (:func:`matcher.io.mapping.load_mapping`).
    limit : the most participants this server takes.

    Returns
    -------
    tuple of (Cohort, tuple of Reading)
        As :func:`matcher.io.sheets.read_people`.

    Raises
    ------
    TooManyParticipants
        Past ``limit`` records (a CSV file is not read further).
    StoppedEarly
        With the first :data:`~api.sheet.MAX_PROBLEMS` problems, when a sheet has that many.
    InputError
        Every problem (the core's), when the sheet has fewer.
    """
    if is_workbook(raw):
        table = read_workbook(raw, SOURCE, mapping.sheet)
        if len(table.rows) > limit:
            raise TooManyParticipants(len(table.rows), whole=True)
        if len(table.rows) > CHUNK:
            known = _Known(table.header, mapping)
            for row in table.rows:
                known.add(row)
            records = zip(table.lines, table.rows, strict=True)
            gate(_chunks(table.header, table.header_line, records, mapping), known.certain)
        del table
        return read_people(raw, mapping=mapping)
    mapping = replace(mapping, sheet=None)  # a CSV file is its one sheet
    text = decode(raw, SOURCE)
    delimiter = sniff_delimiter(text)
    records = split_records(text, delimiter)
    first = next(records, None)
    if first is None:
        return read_people(raw, mapping=mapping)  # the core's words for an empty file
    known, count = _Known(first[1], mapping), 0
    for _, row in records:
        count += 1
        if count > limit:
            raise TooManyParticipants(count)
        known.add(row)
    if count > CHUNK:
        records = split_records(text, delimiter)
        next(records)  # the header
        gate(_chunks(first[1], first[0], records, mapping), known.certain)
    del text, records
    return read_people(raw, mapping=mapping)
