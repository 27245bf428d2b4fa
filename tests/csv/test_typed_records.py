"""The quick pass for typed JSON records builds what the general validator builds, or
steps aside (None) whenever a record is in another form or anything is wrong with it."""

from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.io.cohort_csv import read_cohort
from matcher.io.fields import alias_table
from matcher.io.records import cohort_from_records, cohort_to_records
from matcher.io.typed_records import typed_cohort
from matcher.io.validate import Batch, Role, validate_batches
from matcher.model import InputError, Mentee, Mentor

SAMPLES = Path(__file__).resolve().parents[2] / "data"
ALIASES = {"py": "python", "Data  Viz": "visualisation", "fr": "french"}


def _general(records, aliases=None, two=False):
    """validate_batches' Cohort, or the InputError it raises."""
    if two:
        batches = [
            Batch("mentors", records[0], Role.MENTOR),
            Batch("mentees", records[1], Role.MENTEE),
        ]
    else:
        batches = [Batch("cohort", records)]
    try:
        return validate_batches(batches, aliases=aliases)
    except InputError as error:
        return error


def _quick(records, aliases=None, two=False):
    inputs = [(records[0], "mentor"), (records[1], "mentee")] if two else [(records, None)]
    return typed_cohort(inputs, alias_table(aliases))


def _agree(records, aliases=None, two=False):
    """Assert the quick pass is None or equal to the general validator's Cohort; return it."""
    general = _general(records, aliases, two)
    quick = _quick(records, aliases, two)
    if isinstance(general, InputError):
        assert quick is None, general.problems
    elif quick is not None:
        assert quick == general
        for a, b in zip(
            quick.mentors + quick.mentees, general.mentors + general.mentees, strict=True
        ):
            assert type(a) is type(b) and vars(a) == vars(b)
    return quick


@pytest.mark.parametrize("name", ["coaching-sample", "mentoring-500"])
def test_the_sample_cohorts_take_the_quick_pass_and_come_out_the_same(name):
    cohort = read_cohort(SAMPLES / f"{name}.csv")
    records = [{k: v for k, v in r.items() if v is not None} for r in cohort_to_records(cohort)]
    assert _agree(records) == cohort
    assert cohort_from_records(records) == cohort


def test_both_input_forms_take_it():
    mentors = [{"id": "M1", "skills": [{"name": "Py", "level": 3}], "capacity": 2}]
    mentees = [{"id": "E1", "role": " Mentee ", "goals": ["Data  Viz", "public speaking"]}]
    quick = _agree([mentors, mentees], ALIASES, two=True)
    assert quick is not None
    assert quick.mentors[0].skills[0].name == "python"
    assert quick.mentees[0].goals == ("visualisation", "public speaking")


def test_it_fills_every_field_the_constructor_would():
    quick = _quick(_base())
    assert set(vars(quick.mentors[0])) == {f.name for f in fields(Mentor)}
    assert set(vars(quick.mentees[0])) == {f.name for f in fields(Mentee)}


def _base():
    return [
        {
            "id": "M1",
            "role": "mentor",
            "name": "Ana",
            "email": "ana@example.org",
            "seniority": 6,
            "skills": [{"name": "Python", "level": 4}, {"name": "sql"}],
            "goals": ["Leadership"],
            "capacity": 2,
            "min_capacity": 1,
            "department": "Data",
            "location": "Paris",
            "timezone": "Europe/Paris",
            "languages": ["French", "english"],
            "manager_id": "X1",
            "exclude": ["E2"],
        },
        {
            "id": "E1",
            "role": "mentee",
            "seniority": 1,
            "skills": ["python:2", {"name": "Go", "level": None}],
            "goals": "leadership; public speaking",
            "timezone": "+05:30",
            "prefer": "M1",
            "attributes": {"track": "data", "tags": ["a", "b"], "score": 3},
        },
        {"id": "E2", "role": "mentee", "seniority": 0, "languages": []},
    ]


# Values a careless or hostile integrator sends, per column: each is either read the same
# by both paths or makes the quick pass step aside.
ODD = {
    "id": ["", "  ", "M1", "E1", "a;b", "tab\there", "x" * 65, 7, None, " M9 ", "zé"],
    "role": ["MENTOR", " mentee ", "boss", "", None, 1],
    "name": ["", "  x  ", "y" * 1001, 3, None, ["a"]],
    "seniority": [-1, 0, 1.0, "4", True, 1_000_001, None, ""],
    "skills": [
        [],
        "python:3; sql",
        "python, sql",
        [{"name": "a:b"}],
        [{"name": " ", "level": 2}],
        [{"name": "x", "level": 0}],
        [{"name": "x", "level": True}],
        [{"name": "x", "level": 3.0}],
        [{"name": "x", "lvl": 3}],
        [{"name": "Py", "level": 2}, {"name": "python", "level": 5}],
        [{"name": "x"}, "y:9"],
        [["nested"]],
        {"name": "x"},
    ],
    "goals": [[], "a, b", ["a;b"], ["", "  A  b "], [1], "", "x" * 1001, ["Data  Viz"]],
    "capacity": [0, 5, -2, 2.0, "3", False, None],
    "min_capacity": [0, 1, 9, None, "1"],
    "department": ["", "  Sales  ", 4, "a;b", None],
    "timezone": ["PST", "nowhere", "+15:00", "", " utc ", 3],
    "languages": [["fr", "FR"], "english;french", ["en", None]],
    "manager_id": ["", "M1", "E1", "X;1", None, 5],
    "exclude": [[], ["E1"], ["M1"], ["nobody"], "E1, E2", ["E1", "E1"], [" "], "E2"],
    "prefer": [["M1"], ["E2"], "M1;M1", [None]],
    "attributes": [{}, {"": "x"}, {"a": float("nan")}, {"a": [" x ", "X"]}, [], None],
    "Min Capacity": [1],
    "unknown": ["x"],
}


@st.composite
def _records(draw):
    records = _base()
    for _ in range(draw(st.integers(0, 4))):
        k = draw(st.integers(0, len(records) - 1))
        column = draw(st.sampled_from(sorted(ODD)))
        value = draw(st.sampled_from(ODD[column]))
        if draw(st.booleans()) or column in ("unknown", "Min Capacity"):
            records[k][column] = value
        else:
            records[k].pop(column, None)
    return records


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records(), st.sampled_from([None, ALIASES]))
def test_either_the_same_cohort_or_the_general_validator(records, aliases):
    _agree(records, aliases)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records())
def test_the_two_input_form_agrees_too(records):
    _agree([records[:1], records[1:]], two=True)


def test_the_unchanged_records_do_take_the_quick_pass():
    assert _agree(_base()) is not None
    assert _agree(_base(), ALIASES) is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r[1].update(id="M1"),  # a duplicate id
        lambda r: r[0].update(exclude=["M1"]),  # oneself
        lambda r: r[1].update(prefer=["E2"]),  # someone of the same role
        lambda r: r[0].update(min_capacity=5),  # more than capacity
        lambda r: r[1].update(min_capacity=0),  # a mentee's minimum
        lambda r: r[2].pop("seniority"),  # others have one
        lambda r: r[0].update(manager_id="M1"),  # their own manager
        lambda r: r.append({"id": "E3", "role": "mentee", "extra": 1}),  # unknown key
        lambda r: r.append({"id": "E3", "role": "mentee", "Capacity": 1}),  # other spelling
        lambda r: r.__delitem__(slice(1, None)),  # no mentees
    ],
)
def test_it_steps_aside_for_each_problem_or_other_form(change):
    records = _base()
    change(records)
    assert _quick(records) is None
    assert _agree(records) is None
