"""Cohort CSV files in and out, the way a coordinator's spreadsheet needs them.

Reading (:func:`read_cohort`, :func:`read_cohort_files`, :func:`read_org_chart`):
bytes are decoded and split by :mod:`matcher.io.decode` (UTF-8 with or without BOM,
UTF-16 with BOM; delimiter sniffed among ``,`` ``;`` tab ``|``), or read as a workbook
(:mod:`matcher.io.xlsx`); header names are matched case-insensitively with spaces,
hyphens and underscores equivalent, or read through a mapping (:mod:`matcher.io.sheets`),
and every record is validated by :mod:`matcher.io.validate`. All problems are reported at
once, each with the physical line where its record starts.

Writing (:func:`write_cohort`): the one-file form with a ``role`` column and always the
full canonical column set in :data:`~matcher.io.validate.COLUMNS` order; UTF-8 with
BOM, comma, ``\\r\\n`` line ends, deterministic byte for byte. Formula-like text cells
are made inert with a leading ``'`` (read back without it). Scores and assignments files
are handled in :mod:`matcher.io.pair_files` and re-exported here.
"""

from __future__ import annotations

from dataclasses import replace

from matcher.io.decode import columns_of, emit, inert, read_table, to_csv_text, uninert
from matcher.io.fields import FieldError, parse_id, parse_timezone
from matcher.io.pair_files import read_assignments, read_scores, write_pairs
from matcher.io.validate import COLUMNS, Role
from matcher.model import Cohort, InputError, Problem

__all__ = [
    "read_assignments",
    "read_cohort",
    "read_cohort_files",
    "read_org_chart",
    "read_scores",
    "write_pairs",
    "write_cohort",
]


def read_cohort(
    path_or_bytes,
    *,
    aliases=None,
    ignore_unknown=False,
    org_chart=(),
    mapping=None,
    sheet=None,
) -> Cohort:
    """Read a one-sheet cohort (a ``role`` column says mentor or mentee).

    Parameters
    ----------
    path_or_bytes : str or Path of the file, its bytes, or a binary stream: CSV, or an
        .xlsx/.xls/.ods workbook.
    aliases : tag -> canonical tag mapping (or pairs) applied to every tag.
    ignore_unknown : drop unknown columns instead of reporting them.
    org_chart : extra (person_id, manager_id) edges to store on the Cohort.
    mapping : a :class:`~matcher.io.mapping.SheetMapping` to read a form's own headers
        and answers; None for mentormatch's column names.
    sheet : the workbook sheet to read (None: the mapping's, else the first).

    Returns
    -------
    Cohort

    Raises
    ------
    InputError
        Listing every problem (source ``"cohort"``, physical line, column).
    """
    from matcher.io.sheets import read_people

    options = dict(mapping=mapping, sheet=sheet, ignore_unknown=ignore_unknown)
    return read_people(path_or_bytes, aliases=aliases, org_chart=org_chart, **options)[0]


def read_cohort_files(
    mentors, mentees, *, aliases=None, ignore_unknown=False, org_chart=(), mapping=None, sheet=None
) -> Cohort:
    """Read a cohort given as a mentors file and a mentees file.

    Parameters
    ----------
    mentors, mentees : each a path, bytes or binary stream (CSV or workbook); a ``role``
        column is not needed, but where given it must agree with the file.
    aliases, ignore_unknown, org_chart, mapping, sheet : as for :func:`read_cohort`.

    Returns
    -------
    Cohort

    Raises
    ------
    InputError
        Listing the problems of both files (sources ``"mentors"`` and ``"mentees"``).
    """
    from matcher.io.sheets import read_people

    options = dict(mapping=mapping, sheet=sheet, ignore_unknown=ignore_unknown)
    return read_people(
        mentors=mentors, mentees=mentees, aliases=aliases, org_chart=org_chart, **options
    )[0]


def read_org_chart(path) -> tuple[tuple[str, str], ...]:
    """Read an org-chart CSV with columns ``id`` and ``manager_id``.

    Parameters
    ----------
    path : str or Path of the file, its bytes, or a binary stream.

    Returns
    -------
    tuple of (id, manager_id)
        In file order; rows with an empty ``manager_id`` (the top of the chart) are skipped.

    Raises
    ------
    InputError
        For missing or unknown columns, bad or repeated ids, and self-managers (source
        ``"org_chart"``).
    """
    table = read_table(path, "org_chart")
    names, problems = columns_of(table, ("id", "manager_id"))
    problems.extend(table.problems)
    for required in ("id", "manager_id"):
        if required not in names:
            message = f"there is no '{required}' column"
            problems.append(Problem(message, line=table.header_line, column=required))
    edges, first_line = [], {}
    index = {name: k for k, name in enumerate(names) if name is not None}
    for row, line in zip(table.rows, table.lines, strict=True):
        cells = {name: uninert(row[k]).strip() for name, k in index.items() if k < len(row)}
        pair = []
        for column in ("id", "manager_id"):
            value = cells.get(column, "")
            if column == "manager_id" and not value:
                break
            try:
                pair.append(parse_id(value))
            except FieldError as error:
                message, _ = error.issues[0]
                problems.append(Problem(message, line=line, column=column, value=value[:80]))
        where = dict(line=line, source="org_chart")
        if len(pair) < 2:
            continue
        person, manager = pair
        if person == manager:
            message = "expected someone else's id as manager, not this person's own"
            problems.append(Problem(message, column="manager_id", value=manager, **where))
        elif person in first_line:
            message = f"expected each person once; also listed on line {first_line[person]}"
            problems.append(Problem(message, column="id", value=person, **where))
        else:
            first_line[person] = line
            edges.append((person, manager))
    if problems:
        fixed = [p if p.source else replace(p, source="org_chart") for p in problems]
        fixed.sort(key=lambda p: p.line or 0)
        raise InputError(fixed, title="the org chart was rejected")
    return tuple(edges)


def _cohort_rows(cohort: Cohort):
    yield COLUMNS
    for role, people in ((Role.MENTOR, cohort.mentors), (Role.MENTEE, cohort.mentees)):
        for p in people:
            skills = ";".join(
                s.name if s.level is None else f"{s.name}:{s.level}" for s in p.skills
            )
            zone = p.timezone or ""
            try:
                zone = parse_timezone(zone)[0] if zone else ""
            except ValueError:
                pass  # written as given; the reader will report it
            cells = {
                "id": p.id,
                "role": role.value,
                "name": p.name or "",
                "email": p.email or "",
                "seniority": "" if p.seniority is None else str(p.seniority),
                "skills": skills,
                "goals": ";".join(p.goals),
                "capacity": str(p.capacity),
                "min_capacity": str(p.min_capacity) if role is Role.MENTOR else "",
                "department": p.department or "",
                "location": p.location or "",
                "timezone": zone,
                "languages": ";".join(p.languages),
                "manager_id": p.manager_id or "",
                "exclude": ";".join(p.exclude),
                "prefer": ";".join(p.prefer),
            }
            yield [inert(cells[column]) for column in COLUMNS]


def write_cohort(cohort: Cohort, path_or_stream) -> None:
    """Write the cohort as one CSV file (mentors first) that :func:`read_cohort` reads back.

    Parameters
    ----------
    cohort : the cohort to write (its org chart and external scores are not written).
    path_or_stream : a str or Path, a binary stream, or a text stream.

    Returns
    -------
    None
    """
    emit(to_csv_text(_cohort_rows(cohort)), path_or_stream)
