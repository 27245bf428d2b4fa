"""Sheet mappings: what each column of a sign-up sheet means, as a coordinator edits it.

A mapping is a TOML (or JSON) file, written by ``mentormatch map``
(:mod:`matcher.io.mapping_file`, whose header comment lists every key) and read here.
Each ``[columns."<header>"]`` table gives a column's ``field`` (one or a list),
``attribute`` with ``type``, or ``ignore = true``, and how its answers are read:
``role`` (read for mentors or mentees only), ``separator``, ``values`` (an answer read
as another value), ``levels`` (seniority, lowest first), ``ranges`` (high, low, middle)
and ``match_on = "email"`` (managers given by email). ``[timezones]`` says what an
ambiguous time-zone answer means in this sheet; ``sheet`` names the workbook sheet.
README's "From a sign-up form" has a full example.

Every column of the sheet must be in the mapping (a column nobody decided about is never
silently dropped). :func:`load_mapping` checks the whole file at once and raises one
:class:`~matcher.model.InputError` listing every problem; applying a mapping to a sheet is
:mod:`matcher.io.mapped`.

Attribute columns may also carry ``rule`` (same, different, overlap, closeness, similar,
must_match, must_differ), ``weight`` (a number >= 0) and ``pair_with`` (another
attribute): :func:`matcher.io.attribute_rules.rules_from_mapping` makes them policy
rules, so the programme's questions count in matching.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from matcher.io.fields import parse_timezone
from matcher.io.forms import RANGES
from matcher.io.validate import COLUMNS
from matcher.model import AttributeMatch, InputError, Problem

FORMAT = 1
KINDS = ("choice", "multi-choice", "number", "text")
LIST_FIELDS = frozenset({"skills", "goals", "languages", "exclude", "prefer"})
NUMBER_FIELDS = frozenset({"seniority", "capacity", "min_capacity"})
JOINED_FIELDS = frozenset({"name"})  # several columns are joined with a space ("First", "Last")
RULES = tuple(m.value for m in AttributeMatch)
_KEYS = frozenset(
    {
        "field",
        "attribute",
        "type",
        "ignore",
        "role",
        "separator",
        "values",
        "levels",
        "ranges",
        "match_on",
        "rule",
        "weight",
        "pair_with",
    }
)


def header_key(text: str) -> str:
    """How headers are compared: case-insensitive, whitespace collapsed."""
    return " ".join(str(text).casefold().split())


@dataclass(frozen=True)
class ColumnRule:
    """What one sheet column feeds, and how its answers are read.

    ``values`` maps an answer (compared by :func:`header_key`) to the value it stands for;
    ``levels`` become values 1, 2, ... in order. ``rule``, ``weight`` and ``pair_with``
    become policy rules (:func:`matcher.io.attribute_rules.rules_from_mapping`).
    """

    header: str
    fields: tuple[str, ...] = ()
    attribute: str | None = None
    kind: str | None = None
    ignore: bool = False
    role: str | None = None
    separator: tuple[str, ...] = ()
    values: tuple[tuple[str, object], ...] = ()
    levels: tuple[str, ...] = ()
    ranges: str = "high"
    match_on: str | None = None
    rule: str | None = None
    weight: float | None = None
    pair_with: str | None = None

    @property
    def is_list(self) -> bool:
        return bool(LIST_FIELDS & set(self.fields)) or self.kind == "multi-choice"

    def lookup(self) -> dict[str, object]:
        """Answer (compared by :func:`header_key`) -> value, levels included."""
        table = {header_key(level): k + 1 for k, level in enumerate(self.levels)}
        table.update((header_key(k), v) for k, v in self.values)
        return table


@dataclass(frozen=True)
class SheetMapping:
    """A whole mapping: one rule per column, time-zone choices, the sheet to read."""

    columns: tuple[ColumnRule, ...]
    timezones: tuple[tuple[str, str], ...] = ()
    sheet: str | None = None
    source: str = "mapping"

    def rule_for(self, header: str) -> ColumnRule | None:
        key = header_key(header)
        return next((c for c in self.columns if header_key(c.header) == key), None)

    def fed(self, field: str) -> tuple[ColumnRule, ...]:
        """The columns that feed ``field``, in mapping order."""
        return tuple(c for c in self.columns if field in c.fields)


# --------------------------------------------------------------------------- loading


def load_mapping(path_or_data, source: str | None = None) -> SheetMapping:
    """Read and check a mapping file (TOML, or JSON by the ``.json`` suffix) or a dict.

    Parameters
    ----------
    path_or_data : a str or Path of the file, or the parsed mapping as a dict.
    source : the name problems carry (default: the file name, or ``"mapping"``).

    Returns
    -------
    SheetMapping

    Raises
    ------
    InputError
        Listing every problem: the file cannot be read or parsed, unknown keys, unknown
        fields, kinds or roles, a column with none or several of field / attribute /
        ignore, bad values, levels, ranges or separators, repeated attributes, a field
        fed twice for the same people, no id column, and ambiguous or unknown zones.
    """
    if isinstance(path_or_data, Mapping):
        return _check(path_or_data, source or "mapping")
    path = Path(path_or_data)
    source = source or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise _one(f"cannot read the mapping ({reason})", source) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise _one(f"the mapping is not valid {_format(path)} ({error})", source) from None
    if not isinstance(data, Mapping):
        raise _one("expected a table of settings", source)
    return _check(data, source)


def _format(path: Path) -> str:
    return "JSON" if path.suffix.lower() == ".json" else "TOML"


def _one(message: str, source: str, column=None, value=None) -> InputError:
    problem = Problem(message, column=column, value=value, source=source)
    return InputError([problem], title="the mapping was rejected")


class _Checker:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, where: str | None, message: str, value=None):
        shown = None if value is None else str(value)[:80]
        self.problems.append(Problem(message, column=where, value=shown, source=self.source))

    def strings(self, where: str, value, what: str) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not items:
            self.add(where, f"expected {what}", value)
            return None
        if not all(isinstance(x, str) and x for x in items):
            self.add(where, f"expected {what}", value)
            return None
        return tuple(items)


def _check(data: Mapping, source: str) -> SheetMapping:
    v = _Checker(source)
    for key in data:
        if key not in ("mapping", "sheet", "columns", "timezones"):
            v.add(str(key), "unknown setting; expected mapping, sheet, columns or timezones")
    if data.get("mapping", FORMAT) != FORMAT:
        v.add("mapping", f"expected mapping = {FORMAT} (this version's format)", data["mapping"])
    sheet = data.get("sheet")
    if sheet is not None and not (isinstance(sheet, str) and sheet):
        v.add("sheet", "expected the name of a workbook sheet", sheet)
        sheet = None
    columns = data.get("columns")
    rules: list[ColumnRule] = []
    if not isinstance(columns, Mapping) or not columns:
        v.add("columns", 'expected [columns."<header>"] tables, one per column of the sheet')
    else:
        seen: dict[str, str] = {}
        for header, settings in columns.items():
            where = f'columns."{header}"'
            if header_key(header) in seen:
                v.add(where, f"this column is listed twice (also as {seen[header_key(header)]!r})")
                continue
            seen[header_key(header)] = header
            rule = _column(v, where, header, settings)
            if rule is not None:
                rules.append(rule)
        _cross_check(v, rules)
    zones = _timezones(v, data.get("timezones", {}))
    if v.problems:
        raise InputError(v.problems, title="the mapping was rejected")
    return SheetMapping(tuple(rules), zones, sheet, source)


def _column(v: _Checker, where: str, header: str, settings) -> ColumnRule | None:
    if not isinstance(settings, Mapping):
        v.add(where, "expected a table with field, attribute or ignore = true", settings)
        return None
    for key in settings:
        if key not in _KEYS:
            v.add(f"{where}.{key}", "unknown key; expected one of " + ", ".join(sorted(_KEYS)))
    chosen = [k for k in ("field", "attribute", "ignore") if k in settings]
    if len(chosen) != 1:
        message = "expected exactly one of field, attribute or ignore = true"
        v.add(where, message + (f" (got {', '.join(chosen)})" if chosen else ""))
        return None
    if "ignore" in settings:
        if settings["ignore"] is not True:
            v.add(f"{where}.ignore", "expected ignore = true", settings["ignore"])
        return ColumnRule(header, ignore=True)
    out: dict = {}
    if "field" in settings:
        fields = v.strings(f"{where}.field", settings["field"], "a field name or a list of them")
        if fields is None:
            return None
        for name in fields:
            if name not in COLUMNS:
                v.add(
                    f"{where}.field", "unknown field; expected one of " + ", ".join(COLUMNS), name
                )
        out["fields"] = tuple(dict.fromkeys(fields))
    else:
        name, kind = settings["attribute"], settings.get("type")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
            v.add(f"{where}.attribute", "expected an attribute name of 1 to 64 characters", name)
        if kind not in KINDS:
            v.add(f"{where}.type", "expected type = " + " | ".join(KINDS), kind)
        out["attribute"], out["kind"] = str(name).strip(), kind
        _attribute_rule(v, where, settings, out)
    rule = ColumnRule(header, **out)
    return _options(v, where, settings, rule)


def _attribute_rule(v: _Checker, where: str, settings, out: dict) -> None:
    if "rule" in settings:
        if settings["rule"] not in RULES:
            v.add(f"{where}.rule", "expected one of " + ", ".join(RULES), settings["rule"])
        out["rule"] = settings["rule"]
    if "weight" in settings:
        weight = settings["weight"]
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not (math.isfinite(weight) and weight >= 0)
        ):
            v.add(f"{where}.weight", "expected a number >= 0", weight)
        else:
            out["weight"] = float(weight)
    if "pair_with" in settings:
        if not isinstance(settings["pair_with"], str):
            v.add(f"{where}.pair_with", "expected another attribute's name", settings["pair_with"])
        else:
            out["pair_with"] = settings["pair_with"]


def _options(v: _Checker, where: str, s, rule: ColumnRule) -> ColumnRule:
    from dataclasses import replace

    changes: dict = {}
    fields = set(rule.fields)
    numeric = bool(fields & NUMBER_FIELDS) or rule.kind == "number"
    if "role" in s:
        if s["role"] not in ("mentor", "mentee"):
            v.add(f"{where}.role", 'expected role = "mentor" or "mentee"', s["role"])
        elif "role" in fields:
            v.add(f"{where}.role", "the role column is read for everyone")
        else:
            changes["role"] = s["role"]
    if "separator" in s:
        if not rule.is_list:
            v.add(f"{where}.separator", "only list fields and multi-choice attributes are split")
        changes["separator"] = v.strings(f"{where}.separator", s["separator"], "a separator") or ()
    elif rule.is_list:
        changes["separator"] = (";",)
    if "values" in s:
        changes["values"] = _values(v, f"{where}.values", s["values"], rule, numeric)
    if "levels" in s:
        if fields != {"seniority"}:
            v.add(f"{where}.levels", "levels are for a seniority column")
        changes["levels"] = v.strings(f"{where}.levels", s["levels"], "level names, lowest first")
        changes["levels"] = changes["levels"] or ()
    if "ranges" in s:
        if not numeric:
            v.add(f"{where}.ranges", "ranges are for number columns")
        elif s["ranges"] not in RANGES:
            v.add(f"{where}.ranges", "expected one of " + ", ".join(RANGES), s["ranges"])
        else:
            changes["ranges"] = s["ranges"]
    elif fields & {"seniority"}:
        changes["ranges"] = "middle"
    if "match_on" in s:
        if s["match_on"] != "email":
            v.add(f"{where}.match_on", 'expected match_on = "email"', s["match_on"])
        elif not fields & {"manager_id", "exclude", "prefer"}:
            v.add(f"{where}.match_on", "match_on is for manager_id, exclude and prefer")
        else:
            changes["match_on"] = "email"
    return replace(rule, **changes)


def _values(v: _Checker, where: str, values, rule: ColumnRule, numeric: bool):
    if not isinstance(values, Mapping):
        v.add(where, 'expected a table such as { "answer" = value }', values)
        return ()
    out = []
    for answer, value in values.items():
        if "role" in rule.fields:
            ok = value in ("mentor", "mentee")
            expected = 'expected "mentor" or "mentee"'
        elif numeric:
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            ok = ok and (rule.kind == "number" or float(value).is_integer())
            expected = "expected a number >= 0" if rule.kind else "expected a whole number >= 0"
        else:
            ok = isinstance(value, str)
            expected = "expected text"
        if not ok:
            v.add(f'{where}."{answer}"', expected, value)
        else:
            out.append((answer, int(value) if numeric and rule.kind is None else value))
    return tuple(out)


def _cross_check(v: _Checker, rules: list[ColumnRule]) -> None:
    names: dict[str, str] = {}
    for r in rules:
        if r.attribute is not None:
            if r.attribute in names:
                v.add(f'columns."{r.header}".attribute', f"also used by {names[r.attribute]!r}")
            names.setdefault(r.attribute, r.header)
    for r in rules:
        if r.pair_with is not None and r.pair_with not in names:
            v.add(f'columns."{r.header}".pair_with', "no attribute has this name", r.pair_with)
    for field in COLUMNS:
        if field in LIST_FIELDS or field in JOINED_FIELDS:
            continue
        feeding = [r for r in rules if field in r.fields]
        for k, a in enumerate(feeding):
            for b in feeding[k + 1 :]:
                if a.role is None or b.role is None or a.role == b.role:
                    message = (
                        f"'{field}' is also fed by {b.header!r}; give each column a different "
                        'role = "mentor" / "mentee", or ignore one'
                    )
                    v.add(f'columns."{a.header}".field', message)
    if rules and not any("id" in r.fields for r in rules):
        v.add("columns", "no column feeds 'id': map the employee-id or the email column to it")
    if any(r.match_on for r in rules) and not any("email" in r.fields for r in rules):
        v.add("columns", "match_on = \"email\" needs a column that feeds 'email'")


def _timezones(v: _Checker, table) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, Mapping):
        v.add("timezones", 'expected a table such as { IST = "Asia/Kolkata" }', table)
        return ()
    out = []
    for written, zone in table.items():
        try:
            if not isinstance(zone, str):
                raise ValueError("expected a time zone name such as Asia/Kolkata")
            out.append((written, parse_timezone(zone)[0]))
        except ValueError as error:
            v.add(f"timezones.{written}", str(error), zone)
    return tuple(out)
