"""Mapping files: what a coordinator may write, and every mistake reported at once."""

import json

import pytest

from matcher.io.fields import TIMEZONE_EXPECTED
from matcher.io.mapping import load_mapping
from matcher.model import InputError

BASE = {
    "Email": {"field": ["id", "email"]},
    "Role": {"field": "role", "values": {"A mentor": "mentor", "A mentee": "mentee"}},
}


def _mapping(**columns):
    return {"mapping": 1, "columns": {**BASE, **columns}}


def test_a_full_mapping_loads_with_its_settings(tmp_path):
    text = """
mapping = 1
sheet = "Form Responses 1"
[columns."Email"]
field = ["id", "email"]
[columns."Role"]
field = "role"
values = { "A mentor" = "mentor", "A mentee" = "mentee" }
[columns."Skills I can teach"]
field = "skills"
role = "mentor"
separator = [", ", ";"]
[columns."How many?"]
field = "capacity"
role = "mentor"
ranges = "high"
values = { "Not this round" = 0 }
[columns."Level"]
field = "seniority"
levels = ["Junior", "Mid", "Senior", "Lead"]
[columns."Manager"]
field = "manager_id"
match_on = "email"
[columns."Hobbies"]
attribute = "hobbies"
type = "multi-choice"
rule = "overlap"
weight = 0.2
[columns."Timestamp"]
ignore = true
[timezones]
IST = "Asia/Kolkata"
"""
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    mapping = load_mapping(path)
    assert (mapping.sheet, mapping.source) == ("Form Responses 1", "mapping.toml")
    assert mapping.timezones == (("IST", "Asia/Kolkata"),)
    skills = mapping.rule_for("skills i can teach")
    assert (skills.fields, skills.role, skills.separator) == (("skills",), "mentor", (", ", ";"))
    assert mapping.rule_for("How many?").lookup() == {"not this round": 0}
    level = mapping.rule_for("Level")
    assert level.lookup() == {"junior": 1, "mid": 2, "senior": 3, "lead": 4}
    assert level.ranges == "middle"  # years of seniority default to the middle of a range
    hobbies = mapping.rule_for("Hobbies")
    assert (hobbies.attribute, hobbies.kind, hobbies.separator) == (
        "hobbies",
        "multi-choice",
        (";",),
    )
    assert (hobbies.rule, hobbies.weight) == ("overlap", 0.2)
    assert mapping.rule_for("Timestamp").ignore


def test_json_mappings_load_too(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(_mapping()), encoding="utf-8")
    assert [c.header for c in load_mapping(path).columns] == ["Email", "Role"]


def test_every_mistake_is_reported_at_once():
    data = {
        "mapping": 2,
        "extra": 1,
        "columns": {
            **BASE,
            "A": {"field": "skils"},
            "B": {"field": "skills", "attribute": "x"},
            "C": {},
            "D": {"attribute": "hobbies", "type": "tags"},
            "E": {"field": "capacity", "ranges": "most"},
            "F": {"field": "department", "levels": ["a"]},
            "G": {"field": "role", "values": {"Both": "mentorship"}},
            "H": {"field": "capacity", "values": {"Some": 1.5}},
            "I": {"field": "skills", "colour": "red"},
            "J": {"ignore": False},
            "K": {"field": "department", "separator": ","},
            "L": {"attribute": "w", "type": "number", "weight": -1, "pair_with": "nobody"},
        },
        "timezones": {"IST": "Narnia", "X": "IST"},
    }
    with pytest.raises(InputError) as info:
        load_mapping(data)
    got = [(p.column, p.message.split(";")[0]) for p in info.value.problems]
    expected = [
        ("extra", "unknown setting"),
        ("mapping", "expected mapping = 1 (this version's format)"),
        ('columns."A".field', "unknown field"),
        (
            'columns."B"',
            "expected exactly one of field, attribute or ignore = true (got field, attribute)",
        ),
        ('columns."C"', "expected exactly one of field, attribute or ignore = true"),
        ('columns."D".type', "expected type = choice | multi-choice | number | text"),
        ('columns."E".ranges', "expected one of high, low, middle"),
        ('columns."F".levels', "levels are for a seniority column"),
        ('columns."G".values."Both"', 'expected "mentor" or "mentee"'),
        ('columns."H".values."Some"', "expected a whole number >= 0"),
        ('columns."I".colour', "unknown key"),
        ('columns."J".ignore', "expected ignore = true"),
        ('columns."K".separator', "only list fields and multi-choice attributes are split"),
        ('columns."L".weight', "expected a number >= 0"),
        ('columns."Role".field', "'role' is also fed by 'G'"),
        ('columns."E".field', "'capacity' is also fed by 'H'"),
        ('columns."F".field', "'department' is also fed by 'K'"),
        ('columns."L".pair_with', "no attribute has this name"),
        (
            "timezones.IST",
            TIMEZONE_EXPECTED,
        ),
        (
            "timezones.X",
            "'IST' is ambiguous: it may mean Asia/Kolkata (India Standard Time), "
            "Asia/Jerusalem (Israel Standard Time), Europe/Dublin (Irish Standard Time)",
        ),
    ]
    assert sorted(got) == sorted(expected)


def test_no_id_column_and_match_on_without_email():
    data = {
        "columns": {"Role": {"field": "role"}, "Mgr": {"field": "manager_id", "match_on": "email"}}
    }
    with pytest.raises(InputError) as info:
        load_mapping(data)
    messages = [p.message for p in info.value.problems]
    assert "no column feeds 'id': map the employee-id or the email column to it" in messages
    assert "match_on = \"email\" needs a column that feeds 'email'" in messages


def test_a_field_may_be_fed_once_per_role():
    columns = {
        "Teach": {"field": "skills", "role": "mentor"},
        "Learn": {"field": "skills", "role": "mentee"},
        "How many mentees?": {"field": "capacity", "role": "mentor"},
        "How many mentors?": {"field": "capacity", "role": "mentee"},
        "First name": {"field": "name"},
        "Last name": {"field": "name"},
    }
    mapping = load_mapping(_mapping(**columns))
    assert [c.header for c in mapping.fed("capacity")] == ["How many mentees?", "How many mentors?"]


def test_unreadable_files_are_one_problem(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_mapping(bad)
    (problem,) = info.value.problems
    assert problem.source == "m.toml" and problem.message.startswith(
        "the mapping is not valid TOML"
    )
    with pytest.raises(InputError) as info:
        load_mapping(tmp_path / "missing.toml")
    assert info.value.problems[0].message.startswith("cannot read the mapping")


def test_the_readme_mapping_example_loads():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    mapping = load_mapping(tomllib.loads(example))
    assert mapping.rule_for("Current level").lookup()["lead"] == 4
    assert mapping.timezones == (("IST", "Asia/Kolkata"),)


@pytest.mark.parametrize("pair_with", [["hobbies"], {"a": 1}, 3])
def test_a_pair_with_that_is_not_a_name_is_a_problem_not_a_crash(pair_with):
    # JSON mappings come from HTTP clients too (POST /api/v1/mappings): any shape is possible.
    hobbies = {"attribute": "hobbies", "type": "choice", "rule": "same", "pair_with": pair_with}
    with pytest.raises(InputError) as error:
        load_mapping(_mapping(Hobbies=hobbies))
    assert [p.column for p in error.value.problems] == ['columns."Hobbies".pair_with']
