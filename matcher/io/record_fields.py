"""One record's cells -> one person's fields: the per-record half of the validator.

:func:`record_role` and :func:`record_fields` parse the cells of one record (keyed by
canonical column) with the parsers of :mod:`matcher.io.fields` and report each bad cell
through a callback; :mod:`matcher.io.validate` runs them on every record and checks the
cohort as a whole. Kept to one loop over the cells a record has, with fast paths for
values already typed (JSON ints and lists): this runs for every person of every request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum

from matcher.io.fields import (
    MAX_ID,
    FieldError,
    _as_text,
    _fail,
    is_empty,
    parse_count,
    parse_id,
    parse_ids,
    parse_skills,
    parse_tag,
    parse_tags,
    parse_text,
    parse_timezone,
)


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


_ROLES = {"mentor": Role.MENTOR, "mentee": Role.MENTEE}
_MENTOR, _MENTEE = Role.MENTOR, Role.MENTEE  # plain names: Enum attribute access is slow


def record_role(cells: Mapping, fixed: Role | None, source: str, report) -> Role | None:
    """The record's role: ``fixed`` (which a given role must agree with) or its own.

    Parameters
    ----------
    cells : the record, keyed by canonical column.
    fixed : the batch's role in the two-input form, or None.
    source : the batch's name, for the problem's message.
    report : ``report(column, message, value)`` for each problem.

    Returns
    -------
    Role or None
        None when the record's own role is missing or wrong (reported).
    """
    value = cells.get("role")
    text = value.strip().lower() if isinstance(value, str) else None
    if fixed is not None:
        if text != fixed.value and not is_empty(value):
            report("role", f"expected '{fixed.value}' in the {source} input", value)
        return fixed
    role = _ROLES.get(text)
    if role is None:
        report("role", "expected 'mentor' or 'mentee'", value)
    return role


def _timezone(value: object) -> tuple[str, int]:
    if not isinstance(value, str):
        raise FieldError([("expected a time zone as text", value)])
    try:
        return parse_timezone(value)
    except ValueError as error:
        raise FieldError([(str(error), value)]) from None


def _attribute_value(value: object):
    if isinstance(value, bool):
        _fail("expected text, a list of texts, or a number", value)
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            _fail("expected a finite number", value)
        return number
    if isinstance(value, str):
        return " ".join(_as_text(value).split()) or None
    if isinstance(value, list | tuple):
        items = [" ".join(_as_text(item).split()) for item in value]
        kept = {item.casefold(): item for item in reversed(items) if item}  # first wins
        return tuple(reversed(kept.values())) or None
    _fail("expected text, a list of texts, or a number", value)


def parse_attributes(value: object) -> tuple[tuple[str, object], ...]:
    """Custom attributes: a mapping from a name (1 to MAX_ID characters) to a value.

    Values are text (trimmed, inner whitespace collapsed), a list of texts (a tuple,
    blanks dropped, duplicates collapsed) or a finite number (a float); blank values
    are left out. The given order is kept.
    """
    if not isinstance(value, Mapping):
        _fail("expected attributes as {name: value}", type(value).__name__)
    out, issues = [], []
    for name, item in value.items():
        key = name.strip() if isinstance(name, str) else ""
        if not key or len(key) > MAX_ID:
            issues.append((f"expected an attribute name of 1 to {MAX_ID} characters", name))
            continue
        try:
            parsed = None if is_empty(item) else _attribute_value(item)
        except FieldError as error:
            issues.extend((f"attribute '{key}': {m}", bad) for m, bad in error.issues)
            continue
        if parsed is not None:
            out.append((key, parsed))
    if issues:
        raise FieldError(issues)
    return tuple(out)


# How a parsed value is stored: kept when truthy (a blank tag, an empty list keep the
# default), kept always (a count's 0 is a value), split (time zone), or set apart.
_TRUTHY, _ALWAYS, _ZONE, _MINIMUM = range(4)
# column -> (parser, whether it takes the alias table, how it is stored); role is apart.
_PARSERS = {
    "id": (parse_id, False, _TRUTHY),
    "name": (parse_text, False, _TRUTHY),
    "email": (parse_text, False, _TRUTHY),
    "seniority": (parse_count, False, _ALWAYS),
    "skills": (parse_skills, True, _TRUTHY),
    "goals": (parse_tags, True, _TRUTHY),
    "capacity": (parse_count, False, _ALWAYS),
    "min_capacity": (parse_count, False, _MINIMUM),
    "department": (parse_tag, True, _TRUTHY),
    "location": (parse_tag, True, _TRUTHY),
    "timezone": (_timezone, False, _ZONE),
    "languages": (parse_tags, True, _TRUTHY),
    "manager_id": (parse_id, False, _TRUTHY),
    "exclude": (parse_ids, False, _TRUTHY),
    "prefer": (parse_ids, False, _TRUTHY),
    "attributes": (parse_attributes, False, _TRUTHY),
}
# A person's fields when a cell is empty or wrong (a wrong cell is reported).
_DEFAULTS = {
    "id": None,
    "name": None,
    "email": None,
    "seniority": None,
    "skills": (),
    "goals": (),
    "capacity": 1,
    "department": None,
    "location": None,
    "timezone": None,
    "utc_offset_minutes": None,
    "languages": (),
    "manager_id": None,
    "exclude": (),
    "prefer": (),
    "attributes": (),
}


def record_fields(
    cells: Mapping, role: Role | None, table, has_id, needs_seniority, report, seen=None
) -> dict:
    """Parse every cell of one record, report each bad cell, return the person's fields.

    One loop over the record's own cells (no call per absent column): a parser runs only
    on a given value; a falsy result (a blank tag, an empty list) keeps the default,
    except a count's 0.

    Parameters
    ----------
    cells : the record, keyed by canonical column.
    role : the record's role (None: unknown, already reported).
    table : the alias table (:func:`matcher.io.fields.alias_table`).
    has_id, needs_seniority : whether the batch has ids / any seniority, so each record
        needs one.
    report : ``report(column, message, value)`` for each problem.
    seen : a dict kept for one validation, from each tag as written to its collapsed
        form (:func:`matcher.io.fields.collapsed`); None to work each one out.

    Returns
    -------
    dict
        Keyword arguments for :class:`~matcher.model.Mentor` or
        :class:`~matcher.model.Mentee` (``min_capacity`` for mentors only).
    """
    out = dict(_DEFAULTS)
    minimum = None
    capacity_ok = True
    for column, value in cells.items():
        entry = _PARSERS.get(column)
        if entry is None:  # role
            continue
        kind = type(value)  # is_empty, inline for the usual types
        if kind is str:
            if not value or value.isspace():
                continue
        elif kind is list:
            if not value:
                continue
        elif kind is not int and kind is not dict and is_empty(value):
            continue
        parse, tagged, store = entry
        try:
            parsed = parse(value, table, seen) if tagged else parse(value)
        except FieldError as error:
            for message, bad in error.issues:
                report(column, message, bad)
            capacity_ok = capacity_ok and column != "capacity"
            continue
        if store == _TRUTHY:
            if parsed:
                out[column] = parsed
        elif store == _ALWAYS:
            out[column] = parsed
        elif store == _ZONE:
            out["timezone"], out["utc_offset_minutes"] = parsed
        else:
            minimum = parsed
    if has_id and is_empty(cells.get("id")):
        report("id", "an id is required", cells.get("id"))
    if needs_seniority and is_empty(cells.get("seniority")):
        message = "expected a whole number >= 0 (others have a seniority, so everyone needs one)"
        report("seniority", message, cells.get("seniority"))
    if minimum is not None and role is _MENTEE:
        message = "min_capacity is for mentors only; leave it empty for mentees"
        report("min_capacity", message, minimum)
    elif minimum is not None and capacity_ok and minimum > out["capacity"]:
        report("min_capacity", f"expected min_capacity <= capacity ({out['capacity']})", minimum)
    if role is _MENTOR:
        out["min_capacity"] = minimum or 0
    return out


def person(kind: type, fields: dict):
    """``kind(**fields)`` for the fields :func:`record_fields` gives, which name every
    field of ``kind`` (tested): a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, four times the cost of filling its ``__dict__`` at once."""
    made = object.__new__(kind)
    made.__dict__.update(fields)
    return made
