"""Introductions for a mail merge: one row per pair, both names and emails, one sentence.

:func:`introductions` turns the records of a pairs file (:func:`read_assignments` of the
CSV or workbook ``match`` wrote, with names and emails) into rows for a mail merge; the
shared ground is one sentence built from the pair's explanation: what the mentor can
help with, goals and languages in common, the same location, how far apart the time
zones are. Parts of an explanation it does not know are left out of the sentence; when
none is known, the sentence quotes the explanation.
"""

from __future__ import annotations

import re

from matcher.model import InputError, Problem

COLUMNS = (
    "mentee_name",
    "mentee_email",
    "mentor_name",
    "mentor_email",
    "subject",
    "shared_ground",
    "mentee_id",
    "mentor_id",
)
_PARTS = re.compile(r"([^,(]+?)(?:\s*\(([^)]*)\))?(?:,|$)")


def _listing(items: list[str]) -> str:
    items = [i.strip() for i in items if i.strip() and not i.strip().startswith("+")]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _first(name: str, fallback: str) -> str:
    return name.split()[0] if name.strip() else fallback


def shared_ground(explanation: str, mentee: str, mentor: str) -> str:
    """One sentence of what a pair has in common, from its explanation.

    Parameters
    ----------
    explanation : the pair's explanation, e.g. ``"skills 1.00 (python, sql), goals 1.00
        (get promoted), time zones 1h apart"``.
    mentee, mentor : how to call each (first names).

    Returns
    -------
    str
        E.g. ``"Priya can help Ben with python and sql; you share the goal \u201cget
        promoted\u201d; your time zones are 1h apart."``; empty for an empty explanation.
    """
    clauses = []
    for match in _PARTS.finditer(explanation):
        head, detail = match.group(1).strip(), (match.group(2) or "").split(",")
        if head.startswith("skills") and match.group(2) and "related" not in match.group(2):
            clauses.append(f"{mentor} can help {mentee} with {_listing(detail)}")
        elif head.startswith("goals") and match.group(2):
            goals = _listing(detail)
            word = "goals" if len([d for d in detail if d.strip()]) > 1 else "goal"
            clauses.append(f"you share the {word} \u201c{goals}\u201d")
        elif head.startswith("shared language") and match.group(2):
            clauses.append(f"you both speak {_listing([d.strip().title() for d in detail])}")
        elif head.startswith("same location") and match.group(2):
            clauses.append(f"you are both in {_listing([d.strip().title() for d in detail])}")
        elif head.startswith("time zones") and head.endswith("apart"):
            apart = head[len("time zones") : -len("apart")].strip()
            clauses.append(
                "you share a time zone" if apart == "0h" else f"your time zones are {apart} apart"
            )
    if not clauses:
        return f"You were matched on: {explanation}." if explanation.strip() else ""
    sentence = "; ".join(clauses) + "."
    return sentence[0].upper() + sentence[1:]


def introductions(records: list[dict], source: str = "pairs") -> list[list[str]]:
    """Mail-merge rows (header first) for every matched pair of a pairs file.

    Parameters
    ----------
    records : from :func:`matcher.io.pair_files.read_assignments`.
    source : the file's name, for problems.

    Returns
    -------
    list of list of str
        :data:`COLUMNS`, then one row per pair in file order (unmatched rows skipped).

    Raises
    ------
    InputError
        If the file has no email columns (``match`` writes them when the sheet has an
        email column), or a pair lacks an email.
    """
    if not records or "mentee_email" not in records[0] or "mentor_email" not in records[0]:
        message = (
            "the pairs file has no mentee_email and mentor_email columns: run `mentormatch "
            "match` on a sheet with an email column (the pairs file then carries them)"
        )
        raise InputError([Problem(message, source=source)], title="no introductions written")
    rows, problems = [list(COLUMNS)], []
    for k, r in enumerate(records):
        if not r.get("mentor_id"):
            continue
        for column in ("mentee_email", "mentor_email"):
            if not (r.get(column) or "").strip():
                problems.append(Problem("expected an email", row=k, column=column, source=source))
        mentee_name, mentor_name = r.get("mentee_name") or "", r.get("mentor_name") or ""
        mentee, mentor = _first(mentee_name, r["mentee_id"]), _first(mentor_name, r["mentor_id"])
        rows.append(
            [
                mentee_name,
                r["mentee_email"],
                mentor_name,
                r["mentor_email"],
                f"Mentoring introduction: {mentee} and {mentor}",
                shared_ground(r.get("explanation") or "", mentee, mentor),
                r["mentee_id"],
                r["mentor_id"],
            ]
        )
    if problems:
        raise InputError(problems, title="no introductions written")
    return rows
