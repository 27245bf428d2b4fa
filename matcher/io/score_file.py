"""Bring-your-own pair scores in: ``mentee_id,mentor_id,score`` -> :class:`ExternalScores`.

:func:`read_scores` reads a plain file (no quotes, one record per line, known ids, plain
decimals) in whole-file passes: one split of the text, one dict lookup per id cell, one
float conversion of the score column (500,000 rows in about 0.2 s). Any other file is
read row by row through the CSV reader, and every problem is reported with its line,
column, value and what was expected: unknown ids, ids of the wrong role, formulas, scores
that are not finite plain decimals, repeated pairs, unknown, missing or ragged columns.
"""

from __future__ import annotations

import math
import re

import numpy as np

from matcher.io.decode import (
    _OTHER_BREAKS,
    Table,
    columns_of,
    decode,
    load_bytes,
    no_gc,
    read_table,
    sniff_delimiter,
    uninert,
)
from matcher.model import Cohort, ExternalScores, InputError, Problem

_SCORE_COLUMNS = ("mentee_id", "mentor_id", "score")


def missing_columns(names, required, table) -> list[Problem]:
    """A problem for each ``required`` column the table's header lacks."""
    return [
        Problem(f"there is no '{c}' column", line=table.header_line, column=c, source=table.source)
        for c in required
        if c not in names
    ]


def reject(problems, title: str):
    """Raise one InputError with ``problems`` in file order."""
    problems = sorted(problems, key=lambda p: p.line or 0)
    raise InputError(problems, title=title)


def read_scores(path, cohort: Cohort) -> ExternalScores:
    """Read bring-your-own pair scores for ``cohort``.

    A plain file (no quotes, one record per line, every id known, every score a plain
    decimal) is read in a few whole-file passes: one split of the text, one dict lookup
    per id cell, one float conversion of the score column. Anything else takes the careful
    path, which reads row by row and reports every problem.

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
        For unknown ids, ids of the wrong role, scores that are not finite numbers
        (formulas, ``1_000``, ``nan`` and ``inf`` included), repeated pairs, and unknown,
        missing or ragged columns (source ``"scores"``); every problem carries its line,
        column and value.
    """
    text = decode(load_bytes(path, "scores"), "scores")
    mentee_pos = {m: k for k, m in enumerate(cohort.mentee_ids)}
    mentor_pos = {m: k for k, m in enumerate(cohort.mentor_ids)}
    found = _plain_scores(text, mentee_pos, mentor_pos)
    if found is None:
        found = _careful_scores(text, mentee_pos, mentor_pos)
    arrays, lines = found
    problems = _repeated_pairs(arrays[0], arrays[1], len(mentor_pos), lines)
    if problems:
        reject(problems, "the scores were rejected")
    return ExternalScores(mentee_index=arrays[0], mentor_index=arrays[1], value=arrays[2])


_PLAIN_NUMBER_CHARS = str.maketrans("", "", "0123456789.eE+-")


def _plain_scores(text: str, mentee_pos, mentor_pos):
    """Index and value arrays of a plain file in whole-file passes, or None.

    None whenever anything is unusual (quotes, blank lines, lone CRs, a ragged row, an
    unknown id, a cell that is not a plain decimal, a non-finite score): the careful
    path then reads the file again and says what is wrong, where.
    """
    if '"' in text or _other_breaks(text):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    header_text, _, body = text.partition("\n")
    body = body[:-1] if body.endswith("\n") else body
    if not header_text.strip() or not body or "\n\n" in body:
        return None
    sample_end = -1
    for _ in range(60):  # the sniffer reads about 50 records; give it those only
        sample_end = text.find("\n", sample_end + 1)
        if sample_end < 0:
            break
    delimiter = sniff_delimiter(text if sample_end < 0 else text[: sample_end + 1])
    header = tuple(header_text.split(delimiter))
    names, problems = columns_of(Table("scores", header, 1, [], []), _SCORE_COLUMNS)
    if problems or any(c not in names for c in _SCORE_COLUMNS):
        return None
    width = len(header)
    n = body.count("\n") + 1
    if body.count(delimiter) != (width - 1) * n or not _every_line_has(body, delimiter, width):
        return None
    with no_gc():
        cells = body.replace("\n", delimiter).split(delimiter)
    mentees = cells[names.index("mentee_id") :: width]
    mentors = cells[names.index("mentor_id") :: width]
    values = cells[names.index("score") :: width]
    if "".join(values).translate(_PLAIN_NUMBER_CHARS):
        return None  # spaces, letters, underscores, formulas: the careful path explains
    try:  # one dict lookup per id cell; an unknown id is explained by the careful path
        mentee_index = np.fromiter(map(mentee_pos.__getitem__, mentees), np.int64, n)
        mentor_index = np.fromiter(map(mentor_pos.__getitem__, mentors), np.int64, n)
        value = np.array(values, dtype=np.float64)
    except (KeyError, ValueError):  # ValueError: "1.2.3", "e", an empty cell
        return None
    if not np.isfinite(value).all():
        return None
    return (mentee_index, mentor_index, value), range(2, n + 2)


def _other_breaks(text: str) -> bool:
    """Does ``text`` hold a line break the CSV reader would not treat as one?"""
    if text.isascii():  # a few substring scans instead of a regex over every character
        return any(c in text for c in "\x0b\x0c\x1c\x1d\x1e")
    return _OTHER_BREAKS.search(text) is not None


def _every_line_has(body: str, delimiter: str, width: int) -> bool:
    """Does each line of ``body`` hold exactly ``width - 1`` delimiters?"""
    raw = np.frombuffer(body.encode("utf-8"), np.uint8)
    ends = np.append(np.flatnonzero(raw == 10), raw.size)
    marks = np.flatnonzero(raw == ord(delimiter))
    per_line = np.diff(np.searchsorted(marks, ends), prepend=0)
    return bool((per_line == width - 1).all())


def _careful_scores(text: str, mentee_pos, mentor_pos):
    """Row by row through the CSV reader, reporting every bad cell and column."""
    table = read_table(text.encode("utf-8"), "scores")
    names, problems = columns_of(table, _SCORE_COLUMNS)
    problems += [*missing_columns(names, _SCORE_COLUMNS, table), *table.problems]
    if any(c not in names for c in _SCORE_COLUMNS):
        reject(problems, "the scores were rejected")
    columns = tuple(names.index(c) for c in _SCORE_COLUMNS)
    arrays = _checked_scores(table, columns, mentee_pos, mentor_pos, problems)
    if problems:
        reject(problems, "the scores were rejected")
    return arrays, table.lines


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_NOT_FINITE = re.compile(r"\s*[+-]?(nan|inf|infinity)\s*", re.IGNORECASE)


def _score_problem(text: str) -> str | None:
    """Why a score cell is not a finite plain decimal (None when it is one)."""
    if _NUMBER.fullmatch(text):
        return None if math.isfinite(float(text)) else "expected a finite number"
    if _NOT_FINITE.fullmatch(text):
        return "expected a finite number"
    if text.lstrip()[:1] in ("=", "@"):
        return "expected a number, not a spreadsheet formula"
    return "expected a number"


def _checked_scores(table, columns, mentee_pos, mentor_pos, problems):
    """Row by row, reporting every bad cell (the slow path, taken only for unusual files)."""
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
            elif key[:1] in ("=", "@"):
                message = f"expected the id of a {want}, not a spreadsheet formula"
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
        text = uninert(row[isc])
        message = _score_problem(text)
        if message is not None:
            problems.append(
                Problem(message, line=line, column="score", value=row[isc][:80], source="scores")
            )
        elif i is not None and j is not None:
            mentee_index[k], mentor_index[k], value[k] = i, j, float(text)
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
