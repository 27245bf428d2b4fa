"""A sheet read through its mapping: form answers -> typed cohort records, every problem kept.

:func:`read_mapped` checks that the sheet's header and the mapping agree (every column
decided about, every mapped column present), then reads each row: the role first (a
column with ``role = "mentor"`` is read for mentors only), then every column by its
rule: answers remapped by ``values``/``levels``, numbers in the forms of
:func:`matcher.io.forms.parse_number`, multi-selects split on the column's separator,
time zones through the mapping's ``[timezones]`` choices, managers' emails turned into
ids. The records then go through the one validator (:mod:`matcher.io.validate`), and
its problems are relabelled with the sheet's own headers, so a coordinator reads
"line 7, column 'How many mentees can you take on?'".

A multi-select answer that still contains another likely separator (``,`` ``;`` ``|``)
after splitting is a problem listing its lines, unless the column's ``values`` names it
as a known answer. Nothing is half-used: one InputError carries every problem.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, replace

from matcher.io.decode import Table, blank_column, uninert
from matcher.io.forms import parse_number
from matcher.io.mapping import LIST_FIELDS, NUMBER_FIELDS, ColumnRule, SheetMapping, header_key
from matcher.io.validate import Batch, Role, validate_batches
from matcher.model import Cohort, InputError, Problem

_PRIVATE = frozenset({"name", "email"})
_LIKELY = re.compile(r"[,;|]")
_SHOWN_LINES = 10


@dataclass(frozen=True)
class Reading:
    """How a sheet was read, for ``validate``'s closing summary.

    ``columns`` are (header, rule) of the columns used; ``ignored`` the headers left out;
    ``answers`` per header the (answer as written, read as, count) of role, time-zone
    and remapped columns, most common first.
    """

    source: str
    columns: tuple[tuple[str, ColumnRule], ...]
    ignored: tuple[str, ...] = ()
    answers: tuple[tuple[str, tuple[tuple[str, str, int], ...]], ...] = ()


def _closest(text: str, choices) -> str:
    """ "; the closest is 'X'": a header containing the text (or inside it), else a near one."""
    key = header_key(text)
    keys = {header_key(c): c for c in choices}
    found = [c for k, c in keys.items() if key in k or k in key]
    if not found:
        near = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
        found = [keys[k] for k in near]
    return f"; the closest is {found[0]!r}" if found else ""


def _check_header(table: Table, mapping: SheetMapping) -> tuple[list, list[Problem]]:
    """(column index, rule) of every sheet column; problems where sheet and mapping differ."""
    problems, used, seen = [], [], {}
    where = dict(line=table.header_line, source=table.source)
    for k, raw in enumerate(table.header):
        if blank_column(table, k):
            continue  # no header and no answers: nothing to decide about
        rule = mapping.rule_for(raw)
        if rule is None:
            from matcher.io.suggest import closest_field

            message = (
                f'this column is not in the mapping; add [columns."{raw.strip()}"] with '
                f"field, attribute or ignore = true (it looks like {closest_field(raw)})"
            )
            problems.append(Problem(message, column=raw.strip() or None, **where))
        elif header_key(raw) in seen:
            message = f"the sheet has this column twice (also column {seen[header_key(raw)] + 1})"
            problems.append(Problem(message + "; rename one", column=raw.strip(), **where))
        else:
            seen[header_key(raw)] = k
            used.append((k, rule))
    headers = [h.strip() for h in table.header]
    for rule in mapping.columns:
        if header_key(rule.header) not in seen:
            message = "the sheet has no column with this header" + _closest(rule.header, headers)
            column = f'columns."{rule.header}"'
            problems.append(Problem(message, column=column, source=mapping.source))
    return used, problems


class _Rows:
    """Reads the rows of one sheet; collects cell problems and answer tallies."""

    def __init__(self, table: Table, mapping: SheetMapping, used: list):
        self.table, self.mapping = table, mapping
        self.used = [(k, rule) for k, rule in used if not rule.ignore]
        self.zones = {header_key(a): z for a, z in mapping.timezones}
        self.lookups = {rule.header: rule.lookup() for _, rule in self.used}
        self.problems: list[Problem] = []
        self.tally: dict[str, Counter] = {}
        self.stray: dict[str, list[tuple[int, str]]] = {}
        self.fed: list[dict[str, str]] = []
        self.default: dict[str, str] = {}  # field -> the first header feeding it
        for _, rule in self.used:
            for field in rule.fields:
                self.default.setdefault(field, rule.header)

    def problem(self, i: int, rule: ColumnRule, message: str, value: str | None):
        private = bool(_PRIVATE & set(rule.fields))
        shown = None if value is None or private else value[:80]
        line = self.table.lines[i]
        problem = Problem(message, line=line, row=i, column=rule.header, value=shown)
        self.problems.append(replace(problem, source=self.table.source))

    def read(self, fixed: Role | None) -> list[dict]:
        records = []
        for i, row in enumerate(self.table.rows):
            cells = {
                rule.header: uninert(row[k]).strip() if k < len(row) else ""
                for k, rule in self.used
            }
            role = fixed.value if fixed else self._role(i, cells)
            record: dict = {}
            attributes: dict = {}
            fed = dict(self.default)
            for _, rule in self.used:
                text = cells[rule.header]
                if not text or "role" in rule.fields or (rule.role and role != rule.role):
                    continue
                self._cell(i, rule, text, record, attributes, fed)
            if role is not None:
                record["role"] = role
            if attributes:
                record["attributes"] = attributes
            records.append(record)
            self.fed.append(fed)
        return records

    def _count(self, rule: ColumnRule, text: str, read_as) -> None:
        self.tally.setdefault(rule.header, Counter())[(text, str(read_as))] += 1

    def _role(self, i: int, cells: dict) -> str | None:
        for _, rule in self.used:
            if "role" not in rule.fields:
                continue
            text = cells[rule.header]
            role = self.lookups[rule.header].get(header_key(text))
            if role is None and header_key(text) in ("mentor", "mentee"):
                role = header_key(text)
            if role is None:
                known = ", ".join(repr(a) for a, _ in rule.values) or "'mentor', 'mentee'"
                message = (
                    f"expected one of the answers the mapping knows ({known}); add this "
                    f'answer to values: "{text}" = "mentor" or "mentee"'
                )
                self.problem(i, rule, message if text else "a role is required", text)
            else:
                self._count(rule, text, role)
            return role
        return None

    def _cell(self, i, rule: ColumnRule, text: str, record, attributes, fed) -> None:
        lookup = self.lookups[rule.header]
        if rule.is_list:
            value = self._items(i, rule, text, lookup)
        elif rule.kind == "number" or NUMBER_FIELDS & set(rule.fields):
            value = self._number(i, rule, text, lookup)
            if value is None:
                return
        elif "timezone" in rule.fields:
            value = self.zones.get(header_key(text)) or lookup.get(header_key(text), text)
            self._count(rule, text, value)
        else:
            value = lookup.get(header_key(text), text)
        if rule.attribute is not None:
            attributes[rule.attribute] = value
            return
        for field in rule.fields:
            fed[field] = rule.header
            if field in LIST_FIELDS:
                record[field] = [*record.get(field, []), *value]
            elif field == "name" and field in record:
                record[field] = f"{record[field]} {value}"
            else:
                record[field] = value

    def _number(self, i, rule: ColumnRule, text: str, lookup):
        if header_key(text) in lookup:
            value = lookup[header_key(text)]
            self._count(rule, text, value)
            return value
        try:
            # Counts are exact; years of seniority are rounded down ("2.5 years" is 2).
            floor = "seniority" in rule.fields
            value = parse_number(text, rule.ranges, whole=rule.kind is None, floor=floor)
        except ValueError as error:
            self.problem(i, rule, f"{error}; or name this answer in the column's values", text)
            return None
        if rule.values or rule.levels:
            self._count(rule, text, value)
        return value

    def _items(self, i, rule: ColumnRule, text: str, lookup) -> list:
        parts = [text]
        for separator in rule.separator:
            parts = [piece for part in parts for piece in part.split(separator)]
        items = []
        for part in parts:
            item = " ".join(part.split())
            if not item:
                continue
            known = lookup.get(header_key(item))
            if known is None and _LIKELY.search(item):
                self.stray.setdefault(rule.header, []).append((i, item))
            items.append(item if known is None else known)
        return items

    def stray_problems(self) -> None:
        for header, found in self.stray.items():
            rule = next(r for _, r in self.used if r.header == header)
            rows = list(dict.fromkeys(i for i, _ in found))
            shown = ", ".join(str(self.table.lines[i]) for i in rows[:_SHOWN_LINES])
            more = f" and {len(rows) - _SHOWN_LINES} more" if len(rows) > _SHOWN_LINES else ""
            splits = " or ".join(repr(s) for s in rule.separator)
            message = (
                f"{len(rows)} cell(s) still contain ',' ';' or '|' after splitting on {splits} "
                f"(lines {shown}{more}): add that separator to the column's separator list, "
                "or, if it is one answer, name it in the column's values"
            )
            self.problem(rows[0], rule, message, found[0][1])


def _match_on_email(records: list[dict], mapping: SheetMapping) -> None:
    """Managers (and exclude/prefer) given by email become the ids of those people."""
    columns = [c for c in mapping.columns if c.match_on == "email"]
    if not columns:
        return
    ids = {}
    for record in records:
        if isinstance(record.get("email"), str) and isinstance(record.get("id"), str):
            ids.setdefault(record["email"].casefold(), record["id"])
    for record in records:
        for rule in columns:
            for field in rule.fields:
                value = record.get(field)
                if isinstance(value, str):
                    record[field] = ids.get(value.casefold(), value)
                elif isinstance(value, list):
                    record[field] = [ids.get(v.casefold(), v) for v in value]


def read_mapped(table: Table, mapping: SheetMapping, role: Role | None = None):
    """Records of a sheet read through its mapping, ready for the validator.

    Parameters
    ----------
    table : the sheet (:func:`matcher.io.xlsx.read_sheet`).
    mapping : a checked mapping (:func:`matcher.io.mapping.load_mapping`).
    role : the role of every row (two-file form), or None to read it from the sheet.

    Returns
    -------
    tuple of (Batch, list of Problem, list of dict, Reading)
        The batch to validate; the problems of individual cells; per row, field ->
        header that fed it (to relabel the validator's problems); how it was read.

    Raises
    ------
    InputError
        If the sheet's header and the mapping disagree (every difference listed).
    """
    used, problems = _check_header(table, mapping)
    if role is None and not any("role" in rule.fields for _, rule in used):
        problems.append(
            Problem(
                "no column feeds 'role': map the mentor/mentee question to it",
                source=mapping.source,
            )
        )
    if problems:
        raise InputError([*problems, *table.problems], title="the sheet does not match the mapping")
    rows = _Rows(table, mapping, used)
    records = rows.read(role)
    rows.stray_problems()
    _match_on_email(records, mapping)
    batch = Batch(table.source, records, role, table.lines, table.header_line, table.problems)
    reading = Reading(
        table.source,
        tuple((rule.header, rule) for _, rule in rows.used),
        tuple(rule.header for _, rule in used if rule.ignore),
        tuple(
            (header, tuple((a, b, n) for (a, b), n in counts.most_common()))
            for header, counts in rows.tally.items()
        ),
    )
    return batch, rows.problems, rows.fed, reading


def validate_mapped(batches, cell_problems, fed, *, aliases=None, org_chart=()) -> Cohort:
    """Validate mapped batches; raise every cell and record problem under sheet headers.

    Parameters
    ----------
    batches : from :func:`read_mapped` (one, or mentors then mentees).
    cell_problems : their cell problems, all batches together.
    fed : per batch, per row, field -> header.
    aliases, org_chart : as for :func:`matcher.io.validate.validate_batches`.

    Returns
    -------
    Cohort

    Raises
    ------
    InputError
        With the cell problems and the validator's, relabelled and in line order; a
        field already reported for a row is not reported again.
    """
    problems = list(cell_problems)
    try:
        cohort = validate_batches(batches, aliases=aliases, org_chart=org_chart)
    except InputError as error:
        cohort = None
        by_source = {b.source: k for k, b in enumerate(batches)}
        reported = {(p.source, p.row, p.column) for p in cell_problems}
        for p in error.problems:
            k = by_source.get(p.source)
            if k is not None and p.row is not None and p.column:
                header = fed[k][p.row].get(p.column, p.column)
                p = replace(p, column=header)
            if (p.source, p.row, p.column) not in reported:
                problems.append(p)
    if problems:
        problems.sort(key=lambda p: (p.source or "", p.line or 0))
        raise InputError(problems, title="the cohort was rejected")
    return cohort
