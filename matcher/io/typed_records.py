"""Typed JSON records -> Cohort in one quick pass, or None for the general validator.

HR systems send people as the API documents them: canonical keys, JSON types (ids and
tags as text, counts as numbers, lists as lists, skills as ``{"name", "level"}``). For
records in that form, :func:`typed_cohort` builds the same Cohort as the general
validator (:mod:`matcher.io.validate`) at a third of its cost: msgspec checks the types
and ranges in C, then one pass per record applies the rules no type says (trimming, tag
normalisation and aliases, id characters, min_capacity <= capacity, seniority for all or
none, unique ids, exclude and prefer naming someone of the other role).

It never rejects and never reports: a record outside that form (another spelling of a
key, a count written as text, an unknown key) or any problem at all gives None, and the
caller runs the general validator, which reads every form and reports every problem. So
a valid cohort is validated once, by whichever path reads it; the tests compare both
paths on generated records, good and bad.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from matcher.io.fields import (
    MAX_COUNT,
    MAX_FIELD,
    MAX_ID,
    SEPARATOR,
    FieldError,
    _shared_skill,
    collapsed,
    no_gc,
    parse_id,
    parse_ids,
    parse_skills,
    parse_tags,
    parse_timezone,
)
from matcher.io.record_fields import parse_attributes, person
from matcher.model import Cohort, Mentee, Mentor

Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]
Level = Annotated[int, msgspec.Meta(ge=1, le=5)]


class SkillIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    level: Level | None = None


class RecordIn(msgspec.Struct, forbid_unknown_fields=True):
    """One person as the API documents it; anything else fails the conversion."""

    id: str
    role: str | None = None
    name: str | None = None
    email: str | None = None
    seniority: Count | None = None
    skills: list[SkillIn | str] | str | None = None
    goals: list[str] | str | None = None
    capacity: Count | None = None
    min_capacity: Count | None = None
    department: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: list[str] | str | None = None
    manager_id: str | None = None
    exclude: list[str] | str | None = None
    prefer: list[str] | str | None = None
    attributes: dict | None = None


_RECORDS = list[RecordIn]
_ROLES = ("mentor", "mentee")


class _Refused(Exception):
    """Something here is not for the quick pass: the general validator reads it."""


def typed_cohort(batches, table: dict, org_chart=()) -> Cohort | None:
    """The Cohort of ``batches`` when every record is in the documented typed form and
    nothing is wrong with it; None otherwise (then nothing here was kept).

    Parameters
    ----------
    batches : (records, role) for each input: role None when each record names its own
        ("mentor" or "mentee"); "mentor"/"mentee" for the two-input form.
    table : the alias table (:func:`matcher.io.fields.alias_table`).
    org_chart : extra (person_id, manager_id) edges, stored on the Cohort as given.

    Returns
    -------
    Cohort or None
    """
    try:
        converted = [(msgspec.convert(records, _RECORDS), role) for records, role in batches]
    except msgspec.ValidationError:
        return None
    return cohort_of_typed(converted, table, org_chart)


def cohort_of_typed(batches, table: dict, org_chart=()) -> Cohort | None:
    """:func:`typed_cohort` for records already of :class:`RecordIn` (a JSON body decoded
    with that type, as ``POST /match`` does): the Cohort, or None."""
    with no_gc():
        try:
            return _build(batches, table, org_chart)
        except (_Refused, FieldError, ValueError):
            return None


def _build(converted, table: dict, org_chart) -> Cohort:
    seen: dict[str, str] = {}  # tags as written -> collapsed
    people = []  # (role, fields)
    needs_seniority = False
    for records, fixed in converted:
        if not records:
            raise _Refused
        for record in records:
            role = _role(record.role, fixed)
            needs_seniority = needs_seniority or record.seniority is not None
            people.append((role, _fields(record, role, table, seen)))
    if needs_seniority and any(fields["seniority"] is None for _, fields in people):
        raise _Refused
    _cross_check(people)
    mentors = tuple(person(Mentor, f) for role, f in people if role == "mentor")
    mentees = tuple(person(Mentee, f) for role, f in people if role == "mentee")
    if not mentors or not mentees:
        raise _Refused
    chart = tuple((str(a), str(b)) for a, b in org_chart)
    return Cohort(mentors, mentees, org_chart=chart)


def _role(value: str | None, fixed: str | None) -> str:
    text = value.strip().lower() if value is not None else ""
    if fixed is not None:
        if text and text != fixed:
            raise _Refused
        return fixed
    if text not in _ROLES:
        raise _Refused
    return text


def _text(value: str | None) -> str | None:
    """name, email: trimmed, at most MAX_FIELD characters; blank is not given."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > MAX_FIELD:
        raise _Refused
    return text or None


def _id(value: str) -> str:
    """parse_id, checking the usual id (printable, no ';', 1 to MAX_ID characters) inline."""
    text = value.strip()
    if 0 < len(text) <= MAX_ID and SEPARATOR not in text and text.isprintable():
        return text
    return parse_id(value)


def _manager(value: str | None) -> str | None:
    return _id(value) if value is not None and value.strip() else None


def _tag(value: str | None, table: dict, seen: dict) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_FIELD:
        raise _Refused
    tag = collapsed(value, seen)
    return (table.get(tag, tag) if table else tag) or None


def _listed(text: str, parse, *args):
    """A list written as one ';'-separated text, read by the general validator's parser;
    a ',' in it is the general validator's to report (how to separate items)."""
    if "," in text:
        raise _Refused
    return parse(text, *args)


def _tags(value, table: dict, seen: dict) -> tuple[str, ...]:
    """goals, languages: parse_tags' reading of a list of texts, with ';' refused."""
    if value is None:
        return ()
    if type(value) is str:
        return _listed(value, parse_tags, table, seen)
    tags = []
    for item in value:
        if len(item) > MAX_FIELD or SEPARATOR in item:
            raise _Refused
        tag = collapsed(item, seen)
        if tag:
            tags.append(table.get(tag, tag) if table else tag)
    return tuple(dict.fromkeys(tags))


def _skills(value, table: dict, seen: dict) -> tuple:
    """parse_skills' reading of ``{"name", "level"}`` items (texts go to parse_skills)."""
    if value is None:
        return ()
    if type(value) is str:
        return _listed(value, parse_skills, table, seen)
    skills = {}
    for item in value:
        if type(item) is str:  # a "name:level" text among them: parse_skills reads it all
            items = [i if type(i) is str else {"name": i.name, "level": i.level} for i in value]
            return parse_skills(items, table, seen)
        name = item.name
        if len(name) > MAX_FIELD:
            raise _Refused
        tag = collapsed(name, seen)
        tag = table.get(tag, tag) if table else tag
        if not tag or ":" in tag:
            raise _Refused
        if tag not in skills:
            skills[tag] = _shared_skill(tag, item.level)
    return tuple(skills.values())


def _ids(value) -> tuple[str, ...]:
    """exclude, prefer: ids, blanks dropped, duplicates collapsed."""
    if not value:
        return ()
    if type(value) is str:
        return _listed(value, parse_ids)
    ids = [_id(item) for item in value if item.strip()]
    return tuple(dict.fromkeys(ids))


def _fields(record: RecordIn, role: str, table: dict, seen: dict) -> dict:
    """The person's fields, as :func:`matcher.io.record_fields.record_fields` gives them."""
    pid = _id(record.id)
    timezone = offset = None
    if record.timezone is not None and record.timezone.strip():
        timezone, offset = parse_timezone(record.timezone)
    capacity = 1 if record.capacity is None else record.capacity
    fields = {
        "id": pid,
        "name": _text(record.name),
        "email": _text(record.email),
        "seniority": record.seniority,
        "skills": _skills(record.skills, table, seen),
        "goals": _tags(record.goals, table, seen),
        "capacity": capacity,
        "department": _tag(record.department, table, seen),
        "location": _tag(record.location, table, seen),
        "timezone": timezone,
        "utc_offset_minutes": offset,
        "languages": _tags(record.languages, table, seen),
        "manager_id": _manager(record.manager_id),
        "exclude": _ids(record.exclude),
        "prefer": _ids(record.prefer),
        "attributes": parse_attributes(record.attributes) if record.attributes is not None else (),
    }
    minimum = record.min_capacity
    if role == "mentor":
        if minimum is not None and minimum > capacity:
            raise _Refused
        fields["min_capacity"] = minimum or 0
    elif minimum is not None:
        raise _Refused
    return fields


def _cross_check(people) -> None:
    """Unique ids; exclude/prefer name someone of the other role; nobody manages themselves."""
    role_of = {}
    for role, fields in people:
        if role_of.setdefault(fields["id"], role) != role:
            raise _Refused
    if len(role_of) != len(people):
        raise _Refused
    for role, fields in people:
        pid = fields["id"]
        if fields["manager_id"] == pid:
            raise _Refused
        for other in fields["exclude"] + fields["prefer"]:
            if other == pid or role_of.get(other, role) == role:
                raise _Refused
