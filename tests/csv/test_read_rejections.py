"""Every way a cohort CSV is rejected: one test each, checking line, column, value, wording."""

import pytest
from csv_helpers import lines

from matcher.io.cohort_csv import read_cohort, read_cohort_files
from matcher.model import Problem

HEADER = "id,role,capacity,min_capacity,seniority,skills,timezone,exclude,prefer"


def one(problems) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def where(p: Problem):
    return (p.source, p.line, p.column, p.value)


def test_unknown_columns_one_problem_each_on_line_1(rejected):
    data = lines("id,role,Favourite Colour,shoe", "m1,mentor,red,42", "e1,mentee,blue,38")
    problems = rejected(read_cohort, data)
    assert [where(p) for p in problems] == [
        ("cohort", 1, "Favourite Colour", "Favourite Colour"),
        ("cohort", 1, "shoe", "shoe"),
    ]
    assert problems[0].message.startswith("unknown column; expected one of id, role, name,")


def test_unknown_columns_can_be_ignored():
    data = lines("id,role,shoe", "m1,mentor,42", "e1,mentee,38")
    cohort = read_cohort(data, ignore_unknown=True)
    assert cohort.mentor_ids == ("m1",) and cohort.mentee_ids == ("e1",)


def test_duplicate_column_is_a_problem(rejected):
    data = lines("id,role,Capacity,capacity", "m1,mentor,1,2", "e1,mentee,1,1")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 1, "capacity", "capacity")
    assert p.message == "this column appears twice in the header (also field 3)"


def test_empty_file(rejected):
    p = one(rejected(read_cohort, b""))
    assert (p.line, p.message) == (1, "the file is empty")


def test_blank_lines_only_count_as_empty(rejected):
    p = one(rejected(read_cohort, b"\r\n  \r\n,,\r\n"))
    assert p.message == "the file is empty"


def test_header_only(rejected):
    p = one(rejected(read_cohort, lines("", "id,role,capacity")))
    assert (p.line, p.message) == (2, "the file has a header but no records")


def test_no_mentors(rejected):
    p = one(rejected(read_cohort, lines("id,role", "e1,mentee", "e2,mentee")))
    assert (p.source, p.line, p.column, p.message) == (
        "cohort",
        None,
        None,
        "the cohort has no mentors",
    )


def test_no_mentees(rejected):
    p = one(rejected(read_cohort, lines("id,role", "m1,mentor")))
    assert p.message == "the cohort has no mentees"


def test_duplicate_ids_name_both_lines(rejected):
    data = lines("id,role", "m1,mentor", "e1,mentee", "m1,mentee")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 4, "id", "m1")
    assert p.message == "expected a unique id; it is also used on line 2"


def test_too_many_fields(rejected):
    data = lines("id,role", "m1,mentor,extra", "e1,mentee")
    p = one(rejected(read_cohort, data))
    assert (p.line, p.column, p.value) == (2, None, None)
    assert p.message == "expected 2 fields like the header, found 3"


def test_too_few_fields(rejected):
    data = lines("id,role,capacity", "m1,mentor,1", "e1,mentee")
    p = one(rejected(read_cohort, data))
    assert (p.line, p.message) == (3, "expected 3 fields like the header, found 2")


@pytest.mark.parametrize("bad", ["two", "-1", "1.5"])
def test_capacity_must_be_a_whole_number(rejected, bad):
    data = lines("id,role,capacity", f"m1,mentor,{bad}", "e1,mentee,1")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 2, "capacity", bad)
    assert p.message == "expected a whole number >= 0"


def test_seniority_needed_everywhere_once_anyone_has_one(rejected):
    data = lines("id,role,seniority", "m1,mentor,5", "e1,mentee,")
    p = one(rejected(read_cohort, data))
    assert (p.line, p.column, p.value) == (3, "seniority", "")
    assert p.message.startswith("expected a whole number >= 0 (others have a seniority")


def test_seniority_column_left_empty_everywhere_means_not_given():
    cohort = read_cohort(lines("id,role,seniority", "m1,mentor,", "e1,mentee,"))
    assert cohort.mentors[0].seniority is None and cohort.mentees[0].seniority is None


def test_skill_level_out_of_range(rejected):
    data = lines("id,role,skills", "m1,mentor,python:6;sql:2", "e1,mentee,python")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 2, "skills", "python:6")
    assert p.message == "expected a skill level from 1 to 5 after ':'"


def test_min_capacity_on_a_mentee(rejected):
    data = lines("id,role,min_capacity", "m1,mentor,1", "e1,mentee,1")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 3, "min_capacity", "1")
    assert p.message == "min_capacity is for mentors only; leave it empty for mentees"


def test_min_capacity_above_capacity(rejected):
    data = lines("id,role,capacity,min_capacity", "m1,mentor,2,3", "e1,mentee,1,")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 2, "min_capacity", "3")
    assert p.message == "expected min_capacity <= capacity (2)"


def test_timezone_out_of_range(rejected):
    data = lines("id,role,timezone", "m1,mentor,UTC+15", "e1,mentee,Europe/Paris")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 2, "timezone", "UTC+15")
    assert p.message == "expected a UTC offset within -12:00..+14:00"


def test_timezone_unknown_name(rejected):
    data = lines("id,role,timezone", "m1,mentor,Gondor", "e1,mentee,")
    p = one(rejected(read_cohort, data))
    assert p.message.startswith("expected a UTC offset such as +05:30, -0800 or UTC+2")


def test_role_must_be_mentor_or_mentee(rejected):
    data = lines("id,role", "m1,Mentor", "x1,coach", "e1,MENTEE")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 3, "role", "coach")
    assert p.message == "expected 'mentor' or 'mentee'"


def test_missing_id_column(rejected):
    p = one(rejected(read_cohort, lines("name,role", "Ann,mentor", "Bob,mentee")))
    assert (p.line, p.column) == (1, "id")
    assert p.message == "there is no 'id' column; every record needs an id"


def test_missing_role_column_in_the_one_file_form(rejected):
    p = one(rejected(read_cohort, lines("id,capacity", "m1,1", "e1,1")))
    assert (p.line, p.column) == (1, "role")
    assert p.message == "there is no 'role' column; give each record 'mentor' or 'mentee'"


def test_empty_id(rejected):
    p = one(rejected(read_cohort, lines("id,role", "m1,mentor", "  ,mentee", "e1,mentee")))
    assert where(p) == ("cohort", 3, "id", "  ")
    assert p.message == "an id is required"


def test_over_long_id(rejected):
    long_id = "x" * 65
    p = one(rejected(read_cohort, lines("id,role", f"{long_id},mentor", "e1,mentee")))
    assert where(p) == ("cohort", 2, "id", long_id[:80])
    assert p.message == "expected an id of 1 to 64 characters"


def test_over_long_field_never_echoes_a_name(rejected):
    data = lines("id,role,name,department", f"m1,mentor,{'n' * 1001},{'d' * 1001}", "e1,mentee,,")
    problems = rejected(read_cohort, data)
    assert [where(p) for p in problems] == [
        ("cohort", 2, "name", None),
        ("cohort", 2, "department", "d" * 80),
    ]
    assert {p.message for p in problems} == {"expected at most 1000 characters (got 1001)"}


def test_exclude_names_someone_unknown(rejected):
    data = lines("id,role,exclude", "m1,mentor,", "e1,mentee,m9")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 3, "exclude", "m9")
    assert p.message == "expected the id of someone in the cohort; no one has this id"


def test_exclude_names_someone_of_the_same_role(rejected):
    data = lines("id,role,exclude", "m1,mentor,", "e1,mentee,e2", "e2,mentee,")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 3, "exclude", "e2")
    assert p.message == "expected the id of a mentor, not of a mentee"


def test_prefer_names_oneself(rejected):
    data = lines("id,role,prefer", "m1,mentor,m1", "e1,mentee,m1")
    p = one(rejected(read_cohort, data))
    assert where(p) == ("cohort", 2, "prefer", "m1")
    assert p.message == "expected someone else's id, not this person's own"


def test_undecodable_bytes_report_their_line(rejected):
    data = b"id,role,name\nm1,mentor,Ann\ne1,mentee,Zo" + b"\xe9\n"
    p = one(rejected(read_cohort, data))
    assert (p.line, p.value) == (3, "0xe9")
    assert p.message.startswith("expected UTF-8 text; these bytes cannot be read")


def test_utf16_without_bom_is_not_silently_misread(rejected):
    p = one(
        rejected(
            read_cohort, lines("id,role", "m1,mentor", "e1,mentee").decode().encode("utf-16-le")
        )
    )
    assert "NUL bytes" in p.message


def test_unbalanced_quote(rejected):
    data = lines("id,role,name", "m1,mentor,Ann", 'e1,mentee,"Bob', "e2,mentee,Cy")
    p = one(rejected(read_cohort, data))
    assert p.line == 3
    assert p.message.startswith("cannot read this record (") and "double quotes" in p.message


def test_problems_come_all_at_once_in_file_order(rejected):
    data = lines(
        "id,role,capacity,colour",
        "m1,mentor,x,red",
        "m1,mentee,1,blue",
        "e2,boss,-3,green",
    )
    problems = rejected(read_cohort, data)
    assert [(p.line, p.column) for p in problems] == [
        (1, "colour"),
        (2, "capacity"),
        (3, "id"),
        (4, "role"),
        (4, "capacity"),
    ]


def test_two_file_form_problems_carry_their_source(rejected):
    mentors = lines("id,capacity", "m1,2", "e1,1")
    mentees = lines("id,role", "e1,mentee", "e2,mentor")
    problems = rejected(read_cohort_files, mentors, mentees)
    assert [where(p) + (p.message,) for p in problems] == [
        ("mentees", 2, "id", "e1", "expected a unique id; it is also used on line 3 of mentors"),
        ("mentees", 3, "role", "mentor", "expected 'mentee' in the mentees input"),
    ]


def test_two_file_form_reports_both_unreadable_files(rejected):
    problems = rejected(read_cohort_files, b"", lines("id"))
    assert [(p.source, p.message) for p in problems] == [
        ("mentors", "the file is empty"),
        ("mentees", "the file has a header but no records"),
    ]


def test_missing_file(rejected, tmp_path):
    p = one(rejected(read_cohort, tmp_path / "nope.csv"))
    assert p.message.startswith("cannot read the file (")
