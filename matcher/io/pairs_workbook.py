"""The pairs workbook ``match -o pairs.xlsx`` writes: Pairs, Unmatched and Summary sheets.

The same content as the assignments CSV (:mod:`matcher.io.pair_files`), laid out for
people: pairs on one sheet, mentees left (partly) unmatched with their reasons on
another, the run's summary on a third. Every sheet has a bold, frozen header row and
column widths that fit the content (capped so that explanations wrap rather than run).
Text is always stored as text, never as a formula, so a name such as ``=cmd|...`` is
shown, not run; numbers are numbers and ``pinned`` is a boolean. Names and emails are
written when a cohort is given, as in the CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matcher.io.pair_files import contacts
from matcher.model import COMPONENTS, Cohort
from matcher.results import MatchResult

MAX_WIDTH = 60  # characters; wider text wraps
MIN_WIDTH = 8


def _text_cell(sheet, value):
    """A cell that holds ``value`` as text even when it starts with ``=``."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _sheet(book, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    widths = [len(h) for h in header]
    rows = [list(r) for r in rows]
    for row in rows:
        for k, value in enumerate(row):
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            widths[k] = max(widths[k], len(shown))
    for k, width in enumerate(widths):
        letter = get_column_letter(k + 1)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    head = []
    for title_text in header:
        cell = _text_cell(sheet, title_text)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value in row:
            cell = _text_cell(sheet, value)
            if isinstance(value, str) and len(value) > MAX_WIDTH:
                cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)


def write_workbook(
    result: MatchResult,
    path,
    cohort: Cohort | None = None,
    summary: Sequence[tuple[str, object]] = (),
) -> None:
    """Write the pairs workbook.

    Parameters
    ----------
    result : the match result.
    path : where to write the .xlsx (str, Path or binary stream).
    cohort : the matched cohort, for names and emails (None: ids only).
    summary : (what, value) rows for the Summary sheet, in order.

    Returns
    -------
    None
        Sheets: **Pairs** (``mentee_id, mentor_id,`` contacts, ``score``, the score
        components used, ``pinned``, ``explanation``), **Unmatched** (``mentee_id``,
        contacts, ``missing_places``, ``reasons``) and **Summary** (``what, value``).
    """
    from openpyxl import Workbook

    mentees, mentors, kept = contacts(cohort)
    used = {name for pair in result.pairs for name, _ in pair.components}
    present = [c for c in COMPONENTS if c in used]

    def people(mentee_id, mentor_id, columns=kept):
        mentee, mentor = mentees.get(mentee_id, ("", "")), mentors.get(mentor_id, ("", ""))
        values = dict(zip(("mentee_name", "mentee_email"), mentee, strict=True))
        values.update(zip(("mentor_name", "mentor_email"), mentor, strict=True))
        return [values[c] for c in columns]

    pairs = []
    for pair in result.pairs:
        parts = dict(pair.components)
        pairs.append(
            [
                pair.mentee_id,
                pair.mentor_id,
                *people(pair.mentee_id, pair.mentor_id),
                round(pair.score, 6),
                *[round(parts[c], 4) if c in parts else None for c in present],
                pair.pinned,
                pair.explanation,
            ]
        )
    mentee_kept = [c for c in kept if c.startswith("mentee")]
    unmatched = [
        [u.mentee_id, *people(u.mentee_id, None, mentee_kept), u.missing, "; ".join(u.reasons)]
        for u in result.unmatched
    ]
    book = Workbook(write_only=True)
    header = ["mentee_id", "mentor_id", *kept, "score", *present, "pinned", "explanation"]
    _sheet(book, "Pairs", header, pairs)
    _sheet(book, "Unmatched", ["mentee_id", *mentee_kept, "missing_places", "reasons"], unmatched)
    _sheet(book, "Summary", ["what", "value"], [[k, v] for k, v in summary])
    book.save(path)
