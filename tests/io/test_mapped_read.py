"""Sheets read through a mapping: every value form, and problems under the sheet's headers."""

import csv
import io

import pytest
from forms_helpers import workbook

from matcher.io.mapping import load_mapping
from matcher.io.sheets import read_people
from matcher.model import InputError

HEADER = ["Email", "Name", "Role", "Skills", "How many mentees?", "Years", "Zone", "Manager"]
COLUMNS = {
    "Email": {"field": ["id", "email"]},
    "Name": {"field": "name"},
    "Role": {"field": "role", "values": {"A mentor": "mentor", "A mentee": "mentee"}},
    "Skills": {"field": "skills", "separator": ", "},
    "How many mentees?": {"field": "capacity", "role": "mentor"},
    "Years": {"field": "seniority"},
    "Zone": {"field": "timezone"},
    "Manager": {"field": "manager_id", "match_on": "email"},
}


def sheet(*rows, header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def mapping(**changes):
    columns = {**COLUMNS, **changes}
    return load_mapping({"columns": {k: v for k, v in columns.items() if v is not None}})


def read(data, **changes):
    return read_people(data, mapping=mapping(**changes))[0]


def problems_of(data, **changes):
    with pytest.raises(InputError) as info:
        read(data, **changes)
    return list(info.value.problems)


MENTOR = ["ann@x.org", "Ann", "A mentor", "Python, SQL", "3+", "10+", "PST", "Boss@X.org"]
MENTEE = ["bob@x.org", "Bob", "A mentee", "Python", "", "1-2", "Pacific Time", "ann@x.org"]


def test_form_answers_become_typed_fields():
    cohort = read(
        sheet(MENTOR, MENTEE, ["boss@x.org", "Boss", "A mentor", "Go", "none", "20", "EST", ""])
    )
    ann, boss = cohort.mentors
    (bob,) = cohort.mentees
    assert (ann.id, ann.email, ann.name) == ("ann@x.org", "ann@x.org", "Ann")
    assert [s.name for s in ann.skills] == ["python", "sql"]  # split on ", ", not one skill
    assert (ann.capacity, boss.capacity, bob.capacity) == (3, 0, 1)
    assert (ann.seniority, bob.seniority) == (10, 1)  # "1-2" years: the middle, rounded down
    assert (ann.timezone, bob.timezone) == ("America/Los_Angeles", "America/Los_Angeles")
    assert ann.manager_id == "boss@x.org"  # "Boss@X.org" matched to Boss's email, any case
    assert bob.manager_id == "ann@x.org"


def test_a_workbook_reads_the_same_through_the_mapping():
    typed = [*MENTOR[:4], 3, 12, *MENTOR[6:]]
    rows = [HEADER, typed, MENTEE]
    as_csv = sheet([*MENTOR[:4], "3", "12", *MENTOR[6:]], MENTEE)
    assert read(workbook(("Form Responses 1", rows))) == read(as_csv)


def test_levels_and_values_for_seniority_and_capacity():
    data = sheet(
        ["a@x", "A", "A mentor", "Go", "Not this round", "Lead", "UTC", ""],
        ["b@x", "B", "A mentee", "Go", "", "junior", "UTC", ""],
    )
    cohort = read(
        data,
        Years={"field": "seniority", "levels": ["Junior", "Mid", "Senior", "Lead"]},
        **{
            "How many mentees?": {
                "field": "capacity",
                "role": "mentor",
                "values": {"Not this round": 0},
            }
        },
    )
    assert (cohort.mentors[0].seniority, cohort.mentees[0].seniority) == (4, 1)
    assert cohort.mentors[0].capacity == 0


def test_microsoft_separators_with_a_trailing_semicolon():
    data = sheet(
        ["a@x", "A", "A mentor", "Python;SQL;", "1", "5", "UTC", ""],
        ["b@x", "B", "A mentee", "SQL;", "", "1", "UTC", ""],
    )
    cohort = read(data, Skills={"field": "skills", "separator": ";"})
    assert [s.name for s in cohort.mentors[0].skills] == ["python", "sql"]


def test_bad_answers_are_reported_under_the_sheets_headers_with_lines():
    data = sheet(
        ["a@x", "A", "Both", "Python", "maybe", "lots", "IST", ""],
        ["b@x", "Secret Name", "A mentee", "Python", "", "2", "Narnia", ""],
        ["a@x", "C", "A mentee", "Python", "", "2", "UTC", ""],
    )
    got = [(p.line, p.column, p.value, p.message.split(";")[0]) for p in problems_of(data)]
    assert got == [
        (None, None, None, "the cohort has no mentors"),  # the one mentor's role is unread
        (
            2,
            "Role",
            "Both",
            "expected one of the answers the mapping knows ('A mentor', 'A mentee')",
        ),
        (2, "Years", "lots", "expected a number such as 2, '3+', 'up to 2', '1-2' or 'none'"),
        (
            2,
            "Zone",
            "IST",
            "'IST' is ambiguous: it may mean Asia/Kolkata (India Standard Time), "
            "Asia/Jerusalem (Israel Standard Time), Europe/Dublin (Irish Standard Time)",
        ),
        (
            3,
            "Zone",
            "Narnia",
            "expected a UTC offset such as +05:30, -0800 or UTC+2, a time zone "
            "name such as Europe/Paris, or a common abbreviation or name such as PST or Central "
            "European Time",
        ),
        (4, "Email", "a@x", "expected a unique id"),
    ]


def test_the_mapping_picks_what_ist_means():
    data = sheet(
        ["a@x", "A", "A mentor", "Go", "1", "5", "IST", ""],
        ["b@x", "B", "A mentee", "Go", "", "1", "ist", ""],
    )
    columns = {"columns": {**COLUMNS}, "timezones": {"IST": "Asia/Kolkata"}}
    cohort, _ = read_people(data, mapping=load_mapping(columns))
    assert {p.utc_offset_minutes for p in (*cohort.mentors, *cohort.mentees)} == {330}


def test_names_and_emails_are_never_echoed_in_problems():
    data = sheet(["a@x", "x" * 1001, "A mentor", "Go", "1", "5", "UTC", ""], MENTEE)
    (problem,) = [p for p in problems_of(data) if p.column == "Name"]
    assert problem.value is None and "1000 characters" in problem.message


def test_another_separator_left_in_a_multi_select_lists_its_lines():
    data = sheet(
        ["a@x", "A", "A mentor", "Python;SQL", "1", "5", "UTC", ""],
        ["b@x", "B", "A mentee", "Go|Rust", "", "1", "UTC", ""],
        ["c@x", "C", "A mentee", "Go", "", "1", "UTC", ""],
    )
    (problem,) = problems_of(data)
    assert (problem.line, problem.column, problem.value) == (2, "Skills", "Python;SQL")
    assert problem.message.startswith(
        "2 cell(s) still contain ',' ';' or '|' after splitting on ', ' (lines 2, 3)"
    )
    both = read(data, Skills={"field": "skills", "separator": [", ", ";", "|"]})
    assert [s.name for s in both.mentors[0].skills] == ["python", "sql"]


def test_an_answer_named_in_values_may_contain_a_comma():
    data = sheet(
        ["a@x", "A", "A mentor", "Data analysis, visualisation;Go", "1", "5", "UTC", ""], MENTEE
    )
    skills = {
        "field": "skills",
        "separator": ";",
        "values": {"Data analysis, visualisation": "data viz"},
    }
    cohort = read(data, Skills=skills)
    assert [s.name for s in cohort.mentors[0].skills] == ["data viz", "go"]


def test_columns_for_one_role_and_names_in_two_columns():
    header = ["Email", "First name", "Last name", "Role", "Teach", "Learn"]
    data = sheet(
        ["a@x", "Ann", "Lee", "A mentor", "Go", "Cooking"],
        ["b@x", "Bob", "Ray", "A mentee", "Chess", "Go"],
        header=header,
    )
    columns = {
        "Email": {"field": ["id", "email"]},
        "First name": {"field": "name"},
        "Last name": {"field": "name"},
        "Role": COLUMNS["Role"],
        "Teach": {"field": "skills", "role": "mentor", "separator": ", "},
        "Learn": {"field": "skills", "role": "mentee", "separator": ", "},
    }
    cohort, _ = read_people(data, mapping=load_mapping({"columns": columns}))
    assert [s.name for s in cohort.mentors[0].skills] == ["go"]
    assert [s.name for s in cohort.mentees[0].skills] == ["go"]
    assert cohort.mentors[0].name == "Ann Lee"


def test_custom_attributes_are_carried_typed():
    header = [*HEADER, "Hobbies", "Format", "Hours", "Notes"]
    data = sheet(
        [*MENTOR, "Hiking, Chess", "Video call", "2.5", "Happy to help"],
        [*MENTEE, "Hiking", "", "up to 3", ""],
        header=header,
    )
    cohort = read(
        data,
        Hobbies={"attribute": "hobbies", "type": "multi-choice", "separator": ", "},
        Format={"attribute": "format", "type": "choice"},
        Hours={"attribute": "hours", "type": "number"},
        Notes={"attribute": "notes", "type": "text"},
    )
    assert cohort.mentors[0].attributes == (
        ("hobbies", ("Hiking", "Chess")),
        ("format", "Video call"),
        ("hours", 2.5),
        ("notes", "Happy to help"),
    )
    assert cohort.mentees[0].attributes == (("hobbies", ("Hiking",)), ("hours", 3.0))


def test_sheet_and_mapping_must_agree_on_every_column():
    data = sheet(
        MENTOR + ["x"], MENTEE + ["y"], header=[*HEADER[:6], "Time zone", HEADER[7], "Shoe size"]
    )
    problems = problems_of(data)
    got = {(p.source, p.column): p.message for p in problems}
    assert got[("cohort", "Time zone")].startswith(
        'this column is not in the mapping; add [columns."Time zone"]'
    )
    assert "it looks like field 'timezone'" in got[("cohort", "Time zone")]
    assert "it looks like a question of your own" in got[("cohort", "Shoe size")]
    assert got[("mapping", 'columns."Zone"')] == (
        "the sheet has no column with this header; the closest is 'Time zone'"
    )


def test_a_rejected_sheet_yields_no_cohort_and_one_error():
    data = sheet(["a@x", "A", "A mentor", "Go", "x", "5", "UTC", ""], MENTEE)
    with pytest.raises(InputError) as info:
        read(data)
    assert info.value.title == "the cohort was rejected"
    assert [p.column for p in info.value.problems] == ["How many mentees?"]
