"""Bytes <-> rows for every CSV file we read or write: encodings, delimiters, safe cells.

Reading: UTF-8 with or without BOM and UTF-16 with BOM (LE or BE) are accepted; anything
else is rejected with the line of the first bad byte, never silently replaced. The
delimiter is sniffed among ``,`` ``;`` tab and ``|``. Records keep the physical line on
which they start, also after quoted cells with embedded newlines. Blank rows are skipped.

Writing: UTF-8 with BOM (Excel then reads accents right), ``\\r\\n`` line ends (RFC 4180,
what Excel expects), minimal quoting. Text cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab, CR or LF) are made inert with a
leading ``'``; the reader removes that apostrophe again, so write -> read round-trips.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from matcher.io.fields import no_gc
from matcher.io.validate import canonical_column
from matcher.model import InputError, Problem

DELIMITERS = (",", ";", "\t", "|")
LINE_END = "\r\n"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_SAMPLE_RECORDS = 50
_RISKY = re.compile(r"'*[=+\-@\t\r\n]")
_MADE_INERT = re.compile(r"'+[=+\-@\t\r\n]")
# Line breaks for str.splitlines but not for csv: their presence forces the csv path.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def inert(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet could read it as a formula.

    Cells that already start with apostrophes before a risky character get one more, so
    that :func:`uninert` gives back exactly the original text.
    """
    return "'" + text if _RISKY.match(text) else text


def uninert(cell: str) -> str:
    """Undo :func:`inert`: drop one ``'`` in front of ``= + - @`` tab CR LF."""
    return cell[1:] if cell[:1] == "'" and _MADE_INERT.match(cell) else cell


def _fatal(message: str, source: str, line: int | None = None, value=None) -> InputError:
    problem = Problem(message, line=line, value=value, source=source)
    return InputError([problem], title=f"the {source} file could not be read")


# --------------------------------------------------------------------------- bytes in


def load_bytes(data, source: str) -> bytes:
    """The raw bytes of a path (str or Path), a binary stream, or bytes.

    Raises
    ------
    InputError
        If the file cannot be opened or read.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str | os.PathLike):
        try:
            return Path(data).read_bytes()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise _fatal(f"cannot read the file ({reason})", source, value=str(data)) from None
    content = data.read()
    return content.encode("utf-8") if isinstance(content, str) else bytes(content)


def _line_of(text: str) -> int:
    """The 1-based physical line at the end of ``text`` (CR, LF and CRLF end a line)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def decode(data: bytes, source: str) -> str:
    """Text of a CSV file: UTF-8 (BOM optional) or UTF-16 with BOM, decoded strictly.

    Raises
    ------
    InputError
        Naming the line of the first undecodable byte, or the likely cause.
    """
    found = [(bom, encoding, label) for bom, encoding, label in _BOMS if data.startswith(bom)]
    if found:
        bom, encoding, label = found[0]
        body = data[len(bom) :]
    else:
        body, encoding, label = data, "utf-8", "UTF-8"
        if b"\x00" in body:
            message = (
                "expected UTF-8 text, but the file contains NUL bytes (UTF-16 without a "
                "byte-order mark?); save the sheet as 'CSV UTF-8'"
            )
            raise _fatal(message, source)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        line = _line_of(body[: error.start].decode(encoding, errors="replace"))
        bad = body[error.start : error.end].hex(" ")
        message = f"expected {label} text; these bytes cannot be read (save as 'CSV UTF-8')"
        raise _fatal(message, source, line=line, value=f"0x{bad}") from None


# --------------------------------------------------------------------------- rows


def _header_counts(text: str) -> dict[str, int]:
    """How often each delimiter occurs in the first non-blank record, outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    start = len(text) - len(text.lstrip("\r\n"))
    quoted = False
    for char in text[start:]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return counts


def _consistent(text: str, delimiter: str) -> bool:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    widths = set()
    try:
        for row in reader:
            if row:
                widths.add(len(row))
            if reader.line_num > _SAMPLE_RECORDS:
                break
    except csv.Error:
        return False
    return len(widths) == 1


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``,`` ``;`` tab ``|``: the most frequent in the header among
    those giving every sampled record the same field count; ties go to the comma."""
    counts = _header_counts(text)
    used = [d for d in DELIMITERS if counts[d] > 0]
    if not used:
        return ","
    consistent = [d for d in used if _consistent(text, d)] or used
    return max(consistent, key=lambda d: (counts[d], -DELIMITERS.index(d)))


@dataclass(frozen=True)
class Table:
    """A parsed CSV file: raw header cells, data rows, their start lines, ragged rows."""

    source: str
    header: tuple[str, ...]
    header_line: int
    rows: list[list[str]]
    lines: list[int]
    problems: tuple[Problem, ...] = ()


def read_table(data, source: str) -> Table:
    """Parse a CSV file (path, bytes or binary stream) into a :class:`Table`.

    Parameters
    ----------
    data : the file.
    source : the name problems carry (``"cohort"``, ``"scores"``, ...).

    Returns
    -------
    Table
        Rows with a different field count from the header are kept, and each is reported
        in ``problems`` ("expected N fields like the header, found M").

    Raises
    ------
    InputError
        If the file cannot be read or decoded, its quotes do not balance, it is empty, or
        it has a header but no records.
    """
    text = decode(load_bytes(data, source), source)
    delimiter = sniff_delimiter(text)
    records, starts = _split(text, delimiter, source)
    keep = [k for k, row in enumerate(records) if row and (row[0].strip() or _any_text(row))]
    if not keep:
        raise _fatal("the file is empty", source, line=1)
    header, header_line = tuple(records[keep[0]]), starts[keep[0]]
    if len(keep) == 1:
        raise _fatal("the file has a header but no records", source, line=header_line)
    rows = [records[k] for k in keep[1:]]
    lines = [starts[k] for k in keep[1:]]
    width = len(header)
    problems = tuple(
        Problem(
            f"expected {width} fields like the header, found {len(rows[k])}",
            line=lines[k],
            row=k,
            source=source,
        )
        for k in [k for k, row in enumerate(rows) if len(row) != width]
    )
    return Table(source, header, header_line, rows, lines, problems)


def _any_text(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _split(text: str, delimiter: str, source: str) -> tuple[list[list[str]], list[int]]:
    """Every record (blank ones too) and the physical line where it starts."""
    if '"' not in text and not _OTHER_BREAKS.search(text):
        # Without quotes a record is a line: str.split is ~5x faster than csv.reader.
        with no_gc():
            records = [line.split(delimiter) for line in text.splitlines()]
        return records, list(range(1, len(records) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, starts, previous = [], [], 0
    try:
        with no_gc():
            for row in reader:
                records.append(row)
                starts.append(previous + 1)
                previous = reader.line_num
    except csv.Error as error:
        message = f"cannot read this record ({error}); check its double quotes"
        raise _fatal(message, source, line=previous + 1) from None
    return records, starts


def columns_of(table: Table, known, ignore_unknown: bool = False):
    """Map header cells to canonical names; report unknown, unnamed and repeated columns.

    Parameters
    ----------
    table : the parsed file.
    known : the canonical column names this kind of file may have.
    ignore_unknown : do not report unknown columns (they are dropped either way).

    Returns
    -------
    tuple of (list, list of Problem)
        For each header cell its canonical name, or None when it is to be dropped; and the
        header problems.
    """
    names, problems, seen = [], [], {}
    for k, raw in enumerate(table.header):
        name = canonical_column(raw, known)
        where = dict(line=table.header_line, source=table.source)
        if name in known and name not in seen:
            seen[name] = k
            names.append(name)
            continue
        names.append(None)
        if name in known:
            message = f"this column appears twice in the header (also field {seen[name] + 1})"
            problems.append(Problem(message, column=name, value=raw, **where))
        elif not ignore_unknown:
            expected = "expected one of " + ", ".join(known)
            message = f"unknown column; {expected}" if name else f"a column has no name; {expected}"
            problems.append(Problem(message, column=raw.strip() or None, value=raw, **where))
    return names, problems


# --------------------------------------------------------------------------- text out


def to_csv_text(rows) -> str:
    """Rows of cells as CSV text: comma, minimal quoting, ``\\r\\n`` line ends."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=LINE_END).writerows(rows)
    return buffer.getvalue()


def emit(text: str, target) -> None:
    """Write ``text`` as UTF-8 with BOM to a path, a binary stream or a text stream.

    A text stream with an underlying binary buffer (``sys.stdout``) gets the exact bytes,
    so ``> file`` and ``-o file`` give identical files.
    """
    data = ("\ufeff" + text).encode("utf-8")
    if isinstance(target, str | os.PathLike):
        Path(target).write_bytes(data)
    elif isinstance(target, io.TextIOBase) or hasattr(target, "encoding"):
        buffer = getattr(target, "buffer", None)
        if buffer is None:
            target.write("\ufeff" + text)
        else:
            target.flush()
            buffer.write(data)
            buffer.flush()
    else:
        target.write(data)


def blank_column(table: Table, k: int) -> bool:
    """True for a column without a header and without any answer (a trailing comma)."""
    return not table.header[k].strip() and not any(
        k < len(row) and row[k].strip() for row in table.rows
    )
