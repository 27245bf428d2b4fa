"""JSON-style records: typed values, the same rules as CSV, problems by record index."""

import pytest

from matcher.io.records import cohort_from_records, cohort_to_records
from matcher.model import Cohort, Mentee, Mentor, Skill


def where(p):
    return (p.source, p.line, p.row, p.column, p.value)


def test_typed_values_are_accepted():
    cohort = cohort_from_records(
        [
            {
                "id": "m1",
                "role": "mentor",
                "seniority": 5,
                "skills": [{"name": "Python", "level": 4}, "SQL:2", "go"],
                "capacity": 3,
                "minCapacity": 1,
                "languages": ["English", "english", "French"],
                "timezone": "America/New_York",
            },
            {"id": 7, "role": "mentee", "seniority": 1.0, "prefer": ["m1"], "capacity": None},
        ]
    )
    assert cohort.mentors == (
        Mentor(
            id="m1",
            seniority=5,
            skills=(Skill("python", 4), Skill("sql", 2), Skill("go")),
            capacity=3,
            min_capacity=1,
            languages=("english", "french"),
            timezone="America/New_York",
            utc_offset_minutes=-300,
        ),
    )
    assert cohort.mentees == (Mentee(id="7", seniority=1, prefer=("m1",)),)


def test_same_rules_as_csv_with_record_indices(rejected):
    problems = rejected(
        cohort_from_records,
        [
            {"id": "m1", "role": "mentor", "capacity": "lots", "hobby": "chess"},
            {"id": "m1", "role": "mentee", "capacity": True, "min_capacity": 1},
            {"id": "e2", "role": "Mentee", "exclude": ["e3"], "skills": ["a;b"]},
            {"id": "e3", "role": "mentee", "timezone": 5},
        ],
    )
    assert [(where(p), p.message) for p in problems] == [
        (("cohort", None, 0, "capacity", "lots"), "expected a whole number >= 0"),
        (
            ("cohort", None, 0, "hobby", "hobby"),
            "unknown column; expected one of id, role, name, email, seniority, skills, goals, "
            "capacity, min_capacity, department, location, timezone, languages, manager_id, "
            "exclude, prefer",
        ),
        (("cohort", None, 1, "id", "m1"), "expected a unique id; it is also used on record 1"),
        (("cohort", None, 1, "capacity", "True"), "expected a whole number >= 0"),
        (
            ("cohort", None, 1, "min_capacity", "1"),
            "min_capacity is for mentors only; leave it empty for mentees",
        ),
        (("cohort", None, 2, "skills", "a;b"), "expected one item without ';'"),
        (("cohort", None, 2, "exclude", "e3"), "expected the id of a mentor, not of a mentee"),
        (("cohort", None, 3, "timezone", "5"), "expected a time zone as text"),
    ]


def test_field_given_twice_in_one_record(rejected):
    records = [
        {"id": "m1", "role": "mentor", "capacity": 1, "Capacity": 2},
        {"id": "e", "role": "mentee"},
    ]
    (p,) = rejected(cohort_from_records, records)
    assert where(p) == ("cohort", None, 0, "capacity", "Capacity")
    assert p.message == "this field is given more than once"


def test_a_record_that_is_not_an_object(rejected):
    (p,) = rejected(
        cohort_from_records, [{"id": "m1", "role": "mentor"}, {"id": "e", "role": "mentee"}, 3]
    )
    assert (p.row, p.value, p.message) == (2, "int", "expected a record with named fields")


def test_records_must_be_a_list(rejected):
    (p,) = rejected(cohort_from_records, {"id": "m1"})
    assert (p.source, p.message) == ("cohort", "expected a list of records")


def test_empty_list(rejected):
    (p,) = rejected(cohort_from_records, [])
    assert (p.source, p.line, p.row, p.message) == ("cohort", None, None, "there are no records")


def test_no_mentees(rejected):
    (p,) = rejected(cohort_from_records, [{"id": "m1", "role": "mentor"}])
    assert (p.source, p.message) == ("cohort", "the cohort has no mentees")


def test_two_list_form(rejected):
    cohort = cohort_from_records(mentors=[{"id": "m1"}], mentees=[{"id": "e1", "role": "MENTEE"}])
    assert (cohort.mentor_ids, cohort.mentee_ids) == (("m1",), ("e1",))
    problems = rejected(
        cohort_from_records, mentors=[{"id": "m1", "role": "mentee"}], mentees=[{"id": "m1"}]
    )
    assert [(p.source, p.row, p.column) for p in problems] == [
        ("mentors", 0, "role"),
        ("mentees", 0, "id"),
    ]
    assert problems[1].message == "expected a unique id; it is also used on record 1 of mentors"


def test_lines_turn_record_indices_into_physical_lines(rejected):
    records = [{"id": "m1", "role": "mentor"}, {"id": "e1", "role": "mentee", "capacity": "x"}]
    (p,) = rejected(cohort_from_records, records, lines=[2, 5], source="upload.csv")
    assert (p.source, p.line, p.row) == ("upload.csv", 5, 1)


def test_both_or_neither_form_is_a_programming_error():
    with pytest.raises(TypeError):
        cohort_from_records()
    with pytest.raises(TypeError):
        cohort_from_records([], mentors=[])


def test_to_records_and_back_gives_an_equal_cohort():
    cohort = Cohort(
        mentors=(
            Mentor(
                id="m1",
                name="Ann",
                email="ann@example.org",
                seniority=4,
                skills=(Skill("python", 3), Skill("sql")),
                goals=("leadership",),
                capacity=2,
                min_capacity=1,
                department="data",
                location="lisbon",
                timezone="UTC-05:00",
                utc_offset_minutes=-300,
                languages=("english",),
                manager_id="boss",
                exclude=("e2",),
            ),
        ),
        mentees=(Mentee(id="e1", seniority=1, prefer=("m1",)), Mentee(id="e2", seniority=0)),
    )
    records = cohort_to_records(cohort)
    assert records[0]["skills"] == [{"name": "python", "level": 3}, {"name": "sql", "level": None}]
    assert records[1]["min_capacity"] is None and records[1]["role"] == "mentee"
    assert list(records[0]) == [
        "id", "role", "name", "email", "seniority", "skills", "goals", "capacity",
        "min_capacity", "department", "location", "timezone", "languages", "manager_id",
        "exclude", "prefer",
    ]  # fmt: skip
    assert cohort_from_records(records) == cohort


def test_policy_style_alias_pairs_are_accepted():
    records = [{"id": "m1", "role": "mentor", "skills": "ML:2"}, {"id": "e1", "role": "mentee"}]
    cohort = cohort_from_records(records, aliases=(("ml", "Machine Learning"),))
    assert cohort.mentors[0].skills == (Skill("machine learning", 2),)
