"""Sheet sizes of a workbook and the first sheet with records (the web app's default
sheet when a workbook has several)."""

from __future__ import annotations

from forms_helpers import workbook

from matcher.io.xlsx import first_filled, sheet_sizes


def test_sizes_count_non_blank_rows_and_the_first_sheet_with_records_wins():
    data = workbook(
        ("Cover", []),
        ("Read me", [["exported Monday"], [None, ""]]),
        ("Responses", [["id", "role"], ["E1", "mentee"], [], ["M1", "mentor"]]),
        ("Old", [["id"], ["E9"]]),
    )
    sizes = sheet_sizes(data)
    assert sizes == (("Cover", 0), ("Read me", 1), ("Responses", 3), ("Old", 2))
    assert first_filled(sizes) == "Responses"


def test_without_records_the_first_sheet_with_anything_then_none():
    assert first_filled((("Cover", 0), ("Read me", 1))) == "Read me"
    assert first_filled((("Cover", 0),)) is None
    assert first_filled(()) is None
