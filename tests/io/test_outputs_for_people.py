"""Outputs for people: names and emails in pairs files, the workbook, intros, the summary."""

import io

from python_calamine import CalamineWorkbook

from matcher.io.cohort_csv import read_assignments, write_pairs
from matcher.io.intros import introductions, shared_ground
from matcher.io.mapped import Reading
from matcher.io.mapping import ColumnRule
from matcher.io.pairs_workbook import write_workbook
from matcher.io.records import cohort_from_records
from matcher.io.understood import describe
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched

COHORT = cohort_from_records(
    [
        {
            "id": "M1",
            "role": "mentor",
            "name": "Priya Sharma",
            "email": "priya@x.org",
            "capacity": 2,
        },
        {"id": "E1", "role": "mentee", "name": "=HYPERLINK(1)", "email": "ben@x.org"},
        {
            "id": "E2",
            "role": "mentee",
            "name": "Chloe Martin",
            "email": "chloe@x.org",
            "capacity": 2,
        },
    ]
)
RESULT = MatchResult(
    solver="flow",
    status=Status.OPTIMAL,
    pairs=(
        Pair(
            "E1", "M1", 0.5, (("skills", 1.0), ("goals", 0.0)), False, "skills 1.00 (python, sql)"
        ),
        Pair("E2", "M1", 0.25, (("skills", 0.5), ("goals", 1.0)), True, "=cmd|' /C calc'!A0"),
    ),
    unmatched=(Unmatched("E2", 1, ("every eligible mentor was full",)),),
    metrics=Metrics(mentees=2, mentors=1, wanted_places=3, matched_places=2, matched_mentees=2),
)


def test_the_pairs_csv_carries_names_and_emails_after_the_ids():
    out = io.BytesIO()
    write_pairs(RESULT, out, COHORT)
    text = out.getvalue().decode("utf-8-sig").splitlines()
    assert text[0] == (
        "mentee_id,mentor_id,mentee_name,mentee_email,mentor_name,mentor_email,score,skills,"
        "goals,pinned,explanation"
    )
    assert text[1].startswith("E1,M1,'=HYPERLINK(1),ben@x.org,Priya Sharma,priya@x.org,0.500000")
    assert text[3].startswith("E2,,Chloe Martin,chloe@x.org,,,,")
    back = read_assignments(out.getvalue())
    assert back[0]["mentee_name"] == "=HYPERLINK(1)" and back[2]["mentor_id"] is None


def test_without_a_cohort_the_pairs_csv_is_unchanged():
    out = io.BytesIO()
    write_pairs(RESULT, out)
    assert out.getvalue().decode("utf-8-sig").startswith("mentee_id,mentor_id,score,skills")


def _sheets(data: bytes) -> dict:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_workbook_has_pairs_unmatched_and_summary_and_runs_no_formula():
    out = io.BytesIO()
    write_workbook(RESULT, out, COHORT, [("status", "optimal"), ("places matched", 2)])
    sheets = _sheets(out.getvalue())
    assert list(sheets) == ["Pairs", "Unmatched", "Summary"]
    pairs = sheets["Pairs"]
    assert pairs[0][:6] == [
        "mentee_id",
        "mentor_id",
        "mentee_name",
        "mentee_email",
        "mentor_name",
        "mentor_email",
    ]
    assert pairs[1][2] == "=HYPERLINK(1)"  # text, not a formula
    assert pairs[1][6:10] == [0.5, 1.0, 0.0, False]
    assert pairs[2][-1] == "=cmd|' /C calc'!A0" and pairs[2][9] is True
    assert sheets["Unmatched"] == [
        ["mentee_id", "mentee_name", "mentee_email", "missing_places", "reasons"],
        ["E2", "Chloe Martin", "chloe@x.org", 1, "every eligible mentor was full"],
    ]
    assert sheets["Summary"] == [["what", "value"], ["status", "optimal"], ["places matched", 2]]


def test_the_workbook_freezes_the_header_sizes_columns_and_stores_text_as_text():
    import openpyxl

    out = io.BytesIO()
    write_workbook(RESULT, out, COHORT)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    pairs = book["Pairs"]
    assert pairs.freeze_panes == "A2" and book["Unmatched"].freeze_panes == "A2"
    assert pairs["A1"].font.b
    assert pairs.column_dimensions["D"].width == len("mentee_email") + 2
    assert pairs["C2"].data_type == "s" and pairs["C2"].value == "=HYPERLINK(1)"


def test_a_pairs_workbook_reads_back_as_assignments():
    out = io.BytesIO()
    write_workbook(RESULT, out, COHORT)
    records = read_assignments(out.getvalue())
    assert [(r["mentee_id"], r["mentor_id"], r["pinned"]) for r in records] == [
        ("E1", "M1", False),
        ("E2", "M1", True),
    ]


def test_shared_ground_in_one_sentence():
    text = (
        "skills 0.83 (python, sql), goals 1.00 (get promoted), time zones 3h apart, "
        "shared language (english)"
    )
    assert shared_ground(text, "Ben", "Priya") == (
        "Priya can help Ben with python and sql; you share the goal \u201cget promoted\u201d; "
        "your time zones are 3h apart; you both speak English."
    )
    assert shared_ground("time zones 0h apart", "Ben", "Priya") == "You share a time zone."
    assert shared_ground("seniority gap 2 (ideal 2)", "B", "P") == (
        "You were matched on: seniority gap 2 (ideal 2)."
    )
    assert shared_ground("", "B", "P") == ""


def test_introductions_for_every_pair_with_both_emails():
    out = io.BytesIO()
    write_pairs(RESULT, out, COHORT)
    rows = introductions(read_assignments(out.getvalue()))
    assert rows[0][:6] == [
        "mentee_name",
        "mentee_email",
        "mentor_name",
        "mentor_email",
        "subject",
        "shared_ground",
    ]
    assert len(rows) == 3  # two pairs; the unmatched row is skipped
    assert rows[2][:5] == [
        "Chloe Martin",
        "chloe@x.org",
        "Priya Sharma",
        "priya@x.org",
        "Mentoring introduction: Chloe and Priya",
    ]


def test_introductions_need_emails(rejected):
    out = io.BytesIO()
    write_pairs(RESULT, out)
    (problem,) = rejected(introductions, read_assignments(out.getvalue()))
    assert "run `mentormatch match` on a sheet with an email column" in problem.message


def test_describe_says_what_each_column_became_and_what_was_ignored():
    reading = Reading(
        "cohort",
        (
            ("Email", ColumnRule("Email", fields=("id", "email"))),
            ("How many?", ColumnRule("How many?", fields=("capacity",), role="mentor")),
            ("Zone", ColumnRule("Zone", fields=("timezone",))),
        ),
        ignored=("Timestamp", "ID"),
        answers=(("Zone", (("PST", "PST", 2), ("GMT+1", "GMT+1", 1))),),
    )
    lines = describe(COHORT, (reading,))
    assert lines == [
        "Email -> id, email: 3 people; given for 3 of 3",
        "How many? -> capacity (mentors): mentors 2 \u00d71: 2 places",
        "Zone -> timezone: 2 distinct answers: PST -> America/Los_Angeles (UTC-08:00) \u00d72, "
        "GMT+1 -> UTC+01:00 \u00d71",
        "ignored: Timestamp, ID",
    ]
