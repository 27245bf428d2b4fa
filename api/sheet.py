"""Cohorts uploaded over HTTP, read with memory bounded by the body, not by its mistakes.

The core's reader (:func:`matcher.io.cohort_csv.read_cohort`) splits the whole file, then
validates every record and keeps every problem: a 13 MB file of short rows makes 2.6
million problems and takes gigabytes. :func:`read_sheet` reads the same bytes with the
core's own pieces (decoding, delimiter sniffing, column names, the record validator), but:

* records are split one at a time, and reading stops at the first record past the
  participant limit (413): nothing beyond it is split or kept;
* records are validated :data:`CHUNK` at a time first, keeping only the problems that
  hold whatever the rest of the file says (a record's own cells; an id used twice inside
  the chunk; an ``exclude``/``prefer`` id nobody in the file has), and reading stops once
  :data:`MAX_PROBLEMS` are found: the answer lists those, says that checking stopped, and
  nothing is stored;
* only a file with fewer problems is read and validated whole by the core (the rules that
  span records: ids unique across the file, who may be excluded or preferred), so what is
  accepted, and every problem of a file that is nearly right, is exactly what the CLI says.

Before the core reads a file, memory is the decoded text, its ids and at most a chunk of
records and their problems (a workbook's sheet is unpacked whole first: its cells come
compressed). Line numbers are the file's physical lines, as the core's. Sheets read
through a mapping keep the same limits (:mod:`api.mapped_sheet`). JSON records (counted
against the limit before anything else) go through the same chunked check,
:func:`check_records`, before the core validates them whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import partial

from matcher.io.cohort_csv import read_cohort
from matcher.io.decode import Table, columns_of, decode, sniff_delimiter, uninert
from matcher.io.records import cohort_from_records
from matcher.io.validate import COLUMNS, Batch, canonical_column, validate_batches
from matcher.io.xlsx import read_workbook
from matcher.model import Cohort, InputError, Problem

CHUNK = 2_000  # records validated together before the whole file is
WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip) and .xls (OLE)
MAX_PROBLEMS = 200  # checking stops once this many problems are found
SOURCE = "cohort"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_REFERENCES = ("exclude", "prefer")


class TooManyParticipants(Exception):
    """More records than the limit; ``count`` is the limit + 1 where reading stopped (a
    CSV file), or every record (a workbook, which is unpacked whole: ``whole``)."""

    def __init__(self, count: int, whole: bool = False):
        super().__init__(count)
        self.count, self.whole = count, whole


class StoppedEarly(InputError):
    """The first :data:`MAX_PROBLEMS` problems; ``stopped_at`` says where checking stopped
    (``line 2001``, ``participants[1999]``)."""

    def __init__(self, problems, stopped_at: str):
        super().__init__(problems, title="the cohort was rejected")
        self.stopped_at = stopped_at


def split_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with any text, and the physical line where it starts (as the core)."""
    lines = (m.group() for m in _LINE.finditer(text))
    if '"' not in text and not _OTHER_BREAKS.search(text):
        for number, line in enumerate(lines, 1):
            row = line.rstrip("\r\n").split(delimiter)
            if any(cell.strip() for cell in row):
                yield number, row
        return
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield previous + 1, row
            previous = reader.line_num
    except csv.Error as error:
        message = f"cannot read this record ({error}); check its double quotes"
        problem = Problem(message, line=previous + 1, source=SOURCE)
        raise InputError([problem], title=f"the {SOURCE} file could not be read") from None


class _Reader:
    """The header's columns, and batches of records as the core's validator takes them."""

    def __init__(self, header: list[str], header_line: int):
        table = Table(SOURCE, tuple(header), header_line, [], [])
        self.names, self.header_problems = columns_of(table, COLUMNS)
        self.used = [(k, name) for k, name in enumerate(self.names) if name is not None]
        self.width, self.header_line = len(header), header_line
        self.id_column = next((k for k, name in self.used if name == "id"), None)

    def batch(self, rows: list[list[str]], lines: list[int], with_header: bool) -> Batch:
        ragged = tuple(
            Problem(
                f"expected {self.width} fields like the header, found {len(row)}",
                line=lines[k],
                row=k,
                source=SOURCE,
            )
            for k, row in enumerate(rows)
            if len(row) != self.width
        )
        records = [{name: uninert(row[k]) for k, name in self.used if k < len(row)} for row in rows]
        problems = (*self.header_problems, *ragged) if with_header else ragged
        return Batch(SOURCE, records, lines=lines, header_line=self.header_line, problems=problems)

    def record_id(self, row: list[str]) -> str | None:
        k = self.id_column
        return uninert(row[k]).strip() if k is not None and k < len(row) else None


class _Ids:
    """Every id of the input, and those used more than once."""

    def __init__(self):
        self.all: set[str] = set()
        self.twice: set[str] = set()

    def add(self, value) -> None:
        if value is None:
            return
        text = str(value).strip()
        (self.twice if text in self.all else self.all).add(text)


def _certain(problems, first: bool, offset: int, ids: _Ids) -> list[Problem]:
    """The problems of a chunk that hold for the whole input, with input-wide row numbers.

    Dropped: cohort-wide ones (no mentors, no records) and header ones after the first
    chunk; ``exclude``/``prefer`` problems about an id someone in the input has (the
    person may be in another chunk); problems of an id used twice (the core names the
    other use by its place in the whole input).
    """
    out = []
    for problem in problems:
        if problem.row is None:
            if first and problem.line is not None:
                out.append(problem)
            continue
        if problem.column in _REFERENCES and problem.value in ids.all:
            continue
        if problem.column == "id" and problem.value in ids.twice:
            continue
        out.append(replace(problem, row=problem.row + offset))
    return out


def gate(validations, certain) -> None:
    """Run ``(validate, first, offset, place)`` chunk checks until MAX_PROBLEMS are found.

    ``certain(problems, first, offset)`` keeps the problems of a chunk that hold for the
    whole input (:func:`_certain` for sheets with mentormatch's own columns).
    """
    found: list[Problem] = []
    for validate, first, offset, place in validations:
        try:
            validate()
        except InputError as error:
            found += certain(error.problems, first, offset)
        if len(found) >= MAX_PROBLEMS:
            raise StoppedEarly(found[:MAX_PROBLEMS], place)


def read_sheet(raw: bytes, limit: int) -> Cohort:
    """The cohort in an uploaded one-file sheet (a ``role`` column).

    The text is split lazily, keeping little: once to count the records and collect their
    ids, once more to check them a chunk at a time (above :data:`CHUNK` records). Then
    the core reads the bytes itself (:func:`~matcher.io.cohort_csv.read_cohort`), so an
    accepted sheet, and every problem of a nearly right one, is exactly what the CLI
    says. A workbook (zip or OLE bytes) is unpacked whole, then counted and checked in
    chunks the same way before the core reads it.

    Raises
    ------
    TooManyParticipants
        At the first record past ``limit`` (the rest is not read).
    StoppedEarly
        With the first :data:`MAX_PROBLEMS` problems, when a file has at least that many.
    InputError
        Every problem (the core's), when the file has fewer.
    """
    if raw[:4] in WORKBOOKS:
        _check_workbook(raw, limit)
        return read_cohort(raw)
    text = decode(raw, SOURCE)
    delimiter = sniff_delimiter(text)
    records = split_records(text, delimiter)
    first = next(records, None)
    if first is None:
        return read_cohort(raw)  # the core's words for an empty file
    reader = _Reader(first[1], first[0])
    count, ids = 0, _Ids()
    for _, row in records:
        count += 1
        if count > limit:
            raise TooManyParticipants(count)
        ids.add(reader.record_id(row))
    if count > CHUNK:
        records = split_records(text, delimiter)
        next(records)  # the header
        gate(_sheet_chunks(reader, records), partial(_certain, ids=ids))
    del text, records, ids
    return read_cohort(raw)


def _check_workbook(raw: bytes, limit: int) -> None:
    """The participant limit and the problem cap for a workbook's first sheet.

    A workbook is unpacked whole (its cells are compressed, so nothing is gained by
    stopping early); its rows are then counted and checked a chunk at a time as a CSV
    file's are.
    """
    table = read_workbook(raw, SOURCE)
    if len(table.rows) > limit:
        raise TooManyParticipants(len(table.rows), whole=True)
    if len(table.rows) <= CHUNK:
        return
    reader, ids = _Reader(list(table.header), table.header_line), _Ids()
    for row in table.rows:
        ids.add(reader.record_id(row))
    records = zip(table.lines, table.rows, strict=True)
    gate(_sheet_chunks(reader, records), partial(_certain, ids=ids))


def chunks(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list, list]]:
    """``(offset, lines, rows)`` of each :data:`CHUNK` ``(line, row)`` records, read lazily."""
    start = 0
    while True:
        lines, rows = [], []
        for line, row in records:
            lines.append(line)
            rows.append(row)
            if len(rows) == CHUNK:
                break
        if not rows:
            return
        yield start, lines, rows
        start += len(rows)


def _sheet_chunks(reader: _Reader, records: Iterator[tuple[int, list[str]]]):
    """``(validate, first, offset, place)`` for each :data:`CHUNK` records, read lazily."""
    for start, lines, rows in chunks(records):
        batch = reader.batch(rows, lines, with_header=start == 0)
        yield (lambda b=batch: validate_batches([b])), start == 0, start, f"line {lines[-1]}"


def _record_id(record, names: dict) -> object:
    if not isinstance(record, Mapping):
        return None
    for key, value in record.items():
        if names.setdefault(key, canonical_column(key)) == "id":
            return value
    return None


def check_records(lists: Mapping[str, list]) -> None:
    """Check JSON records (``participants``, or ``mentors`` and ``mentees``) in chunks.

    Does nothing for inputs of at most :data:`CHUNK` records (the core then validates
    them whole at no risk).

    Raises
    ------
    StoppedEarly
        With the first :data:`MAX_PROBLEMS` problems, when the records have that many.
    """
    if sum(len(records) for records in lists.values()) <= CHUNK:
        return
    ids, names = _Ids(), {}
    for records in lists.values():
        for record in records:
            ids.add(_record_id(record, names))

    def one(key, chunk):
        if key == "participants":
            return lambda: cohort_from_records(chunk)
        other = "mentees" if key == "mentors" else "mentors"
        return lambda: cohort_from_records(**{key: chunk, other: []})

    gate(
        (
            (
                one(key, records[start : start + CHUNK]),
                False,
                start,
                f"{key}[{min(start + CHUNK, len(records)) - 1}]",
            )
            for key, records in lists.items()
            for start in range(0, len(records), CHUNK)
        ),
        partial(_certain, ids=ids),
    )
