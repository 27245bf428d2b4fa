"""Helpers for the sheet tests: the form fixtures' folder and workbooks built in memory."""

from pathlib import Path

FORMS = Path(__file__).resolve().parents[1] / "data" / "forms"


def workbook(*sheets) -> bytes:
    """The bytes of an .xlsx with sheets given as (title, rows); cells keep their types."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
