"""Workbooks with several sheets: the mapping step reads the first sheet with records
unless the coordinator picks another, shows every sheet with its size, and the cohort is
read (and its mapping kept) from the chosen sheet."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from sqlalchemy import select
from web_helpers import SAMPLE, location_id, page_form

from api.tables import Cohort
from api.tables_web import CohortImport


def workbook() -> bytes:
    """An empty sheet, a read-me line, the sample cohort, then the sample without its
    last mentee (E28, whom nobody names)."""
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    book = Workbook()
    book.active.title = "Cover"
    book.create_sheet("Read me").append(["Sign-ups of spring, exported on Monday"])
    people = book.create_sheet("People")
    autumn = book.create_sheet("Autumn")
    for row in rows:
        people.append(row)
        if row[0] != "E28":
            autumn.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_first_sheet_with_records_is_read_and_another_can_be_picked(ada, sessions):
    content = workbook()
    upload = location_id(ada.upload(SAMPLE.with_suffix(".xlsx"), content=content))
    page = ada.get(f"/imports/{upload}").get_data(as_text=True)
    assert "40 rows on sheet “People”" in page
    picker = page[page.index('id="sheet-picker"') :]
    picker = picker[: picker.index("</form>")]
    options = re.findall(r'<option value="([^"]+)" (selected)?>[^(]+\(([^)]+)\)', picker)
    assert options == [
        ("Cover", "", "empty"),
        ("Read me", "", "0 rows under its header"),
        ("People", "selected", "40 rows under its header"),
        ("Autumn", "", "39 rows under its header"),
    ]
    assert '<label for="sheet">' in page
    picked = ada.get(f"/imports/{upload}?sheet=Autumn").get_data(as_text=True)
    assert "39 rows on sheet “Autumn”" in picked
    assert page_form(picked, "mapping")["sheet"] == "Autumn"
    back = ada.get(f"/imports/{upload}?sheet=People").get_data(as_text=True)
    form = page_form(back, "mapping")
    assert form["sheet"] == "People"  # the form says which sheet its columns are of
    stored = ada.post(f"/imports/{upload}", form)
    assert stored.status_code == 303, stored.get_data(as_text=True)
    with sessions() as session:
        cohort = session.scalars(select(Cohort)).one()
        imported = session.get(CohortImport, cohort.id)
    assert (cohort.n_mentors, cohort.n_mentees) == (12, 28)
    assert imported.mapping["sheet"] == "People"


def test_the_picked_sheet_is_kept_with_the_mapping_and_its_problems(ada, sessions):
    content = workbook()
    upload = location_id(ada.upload(SAMPLE.with_suffix(".xlsx"), content=content))
    page = ada.get(f"/imports/{upload}?sheet=Autumn").get_data(as_text=True)
    form = page_form(page, "mapping")
    form["c0-feeds"] = "ignore"  # no id column: refused, with the sheet remembered
    refused = ada.post(f"/imports/{upload}", form)
    assert refused.status_code == 422
    again = ada.get(f"/imports/{upload}").get_data(as_text=True)
    assert "39 rows on sheet “Autumn”" in again and "no column feeds" in again
    form = page_form(again, "mapping")
    form["c0-feeds"] = "id"
    stored = ada.post(f"/imports/{upload}", form)
    assert stored.status_code == 303, stored.get_data(as_text=True)
    with sessions() as session:
        cohort = session.scalars(select(Cohort)).one()
        assert session.get(CohortImport, cohort.id).mapping["sheet"] == "Autumn"
    assert (cohort.n_mentors, cohort.n_mentees) == (12, 27)
