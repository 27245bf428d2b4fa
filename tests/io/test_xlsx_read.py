"""Workbooks read directly: typed cells as text, sheets by name, the sheet's row numbers."""

import datetime as dt

import pytest
from forms_helpers import workbook

from matcher.io.cohort_csv import read_cohort
from matcher.io.xlsx import cell_text, is_workbook, read_sheet, sheet_names

ROWS = [
    ["id", "role", "seniority", "capacity", "skills"],
    [10234, "mentor", 5, 2.0, "python;sql"],
    ["E1", "mentee", 1.0, None, "python"],
]


def test_a_workbook_reads_like_the_same_csv():
    from_book = read_cohort(workbook(("People", ROWS)))
    csv = "id,role,seniority,capacity,skills\n10234,mentor,5,2,python;sql\nE1,mentee,1,,python\n"
    assert from_book == read_cohort(csv.encode())
    assert from_book.mentors[0].id == "10234"  # an id typed as a number, without ".0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (2.5, "2.5"),
        (7, "7"),
        (True, "TRUE"),
        (dt.datetime(2026, 3, 2, 9, 15), "2026-03-02 09:15:00"),
        (dt.date(2026, 3, 2), "2026-03-02"),
        (None, ""),
    ],
)
def test_cells_read_as_a_coordinator_sees_them(value, text):
    assert cell_text(value) == text


def test_the_first_sheet_unless_one_is_named():
    data = workbook(("Notes", [["read me"], ["x"]]), ("Form Responses 1", ROWS))
    assert sheet_names(data) == ("Notes", "Form Responses 1")
    assert read_sheet(data, "cohort").header == ("read me",)
    assert read_sheet(data, "cohort", "form responses 1").header[:2] == ("id", "role")


def test_an_unknown_sheet_lists_the_sheets(rejected):
    data = workbook(("Notes", [["x"], ["y"]]), ("Responses", ROWS))
    (problem,) = rejected(read_sheet, data, "cohort", "Sheet1")
    assert (
        problem.message == "the workbook has no sheet with this name; it has 'Notes', 'Responses'"
    )
    assert problem.value == "Sheet1"


def test_sheet_is_for_workbooks_only(rejected):
    (problem,) = rejected(read_sheet, b"id,role\nm,mentor\n", "cohort", "Sheet1")
    assert "--sheet is for .xlsx, .xls and .ods files" in problem.message


def test_lines_are_the_sheets_row_numbers_and_blank_rows_are_skipped(rejected):
    rows = [
        [None],
        ["id", "role", "capacity"],
        ["m1", "mentor", "x"],
        [None, None],
        ["e1", "mentee", 1],
    ]
    table = read_sheet(workbook(("S", rows)), "cohort")
    assert (table.header_line, table.lines) == (2, [3, 5])
    (problem,) = rejected(read_cohort, workbook(("S", rows)))
    assert (problem.line, problem.column, problem.value) == (3, "capacity", "x")


def test_a_value_past_the_last_header_is_a_ragged_row(rejected):
    rows = [["id", "role"], ["m1", "mentor", "stray"], ["e1", "mentee"]]
    problems = rejected(read_cohort, workbook(("S", rows)))
    assert [(p.line, p.message) for p in problems] == [
        (2, "expected 2 fields like the header, found 3")
    ]


def test_an_empty_sheet_and_a_header_only_sheet_are_rejected(rejected):
    assert "is empty" in rejected(read_sheet, workbook(("S", [])), "cohort")[0].message
    header_only = rejected(read_sheet, workbook(("S", [["id", "role"]])), "cohort")
    assert header_only[0].message == "the sheet has a header but no records"


def test_a_broken_workbook_is_one_problem_not_a_traceback(rejected):
    data = b"PK\x03\x04 this is not really a zip"
    assert is_workbook(data)
    (problem,) = rejected(read_cohort, data)
    assert problem.message.startswith("cannot read the workbook")


def test_the_old_nul_bytes_error_is_gone_for_xlsx():
    cohort = read_cohort(workbook(("S", ROWS)))
    assert len(cohort.mentees) == 1
