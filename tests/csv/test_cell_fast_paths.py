"""The validator's fast paths for usual cells give what the general parsers give.

``parse_skills`` reads ``{"name", "level"}`` dicts and ``name[:level]`` texts without
calling ``_skill``, and ``_validate_batch`` maps a record's keys in one comprehension;
each case below goes through the fast path and must match the general path exactly
(value, or every message and offending value).
"""

import pytest

from matcher.io.fields import FieldError, _skill, alias_table, parse_skills
from matcher.io.records import cohort_from_records
from matcher.model import InputError

TABLE = alias_table({"Py": "python", "k8s": "kube:rnetes"})
ITEMS = [
    "python",
    "  Data   Science :4 ",
    "python:3",
    "python:05",
    "python:0",
    "python:6",
    "python:",
    ":3",
    " : 3",
    "a:b:3",
    "py:2",
    "k8s",
    "   ",
    "",
    {"name": "SQL", "level": 5},
    {"name": "sql", "level": None},
    {"name": "sql", "level": "4"},
    {"name": "sql", "level": ""},
    {"name": "sql", "level": 0},
    {"name": "sql", "level": True},
    {"name": "  ", "level": 2},
    {"name": "sql", "level": 2, "years": 3},
    {"name": 7},
    {"level": 2},
    {"name": "K8S"},
    7,
]


def _general(items, table):
    """parse_skills as it reads without its fast path: _skill on every item."""
    skills, issues = {}, []
    for item in items:
        try:
            skill = _skill(item, table)
        except FieldError as error:
            issues.extend(error.issues)
            continue
        if skill is not None and skill.name:
            skills.setdefault(skill.name, skill)
    if issues:
        raise FieldError(issues)
    return tuple(skills.values())


def _outcome(parse, items, table):
    try:
        return parse(items, table)
    except FieldError as error:
        return error.issues


@pytest.mark.parametrize("item", ITEMS, ids=repr)
@pytest.mark.parametrize("table", [{}, TABLE], ids=["plain", "aliased"])
def test_each_skill_item_is_read_as_the_general_path_reads_it(item, table):
    assert _outcome(parse_skills, [item], table) == _outcome(_general, [item], table)


def test_a_mixed_list_keeps_first_wins_and_every_issue_in_order():
    items = ["sql:2", {"name": "SQL", "level": 4}, "python:9", "Py:1", {"name": " "}, "go"]
    assert _outcome(parse_skills, items, TABLE) == _outcome(_general, items, TABLE)
    ok = ["sql:2", {"name": "SQL", "level": 4}, "Py:1", "go", "python"]
    assert [(s.name, s.level) for s in parse_skills(ok, TABLE)] == [
        ("sql", 2),
        ("python", 1),
        ("go", None),
    ]


def test_records_whose_keys_repeat_a_column_are_still_reported():
    base = {"id": "M1", "role": "mentor", "capacity": 2}
    records = [
        dict(base),  # teaches the fast key map these keys
        {"id": "E1", "role": "mentee", "Role": "mentee"},  # same column twice
        {"id": "E2", "role": "mentee", "colour": "red"},  # an unknown column
    ]
    with pytest.raises(InputError) as caught:
        cohort_from_records(records)
    found = [(p.row, p.column, p.message) for p in caught.value.problems]
    assert found == [
        (1, "role", "this field is given more than once"),
        (2, "colour", found[1][2]),
    ]
    assert found[1][2].startswith("unknown column; expected one of id, role")


def test_records_share_one_skill_object_per_name_and_level():
    records = [
        {"id": "M1", "role": "mentor", "skills": [{"name": "Python", "level": 3}, "sql"]},
        {"id": "E1", "role": "mentee", "skills": "python:3; sql:2"},
    ]
    cohort = cohort_from_records(records)
    (mentor,), (mentee,) = cohort.mentors, cohort.mentees
    assert [(s.name, s.level) for s in mentor.skills] == [("python", 3), ("sql", None)]
    assert [(s.name, s.level) for s in mentee.skills] == [("python", 3), ("sql", 2)]
    assert mentor.skills[0] is mentee.skills[0]  # built once, shared (frozen)
    assert mentor.skills[1] != mentee.skills[1]
