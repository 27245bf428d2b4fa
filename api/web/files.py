"""The files a coordinator downloads for a run, written by the core's own writers: the
pairs CSV (:func:`matcher.io.pair_files.write_pairs`), the pairs workbook
(:func:`matcher.io.pairs_workbook.write_workbook`) and the introductions mail merge
(:func:`matcher.io.intros.introductions`), with the names and emails of the participant
rows of a web import."""

from __future__ import annotations

import io
import re

from sqlalchemy.orm import Session

from api.store import load_cohort, load_result
from api.tables import Run
from matcher.cli.report import summary_rows
from matcher.io.decode import emit, inert, to_csv_text
from matcher.io.intros import introductions
from matcher.io.pair_files import contacts, write_pairs
from matcher.io.pairs_workbook import write_workbook

KINDS = {
    "pairs.csv": "text/csv",
    "pairs.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "intros.csv": "text/csv",
}


def filename(cohort_name: str, version: int | None, run_id: str, kind: str) -> str:
    """``spring-2027-v2-pairs.csv`` for a published version, else with the run id."""
    slug = re.sub(r"[^a-z0-9]+", "-", cohort_name.lower()).strip("-") or "cohort"
    tag = f"v{version}" if version else run_id
    return f"{slug}-{tag}-{kind}"


def run_file(session: Session, run: Run, kind: str) -> bytes:
    """The bytes of one download of a succeeded run.

    Raises
    ------
    InputError
        For introductions of a cohort without emails (the core's words).
    """
    result = load_result(session, run)
    cohort = load_cohort(session, run.cohort_id, contacts=True)
    buffer = io.BytesIO()
    if kind == "pairs.csv":
        write_pairs(result, buffer, cohort)
    elif kind == "pairs.xlsx":
        write_workbook(result, buffer, cohort, summary_rows(result))
    else:
        emit(to_csv_text([[inert(c) for c in row] for row in intro_rows(result, cohort)]), buffer)
    return buffer.getvalue()


def intro_rows(result, cohort) -> list[list[str]]:
    """The mail-merge rows of a result's pairs (header first)."""
    mentees, mentors, kept = contacts(cohort)
    records = []
    for pair in result.pairs:
        record = {"mentee_id": pair.mentee_id, "mentor_id": pair.mentor_id}
        record["explanation"] = pair.explanation
        sides = (("mentee", mentees, pair.mentee_id), ("mentor", mentors, pair.mentor_id))
        for side, people, who in sides:
            name, email = people.get(who, ("", ""))
            if f"{side}_name" in kept:
                record[f"{side}_name"] = name
            if f"{side}_email" in kept:
                record[f"{side}_email"] = email
        records.append(record)
    return introductions(records, "this cohort")
