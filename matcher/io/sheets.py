"""The door for sheets of people: CSV or workbook, with or without a mapping.

:func:`read_people` reads a one-sheet cohort (or a mentors sheet and a mentees sheet),
told apart by bytes as CSV or .xlsx/.xls/.ods (:mod:`matcher.io.xlsx`). Without a
mapping the header must use mentormatch's own column names; each header that does not
gets a problem naming the closest field and ``mentormatch map``. With a mapping
(:mod:`matcher.io.mapping`) the sheet's own headers and answers are read through it
(:mod:`matcher.io.mapped`). Either way one validator checks every record, one
:class:`~matcher.model.InputError` lists every problem, and a :class:`Reading` says how
the sheet was understood (``validate`` prints it, :mod:`matcher.io.understood`).
"""

from __future__ import annotations

from dataclasses import replace

from matcher.io.decode import Table, columns_of, uninert
from matcher.io.mapped import Reading, read_mapped, validate_mapped
from matcher.io.mapping import ColumnRule, SheetMapping
from matcher.io.validate import COLUMNS, LIST_COLUMNS, Batch, Role, validate_batches
from matcher.io.xlsx import read_sheet
from matcher.model import Cohort, InputError

MAP_HINT = (
    "; for a form's own headers, write a mapping with `mentormatch map SHEET -o mapping.toml` "
    "and read the sheet with --map mapping.toml"
)


def plain_batch(table: Table, role: Role | None, ignore_unknown: bool) -> tuple[Batch, Reading]:
    """A sheet with mentormatch's own column names as a Batch, and how it was read.

    Unknown headers get a problem naming the closest field and ``mentormatch map`` (or
    are dropped with ``ignore_unknown``, and listed as ignored in the Reading).
    """
    names, problems = columns_of(table, COLUMNS, ignore_unknown)
    for k, p in enumerate(problems):
        if p.message.startswith("unknown column") and p.value:
            from matcher.io.suggest import closest_field  # 10 ms of imports: only when used

            looks = closest_field(p.value)
            problems[k] = replace(p, message=f"{p.message}; it looks like {looks}{MAP_HINT}")
    used = [(k, name) for k, name in enumerate(names) if name is not None]
    records = [{name: uninert(row[k]) for k, name in used if k < len(row)} for row in table.rows]
    batch = Batch(
        table.source,
        records,
        role=role,
        lines=table.lines,
        header_line=table.header_line,
        problems=(*problems, *table.problems),
    )
    columns = tuple((table.header[k].strip(), _identity(name)) for k, name in used)
    ignored = tuple(table.header[k].strip() for k, name in enumerate(names) if name is None)
    return batch, Reading(table.source, columns, ignored)


def _identity(name: str) -> ColumnRule:
    separator = (";",) if name in LIST_COLUMNS else ()
    return ColumnRule(name, fields=(name,), separator=separator)


def read_people(
    cohort=None,
    *,
    mentors=None,
    mentees=None,
    mapping: SheetMapping | None = None,
    sheet: str | None = None,
    aliases=None,
    ignore_unknown: bool = False,
    org_chart=(),
) -> tuple[Cohort, tuple[Reading, ...]]:
    """Read and validate a cohort from one sheet, or from a mentors and a mentees sheet.

    Parameters
    ----------
    cohort : path, bytes or binary stream of a one-sheet cohort (each row has a role).
    mentors, mentees : the two-sheet form instead (role fixed per sheet).
    mapping : how to read the sheets' own headers and answers; None for mentormatch's
        own column names.
    sheet : the workbook sheet to read (default: the mapping's ``sheet``, else the first).
    aliases : tag -> canonical tag mapping applied to every tag.
    ignore_unknown : drop unknown columns (without a mapping) instead of reporting them.
    org_chart : extra (person_id, manager_id) edges stored on the Cohort.

    Returns
    -------
    tuple of (Cohort, tuple of Reading)
        The cohort and, per sheet, how it was read.

    Raises
    ------
    InputError
        Listing every problem of every sheet (sources ``"cohort"``, or ``"mentors"`` and
        ``"mentees"``; the mapping's problems carry the mapping's name).
    """
    if (cohort is None) == (mentors is None and mentees is None) or (
        cohort is None and (mentors is None or mentees is None)
    ):
        raise TypeError("give cohort, or both mentors and mentees")
    inputs = (
        [(cohort, "cohort", None)]
        if cohort is not None
        else [(mentors, "mentors", Role.MENTOR), (mentees, "mentees", Role.MENTEE)]
    )
    chosen = sheet if sheet is not None else (mapping.sheet if mapping else None)
    tables, problems = [], []
    for data, source, role in inputs:
        try:
            tables.append((read_sheet(data, source, chosen), role))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems, title="the cohort could not be read")
    if mapping is None:
        read = [plain_batch(table, role, ignore_unknown) for table, role in tables]
        batches = [batch for batch, _ in read]
        people = validate_batches(batches, aliases=aliases, org_chart=org_chart)
        return people, tuple(reading for _, reading in read)
    batches, cells, fed, readings = [], [], [], []
    for table, role in tables:
        try:
            batch, cell_problems, row_fields, reading = read_mapped(table, mapping, role)
        except InputError as error:
            problems.extend(error.problems)
            continue
        batches.append(batch)
        cells.extend(cell_problems)
        fed.append(row_fields)
        readings.append(reading)
    if problems:
        unique = list(dict.fromkeys(problems))  # a mapping problem found for both sheets
        raise InputError(unique, title="the sheet does not match the mapping")
    people = validate_mapped(batches, cells, fed, aliases=aliases, org_chart=org_chart)
    return people, tuple(readings)
