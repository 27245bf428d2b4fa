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

import numpy as np

from matcher.io.decode import (
    columns_of,
    emit,
    inert,
    load_bytes,
    no_gc,
    read_table,
    to_csv_text,
    uninert,
)
from matcher.io.xlsx import is_workbook, read_workbook
from matcher.model import COMPONENTS, Cohort, ExternalScores, InputError, Problem
from matcher.results import MatchResult

_SCORE_COLUMNS = ("mentee_id", "mentor_id", "score")
_FIXED = ("mentee_id", "mentor_id", "score", "pinned", "explanation")
CONTACT_COLUMNS = ("mentee_name", "mentee_email", "mentor_name", "mentor_email")


def _missing_columns(names, required, table) -> list[Problem]:
    return [
        Problem(f"there is no '{c}' column", line=table.header_line, column=c, source=table.source)
        for c in required
        if c not in names
    ]


def _reject(problems, title: str):
    problems = sorted(problems, key=lambda p: p.line or 0)
    raise InputError(problems, title=title)


# --------------------------------------------------------------------------- scores


def read_scores(path, cohort: Cohort) -> ExternalScores:
    """Read bring-your-own pair scores for ``cohort``.

    Parameters
    ----------
    path : str or Path of a CSV with columns ``mentee_id``, ``mentor_id``, ``score``
        (any order), its bytes, or a binary stream.
    cohort : the cohort the ids refer to.

    Returns
    -------
    ExternalScores
        int64 indices into ``cohort.mentees`` / ``cohort.mentors`` and float64 values,
        in file order. Scores may be any finite real, negative included.

    Raises
    ------
    InputError
        For unknown ids, ids of the wrong role, scores that are not finite numbers,
        repeated pairs, and unknown, missing or ragged columns (source ``"scores"``).
    """
    table = read_table(path, "scores")
    names, problems = columns_of(table, _SCORE_COLUMNS)
    problems += [*_missing_columns(names, _SCORE_COLUMNS, table), *table.problems]
    if any(c not in names for c in _SCORE_COLUMNS):
        _reject(problems, "the scores were rejected")
    columns = tuple(names.index(c) for c in _SCORE_COLUMNS)
    mentee_pos = {m: k for k, m in enumerate(cohort.mentee_ids)}
    mentor_pos = {m: k for k, m in enumerate(cohort.mentor_ids)}
    arrays = None if problems else _fast_scores(table.rows, columns, mentee_pos, mentor_pos)
    if arrays is None:
        arrays = _checked_scores(table, columns, mentee_pos, mentor_pos, problems)
    if not problems:
        problems = _repeated_pairs(arrays[0], arrays[1], len(mentor_pos), table.lines)
    if problems:
        _reject(problems, "the scores were rejected")
    return ExternalScores(mentee_index=arrays[0], mentor_index=arrays[1], value=arrays[2])


def _fast_scores(rows, columns, mentee_pos, mentor_pos):
    """Index and value arrays in a few C-speed passes, or None if any cell is not clean."""
    n = len(rows)
    with no_gc():
        cells = list(zip(*rows, strict=True))
    try:
        mentee_index = np.fromiter(map(mentee_pos.__getitem__, cells[columns[0]]), np.int64, n)
        mentor_index = np.fromiter(map(mentor_pos.__getitem__, cells[columns[1]]), np.int64, n)
        value = np.fromiter(map(float, cells[columns[2]]), np.float64, n)
    except (KeyError, ValueError):
        return None
    return (mentee_index, mentor_index, value) if np.isfinite(value).all() else None


def _checked_scores(table, columns, mentee_pos, mentor_pos, problems):
    """Row by row, reporting every bad cell (the slow path, taken only for bad files)."""
    ie, im, isc = columns
    width = len(table.header)
    n = len(table.rows)
    mentee_index, mentor_index = np.zeros(n, np.int64), np.zeros(n, np.int64)
    value = np.zeros(n, np.float64)

    def lookup(cell, own, other, want, line, column):
        key = uninert(cell.strip())
        found = own.get(key)
        if found is None:
            if key in other:
                wrong = "mentor" if want == "mentee" else "mentee"
                message = f"expected the id of a {want}, not of a {wrong}"
            else:
                message = f"expected the id of a {want} in the cohort; no one has this id"
            problems.append(
                Problem(message, line=line, column=column, value=cell[:80], source="scores")
            )
        return found

    for k, (row, line) in enumerate(zip(table.rows, table.lines, strict=True)):
        if len(row) != width:
            continue
        i = lookup(row[ie], mentee_pos, mentor_pos, "mentee", line, "mentee_id")
        j = lookup(row[im], mentor_pos, mentee_pos, "mentor", line, "mentor_id")
        text = row[isc]
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            message = "expected a finite number" if number is not None else "expected a number"
            problems.append(
                Problem(message, line=line, column="score", value=text[:80], source="scores")
            )
        elif i is not None and j is not None:
            mentee_index[k], mentor_index[k], value[k] = i, j, number
    return mentee_index, mentor_index, value


def _repeated_pairs(mentee_index, mentor_index, n_mentors, lines) -> list[Problem]:
    keys = mentee_index * max(n_mentors, 1) + mentor_index
    ordered = np.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():
        return []
    first: dict[int, int] = {}
    problems = []
    for k, key in enumerate(keys.tolist()):
        if key in first:
            message = f"expected each pair once; also listed on line {lines[first[key]]}"
            problems.append(Problem(message, line=lines[k], source="scores"))
        else:
            first[key] = k
    return problems


# --------------------------------------------------------------------------- assignments


def _number(x: float, digits: int) -> str:
    if not math.isfinite(x):
        return inert(str(x))
    text = f"{x:.{digits}f}"
    return text[1:] if text.lstrip("-0.") == "" and text.startswith("-") else text


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


def _contact_cells(mentee: str, mentor: str | None, people, kept) -> list[str]:
    mentees, mentors, _ = people
    values = {}
    values["mentee_name"], values["mentee_email"] = mentees.get(mentee, ("", ""))
    values["mentor_name"], values["mentor_email"] = mentors.get(mentor, ("", ""))
    return [inert(values[c]) for c in kept]


def assignment_rows(result: MatchResult, cohort: Cohort | None = None):
    """The header and rows of the assignments file (cells as text, formula-safe)."""
    used = {name for pair in result.pairs for name, _ in pair.components}
    present = [c for c in COMPONENTS if c in used]
    people = contacts(cohort)
    kept = people[2]
    yield ["mentee_id", "mentor_id", *kept, "score", *present, "pinned", "explanation"]
    for pair in result.pairs:
        parts = dict(pair.components)
        cells = [_number(parts[c], 4) if c in parts else "" for c in present]
        yield [
            inert(pair.mentee_id),
            inert(pair.mentor_id),
            *_contact_cells(pair.mentee_id, pair.mentor_id, people, kept),
            _number(pair.score, 6),
            *cells,
            "true" if pair.pinned else "false",
            inert(pair.explanation),
        ]
    for left in result.unmatched:
        notes = [*left.reasons, *([f"{left.missing} places missing"] if left.missing > 1 else [])]
        yield [
            inert(left.mentee_id),
            "",
            *_contact_cells(left.mentee_id, None, people, kept),
            "",
            *[""] * len(present),
            "",
            inert("; ".join(notes)),
        ]


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
    problems += [*_missing_columns(names, _FIXED, table), *table.problems]
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
        _reject(problems, "the assignments file was rejected")
    return out
