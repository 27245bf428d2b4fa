"""Workbooks in: .xlsx, .xlsm, .xlsb, .xls and .ods sheets read as a :class:`Table`.

:func:`read_sheet` is the one door for a sheet of people: a workbook (recognised by its
bytes, not its name) is read with python-calamine, anything else goes to the CSV reader
(:func:`matcher.io.decode.read_table`). calamine was chosen by measurement: reading a
50,000-row cohort from .xlsx costs about 1.3x reading the same CSV, end to end, where
openpyxl costs about 5x (``benchmarks/sheet_read.py``).

The first sheet is read unless ``sheet`` names another. Cells become text the way a
coordinator sees them: whole numbers without ``.0`` (an employee id typed as a number
stays ``10234``), other numbers in their shortest form, dates and times in ISO form,
booleans as ``TRUE``/``FALSE``. Line numbers are the sheet's own row numbers, so a
problem on line 7 is on row 7 in Excel. Blank rows are skipped; trailing columns without
a header are dropped unless a row has a value there (reported as a ragged row).
"""

from __future__ import annotations

import datetime as dt
import io

from matcher.io.decode import Table, load_bytes, read_table
from matcher.model import InputError, Problem

_ZIP = b"PK\x03\x04"  # .xlsx, .xlsm, .xlsb, .ods
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def is_workbook(data: bytes) -> bool:
    """True when ``data`` starts like a spreadsheet workbook (zip or OLE container)."""
    return data.startswith(_ZIP) or data.startswith(_OLE)


def _fatal(message: str, source: str, value=None) -> InputError:
    return InputError(
        [Problem(message, value=value, source=source)], title=f"the {source} file could not be read"
    )


def cell_text(value) -> str:
    """The text of one workbook cell, as a coordinator sees it in the sheet."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def sheet_names(data, source: str = "cohort") -> tuple[str, ...]:
    """The names of a workbook's sheets, in workbook order.

    Raises
    ------
    InputError
        If the bytes are not a workbook calamine can open.
    """
    return tuple(_open(load_bytes(data, source), source).sheet_names)


def sheet_sizes(data, source: str = "cohort") -> tuple[tuple[str, int], ...]:
    """Each sheet of a workbook with its number of non-blank rows (the header row
    included), in workbook order; a sheet calamine cannot read counts 0.

    Raises
    ------
    InputError
        If the bytes are not a workbook calamine can open.
    """
    from python_calamine import CalamineError

    book = _open(load_bytes(data, source), source)
    sizes = []
    for name in book.sheet_names:
        try:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError:
            grid = []
        sizes.append((name, sum(any(v != "" and v is not None for v in row) for row in grid)))
    return tuple(sizes)


def first_filled(sizes: tuple[tuple[str, int], ...]) -> str | None:
    """The first sheet of :func:`sheet_sizes` with a header and a record, else the first
    with anything, else None."""
    for least in (2, 1):
        if found := next((name for name, rows in sizes if rows >= least), None):
            return found
    return None


def _open(data: bytes, source: str):
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise _fatal(
            "the workbook is password-protected; save a copy without a password", source
        ) from None
    except CalamineError as error:
        raise _fatal(f"cannot read the workbook ({error})", source) from None


def read_workbook(data, source: str, sheet: str | None = None) -> Table:
    """One sheet of a workbook as a :class:`Table` of text cells.

    Parameters
    ----------
    data : path, bytes or binary stream of an .xlsx/.xlsm/.xlsb/.xls/.ods file.
    source : the name problems carry (``"cohort"``).
    sheet : the sheet to read (exact name, or ignoring case); None for the first.

    Returns
    -------
    Table
        ``lines`` are the sheet's row numbers (1-based); ``header_line`` that of the
        first non-blank row.

    Raises
    ------
    InputError
        If the workbook cannot be opened, has no such sheet (the message lists the
        sheets), or the sheet is empty or has a header but no records.
    """
    from python_calamine import CalamineError

    book = _open(load_bytes(data, source), source)
    names = list(book.sheet_names)
    if not names:
        raise _fatal("the workbook has no sheets", source)
    chosen = names[0]
    if sheet is not None:
        matches = [n for n in names if n == sheet] or [
            n for n in names if n.casefold() == sheet.casefold()
        ]
        if not matches:
            listed = ", ".join(repr(n) for n in names)
            raise _fatal(
                f"the workbook has no sheet with this name; it has {listed}", source, sheet
            )
        chosen = matches[0]
    try:
        grid = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except CalamineError as error:
        raise _fatal(f"cannot read sheet {chosen!r} ({error})", source) from None
    return _table(grid, source, chosen)


def _table(grid, source: str, name: str) -> Table:
    keep = [k for k, row in enumerate(grid) if any(v != "" and v is not None for v in row)]
    if not keep:
        raise _fatal(f"sheet {name!r} is empty", source)
    header = [cell_text(v) for v in grid[keep[0]]]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    if len(keep) == 1:
        problem = Problem("the sheet has a header but no records", line=keep[0] + 1, source=source)
        raise InputError([problem], title=f"the {source} file could not be read")
    rows, lines, problems = [], [], []
    for k in keep[1:]:
        cells = [v if type(v) is str else cell_text(v) for v in grid[k]]
        extra = cells[width:]
        if any(c.strip() for c in extra):
            found = width + max(i for i, c in enumerate(extra) if c.strip()) + 1
            message = f"expected {width} fields like the header, found {found}"
            problems.append(Problem(message, line=k + 1, row=len(rows), source=source))
            cells = cells[:found]
        else:
            cells = cells[:width]
        rows.append(cells)
        lines.append(k + 1)
    return Table(source, tuple(header), keep[0] + 1, rows, lines, tuple(problems))


def read_sheet(data, source: str, sheet: str | None = None) -> Table:
    """A sheet of people from a workbook or a CSV file, told apart by the file's bytes.

    Parameters
    ----------
    data : path, bytes or binary stream.
    source : the name problems carry.
    sheet : a workbook sheet name (None: the first); an error for CSV files.

    Returns
    -------
    Table

    Raises
    ------
    InputError
        As :func:`read_workbook` or :func:`matcher.io.decode.read_table`, or when
        ``sheet`` is given for a CSV file.
    """
    raw = load_bytes(data, source)
    if is_workbook(raw):
        return read_workbook(raw, source, sheet)
    if sheet is not None:
        message = "this file is CSV, which has one sheet; --sheet is for .xlsx, .xls and .ods files"
        raise _fatal(message, source, sheet)
    return read_table(raw, source)
