"""Pair-level CSV files: bring-your-own scores in, assignments out (and back in).

* :func:`read_scores` reads ``mentee_id,mentor_id,score`` into
  :class:`~matcher.model.ExternalScores` (index arrays into the cohort, in file order);
  built for large files (640,000 rows in about a second).
* :func:`write_pairs` writes a :class:`~matcher.results.MatchResult` as the file a
  coordinator opens in Excel: UTF-8 with BOM, comma, ``\\r\\n`` line ends, one row per
  pair then one per unmatched mentee. Numbers stay numbers (a score of -3.5 is written
  ``-3.500000``); text cells that look like formulas get a leading ``'``.
* :func:`read_assignments` reads such a file back into typed dicts.
"""

from __future__ import annotations

import math

from matcher.io.decode import (
    columns_of,
    emit,
    inert,
    load_bytes,
    read_table,
    to_csv_text,
    uninert,
)
from matcher.io.fields import no_gc
from matcher.io.score_file import missing_columns, read_scores, reject
from matcher.io.xlsx import is_workbook, read_workbook
from matcher.model import COMPONENTS, Cohort, Problem
from matcher.results import MatchResult

_FIXED = ("mentee_id", "mentor_id", "score", "pinned", "explanation")
CONTACT_COLUMNS = ("mentee_name", "mentee_email", "mentor_name", "mentor_email")
__all__ = ["read_scores", "write_pairs", "read_assignments", "assignment_rows", "contacts"]


# --------------------------------------------------------------------------- assignments


def _number(x: float, digits: int) -> str:
    if not math.isfinite(x):
        return inert(str(x))
    text = f"{x:.{digits}f}"
    return text[1:] if text.lstrip("-0.") == "" and text.startswith("-") else text


def _numbers(values, digits: int) -> list[str]:
    """:func:`_number` of each value; plain non-negative numbers take the short way."""
    texts = [f"{x:.{digits}f}" for x in values]
    return [
        _number(x, digits) if text[0] == "-" or text[-1] in "fn" else text  # -, inf, nan
        for x, text in zip(values, texts, strict=True)
    ]


def contacts(cohort: Cohort | None) -> tuple[dict, dict, tuple[str, ...]]:
    """Names and emails by id, and which contact columns the cohort can fill.

    Returns
    -------
    tuple of (dict, dict, tuple of str)
        ``{mentee id: (name, email)}``, ``{mentor id: (name, email)}`` and the columns of
        :data:`CONTACT_COLUMNS` for which someone has a value (none without a cohort).
    """
    if cohort is None:
        return {}, {}, ()
    mentees = {p.id: (p.name or "", p.email or "") for p in cohort.mentees}
    mentors = {p.id: (p.name or "", p.email or "") for p in cohort.mentors}
    has_name = any(n for n, _ in [*mentees.values(), *mentors.values()])
    has_email = any(e for _, e in [*mentees.values(), *mentors.values()])
    kept = tuple(
        c
        for c in CONTACT_COLUMNS
        if (has_name and c.endswith("name")) or (has_email and c.endswith("email"))
    )
    return mentees, mentors, kept


def _contact_cells(known: dict, role: str, kept, ids) -> list[list[str]]:
    """The ``kept`` contact cells of ``role`` for each id (blank for None and unknown ids)."""
    at = [k for k, c in enumerate(("name", "email")) if f"{role}_{c}" in kept]
    found: dict = {}
    out = []
    for pid in ids:
        cells = found.get(pid)
        if cells is None:
            values = known.get(pid, ("", ""))
            cells = found[pid] = [inert(values[k]) for k in at]
        out.append(cells)
    return out


def assignment_rows(result: MatchResult, cohort: Cohort | None = None):
    """The header and rows of the assignments file (cells as text, formula-safe)."""
    used = {name for pair in result.pairs for name, _ in pair.components}
    present = [c for c in COMPONENTS if c in used]
    mentees, mentors, kept = contacts(cohort)
    yield ["mentee_id", "mentor_id", *kept, "score", *present, "pinned", "explanation"]
    pairs = result.pairs
    parts = [dict(pair.components) for pair in pairs]
    columns = [
        [inert(pair.mentee_id) for pair in pairs],
        [inert(pair.mentor_id) for pair in pairs],
        _contact_cells(mentees, "mentee", kept, [pair.mentee_id for pair in pairs]),
        _contact_cells(mentors, "mentor", kept, [pair.mentor_id for pair in pairs]),
        _numbers([pair.score for pair in pairs], 6),
    ]
    for c in present:
        texts = _numbers([part.get(c, 0.0) for part in parts], 4)
        columns.append([t if c in part else "" for t, part in zip(texts, parts, strict=True)])
    columns.append(["true" if pair.pinned else "false" for pair in pairs])
    columns.append([inert(pair.explanation) for pair in pairs])
    for e, m, e_cells, m_cells, *rest in zip(*columns, strict=True):
        yield [e, m, *e_cells, *m_cells, *rest]
    left = result.unmatched
    e_cells = _contact_cells(mentees, "mentee", kept, [u.mentee_id for u in left])
    no_mentor = _contact_cells(mentors, "mentor", kept, [None])[0]
    blank = [""] * len(present)
    for u, cells in zip(left, e_cells, strict=True):
        notes = [*u.reasons, *([f"{u.missing} places missing"] if u.missing > 1 else [])]
        yield [inert(u.mentee_id), "", *cells, *no_mentor, "", *blank, "", inert("; ".join(notes))]


def write_pairs(result: MatchResult, path_or_stream, cohort: Cohort | None = None) -> None:
    """Write a result's pairs and unmatched mentees as an Excel-safe CSV.

    Parameters
    ----------
    result : the match result; pairs are written in the order given, then the
        unmatched mentees.
    path_or_stream : a str or Path, a binary stream, or a text stream.
    cohort : the matched cohort, to add ``mentee_name``, ``mentee_email``,
        ``mentor_name`` and ``mentor_email`` after the ids (those somebody has); None for
        ids only.

    Returns
    -------
    None
        Header ``mentee_id,mentor_id,[contacts,]score,<components used by any pair>,
        pinned,explanation``; scores with 6 decimals, components with 4; ``pinned`` is
        ``true``/``false`` (empty for unmatched rows, whose mentor and score are empty and
        whose explanation lists the reasons and, above one, the missing places).
    """
    with no_gc():  # a row of new strings per pair: see matcher.io.fields.no_gc
        emit(to_csv_text(assignment_rows(result, cohort)), path_or_stream)


def read_assignments(path) -> list[dict]:
    """Read an assignments CSV written by :func:`write_pairs`.

    Parameters
    ----------
    path : str or Path, bytes, or a binary stream: the CSV, or the workbook (its Pairs
        sheet).

    Returns
    -------
    list of dict
        One per row, keys in file order: ``mentee_id`` (str), ``mentor_id`` (str, None for
        unmatched), ``score`` and components (float or None), ``pinned`` (bool or None),
        ``explanation`` and, when written, the contact columns (str).

    Raises
    ------
    InputError
        For unknown or missing columns, ragged rows, non-numbers and bad ``pinned``.
    """
    data = load_bytes(path, "assignments")
    if is_workbook(data):  # the workbook `match -o pairs.xlsx` writes
        table = read_workbook(data, "assignments", "Pairs")
    else:
        table = read_table(data, "assignments")
    names, problems = columns_of(table, (*_FIXED[:3], *CONTACT_COLUMNS, *COMPONENTS, *_FIXED[3:]))
    problems += [*missing_columns(names, _FIXED, table), *table.problems]
    used = [(k, name) for k, name in enumerate(names) if name is not None]
    out = []
    for row, line in zip(table.rows, table.lines, strict=True):
        record: dict = {}
        for k, name in used:
            cell = uninert(row[k]) if k < len(row) else ""
            if name in ("mentee_id", "explanation", *CONTACT_COLUMNS):
                record[name] = cell
            elif name == "mentor_id":
                record[name] = cell or None
            elif name == "pinned":
                record[name] = {"true": True, "false": False, "": None}.get(cell.strip().lower())
                if cell.strip().lower() not in ("true", "false", ""):
                    problems.append(
                        Problem(
                            "expected true or false",
                            line=line,
                            column=name,
                            value=cell[:80],
                            source="assignments",
                        )
                    )
            else:
                try:
                    record[name] = float(cell) if cell.strip() else None
                except ValueError:
                    problems.append(
                        Problem(
                            "expected a number",
                            line=line,
                            column=name,
                            value=cell[:80],
                            source="assignments",
                        )
                    )
        out.append(record)
    if problems:
        reject(problems, "the assignments file was rejected")
    return out
