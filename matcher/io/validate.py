"""The record validator: every rule about people's fields, checked in one pass.

:func:`validate_batches` takes one or two :class:`Batch` es of records (mappings from
column name to value) and either builds a Cohort or raises one InputError listing every
problem in input order. Cell parsing lives in :mod:`matcher.io.fields`; the public
entry points are in :mod:`matcher.io.records` and :mod:`matcher.io.cohort_csv`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from matcher.io.fields import alias_table, is_empty, no_gc
from matcher.io.record_fields import Role, person, record_fields, record_role
from matcher.model import Cohort, InputError, Mentee, Mentor, Problem

COLUMNS: tuple[str, ...] = (
    "id",
    "role",
    "name",
    "email",
    "seniority",
    "skills",
    "goals",
    "capacity",
    "min_capacity",
    "department",
    "location",
    "timezone",
    "languages",
    "manager_id",
    "exclude",
    "prefer",
)
_RANK = {c: k for k, c in enumerate(COLUMNS)}
_PRIVATE = frozenset({"name", "email"})  # never echoed back in a problem
LIST_COLUMNS = ("skills", "goals", "languages", "exclude", "prefer")  # ';'-separated in a cell
_SHOWN_LINES = 10  # lines listed in a "cells contain ','" problem
_SEPARATORS = re.compile(r"[\s_\-]+")


def canonical_column(name: object, known: Sequence[str] = COLUMNS) -> str:
    """The canonical form of a column name: ``"Min-Capacity "`` -> ``"min_capacity"``.

    Case, spaces, hyphens and underscores do not matter, also between words, so
    ``"Time Zone"`` and ``"E-mail"`` are ``timezone`` and ``email``. A name matching none
    of ``known`` comes back lower-cased with ``_`` for its separators.
    """
    text = _SEPARATORS.sub("_", str(name).strip().lower()).strip("_")
    return _squeezed(tuple(known)).get(text.replace("_", ""), text)


@cache
def _squeezed(known: tuple[str, ...]) -> dict[str, str]:
    return {column.replace("_", ""): column for column in known}


@dataclass(frozen=True)
class Batch:
    """One list of records validated together (a file, or a JSON list).

    ``role`` is fixed in the two-input form (None: each record names its role);
    ``lines`` are the records' physical start lines (CSV) or None (JSON);
    ``header_line`` is where column-level problems point; ``problems`` are those the
    reader already found (header, ragged rows), merged in input order.
    """

    source: str
    records: Sequence[object]
    role: Role | None = None
    lines: Sequence[int] | None = None
    header_line: int | None = None
    problems: tuple[Problem, ...] = ()


class _Problems:
    """Collects problems with a sort key so that they come out in input order."""

    def __init__(self, batches: Sequence[Batch]):
        self.batches = batches
        self.keyed: list[tuple[tuple, Problem]] = []

    def add(self, b: int, i: int | None, column: str | None, message: str, value=None):
        batch = self.batches[b] if b < len(self.batches) else None
        line = row = None
        if batch is not None:
            row = i
            if batch.lines is not None:
                line = batch.header_line if i is None else batch.lines[i]
        shown = None if value is None or column in _PRIVATE else str(value)[:80]
        source = batch.source if batch is not None else None
        self.put(b, Problem(message, line=line, row=row, column=column, value=shown, source=source))

    def put(self, b: int, problem: Problem):
        where = problem.line if problem.line is not None else problem.row
        rank = _RANK.get(problem.column, -1 if problem.column is None else len(_RANK))
        self.keyed.append(((b, -1 if where is None else where, rank), problem))

    def sorted(self) -> list[Problem]:
        return [p for _, p in sorted(self.keyed, key=lambda kp: kp[0])]


# --------------------------------------------------------------------------- one record


# --------------------------------------------------------------------------- the cohort


def validate_batches(batches: Sequence[Batch], *, aliases=None, ignore_unknown=False, org_chart=()):
    """Validate records from one or two inputs and build the Cohort.

    Parameters
    ----------
    batches : one Batch (one-input form, each record names its role) or two (the
        two-input form: mentors then mentees, ``role`` fixed).
    aliases : tag -> canonical tag mapping (or pairs), applied to every tag.
    ignore_unknown : accept unknown columns silently instead of reporting them.
    org_chart : extra (person_id, manager_id) edges, stored on the Cohort as given.

    Returns
    -------
    Cohort

    Raises
    ------
    InputError
        With every problem of every batch (plus those the batches carry), in input order.
    """
    with no_gc():
        return _validate(batches, alias_table(aliases), ignore_unknown, org_chart)


def _validate(batches: Sequence[Batch], table, ignore_unknown, org_chart) -> Cohort:
    problems = _Problems(batches)
    people: list = []  # (batch index, record index, role, fields)
    empty_input, role_known = False, True
    for b, batch in enumerate(batches):
        for problem in batch.problems:
            problems.put(b, problem)
        if not batch.records:
            if not batch.problems:
                problems.add(b, None, None, "there are no records")
            empty_input = True
            continue
        role_known &= _validate_batch(b, batch, table, ignore_unknown, problems, people)
    _cross_check(batches, people, problems)
    if not empty_input and role_known:
        roles = {role for _, _, role, _ in people}
        for role, word in ((Role.MENTOR, "mentors"), (Role.MENTEE, "mentees")):
            if role not in roles:
                source = batches[0].source if len(batches) == 1 else word
                problems.put(len(batches), Problem(f"the cohort has no {word}", source=source))
    if problems.keyed:
        raise InputError(problems.sorted(), title="the cohort was rejected")
    built: dict[Role, list] = {Role.MENTOR: [], Role.MENTEE: []}
    for _, _, role, fields in people:
        built[role].append(person(Mentor if role is Role.MENTOR else Mentee, fields))
    chart = tuple((str(a), str(b)) for a, b in org_chart)
    return Cohort(tuple(built[Role.MENTOR]), tuple(built[Role.MENTEE]), org_chart=chart)


def _validate_batch(b, batch: Batch, table, ignore_unknown, problems: _Problems, people) -> bool:
    """Validate one batch into ``people``; return whether records carry a role."""
    names: dict[str, str] = {}  # raw key -> canonical column, computed once per key
    known: dict[str, str] = {}  # the same for keys of known columns only
    unknown: dict[str, int] = {}
    rows: list[tuple[int, dict | None]] = []
    for i, record in enumerate(batch.records):
        if type(record) is not dict and not isinstance(record, Mapping):
            problems.add(b, i, None, "expected a record with named fields", type(record).__name__)
            rows.append((i, None))
            continue
        try:  # the usual record: keys seen before, of known columns, each column once
            cells = {known[key]: value for key, value in record.items()}
        except (KeyError, TypeError):
            cells = None
        if cells is None or len(cells) != len(record):
            cells = {}
            for key, value in record.items():
                column = names.get(key) or names.setdefault(key, canonical_column(key))
                if column not in _RANK and column != "attributes":
                    unknown.setdefault(str(key), i)
                    continue
                known[key] = column
                if column in cells:
                    problems.add(b, i, column, "this field is given more than once", key)
                else:
                    cells[column] = value
        rows.append((i, cells))
    present = [cells for _, cells in rows if cells is not None]
    has_id = any("id" in cells for cells in present)
    has_role = batch.role is not None or any("role" in cells for cells in present)
    needs_seniority = any(not is_empty(cells.get("seniority")) for cells in present)
    if not has_id:
        problems.add(b, None, "id", "there is no 'id' column; every record needs an id")
    if not has_role:
        message = "there is no 'role' column; give each record 'mentor' or 'mentee'"
        problems.add(b, None, "role", message)
    commas: dict[str, list[tuple[int, str]]] = {}
    seen: dict[str, str] = {}  # tags as written -> collapsed (fields.collapsed)
    for i, cells in rows:
        if cells is None:
            continue
        for column in LIST_COLUMNS:
            value = cells.get(column)
            if type(value) is str and "," in value:
                commas.setdefault(column, []).append((i, value))

        def report(column, message, value=None, i=i):
            problems.add(b, i, column, message, value)

        role = record_role(cells, batch.role, batch.source, report) if has_role else None
        fields = record_fields(cells, role, table, has_id, needs_seniority, report, seen)
        people.append((b, i, role, fields))
    for column, found in commas.items():
        _report_commas(b, batch, column, found, problems)
    if not ignore_unknown:
        for key, i in unknown.items():
            message = "unknown column; expected one of " + ", ".join(COLUMNS)
            problems.add(b, None if batch.lines is not None else i, key.strip(), message, key)
    return has_role


def _report_commas(b: int, batch: Batch, column: str, found: list, problems) -> None:
    """One problem per list column whose cells use ',' where ';' separates items."""
    shown = ", ".join(_place(batch, i).split()[-1] for i, _ in found[:_SHOWN_LINES])
    more = f" and {len(found) - _SHOWN_LINES} more" if len(found) > _SHOWN_LINES else ""
    where = "lines" if batch.lines is not None else "records"
    message = (
        f"{len(found)} cell(s) contain ',' but items are separated by ';' ({where} {shown}"
        f"{more}): write 'python; sql', or read the sheet with a mapping (mentormatch map) "
        "that sets this column's separator"
    )
    problems.add(b, found[0][0], column, message, found[0][1])


def _place(batch: Batch, i: int) -> str:
    return f"line {batch.lines[i]}" if batch.lines is not None else f"record {i + 1}"


def _cross_check(batches: Sequence[Batch], people: list, problems: _Problems) -> None:
    """Unique ids; exclude/prefer name someone of the other role; nobody manages themselves."""
    seen: dict[str, tuple[int, int, Role | None]] = {}
    for b, i, role, fields in people:
        pid = fields["id"]
        if pid is None:
            continue
        if pid in seen:
            ob, oi, _ = seen[pid]
            other = _place(batches[ob], oi) + (f" of {batches[ob].source}" if ob != b else "")
            problems.add(b, i, "id", f"expected a unique id; it is also used on {other}", pid)
        else:
            seen[pid] = (b, i, role)
    for b, i, role, fields in people:
        pid = fields["id"]
        if pid is not None and fields["manager_id"] == pid:
            message = "expected someone else's id as manager, not this person's own"
            problems.add(b, i, "manager_id", message, pid)
        for column in ("exclude", "prefer"):
            for other in fields[column]:
                if other == pid:
                    message = "expected someone else's id, not this person's own"
                elif other not in seen:
                    message = "expected the id of someone in the cohort; no one has this id"
                elif role is not None and seen[other][2] is role:
                    want = Role.MENTOR if role is Role.MENTEE else Role.MENTEE
                    message = f"expected the id of a {want.value}, not of a {role.value}"
                else:
                    continue
                problems.add(b, i, column, message, other)
