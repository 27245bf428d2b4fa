"""People's ids that a person could not tell apart are refused at the door.

An id is how coordinators, HR systems and our routes name a person, so two ids must look
different when they are different. Refused in ids (a person's own, ``manager_id``,
``exclude``, ``prefer``, org-chart edges): invisible formatting characters (zero-width
spaces and joiners, left-to-right and right-to-left marks and overrides, the byte-order
mark, soft hyphens: Unicode category Cf), control characters, spaces other than the plain
one, and text not in composed form (NFC: an accent typed as a separate mark). The core
checks everything else about ids (length, ``;``, line breaks).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from matcher.model import Cohort, InputError, Problem

_REFUSED = {"Cf", "Cc", "Cs", "Zl", "Zp"}


def why_unclear(text: str) -> str | None:
    """Why ``text`` cannot be an id anyone can read back, or None when it can."""
    if text.isascii() and text.isprintable():  # no control, format or odd space; NFC
        return None
    for char in text:
        category = unicodedata.category(char)
        if category in _REFUSED or (category == "Zs" and char != " "):
            name = unicodedata.name(char, "unnamed")
            return f"contains the invisible character U+{ord(char):04X} ({name}); type it again"
    if not unicodedata.is_normalized("NFC", text):
        return "an accent is typed as a separate mark (not NFC); type the id again"
    return None


def _ids(cohort: Cohort) -> Iterable[tuple[str, str]]:
    for person in (*cohort.mentors, *cohort.mentees):
        yield "id", person.id
        if person.manager_id:
            yield "manager_id", person.manager_id
        for column in ("exclude", "prefer"):
            for other in getattr(person, column):
                yield column, other
    for edge in cohort.org_chart:
        for value in edge:
            yield "org_chart", value


def _readable(cohort: Cohort) -> bool:
    """Whether every id is plain printable ASCII (then nothing more is checked): one test
    of all of them joined, against a call per id."""
    text = "".join([value for _, value in _ids(cohort)])
    return text.isascii() and text.isprintable()


def id_problems(cohort: Cohort, source: str = "cohort", where: str = "") -> list[Problem]:
    """One problem per unreadable id in ``cohort`` (``where`` prefixes the column)."""
    if _readable(cohort):
        return []
    problems, seen = [], set()
    for column, value in _ids(cohort):
        if (column, value) in seen:
            continue
        seen.add((column, value))
        if (why := why_unclear(value)) is not None:
            shown = value.encode("unicode_escape").decode("ascii")
            name = f"{where}.{column}" if where else column
            problems.append(
                Problem(f"expected a visible id; {why}", column=name, value=shown, source=source)
            )
    return problems


def check_ids(cohort: Cohort, source: str = "cohort") -> Cohort:
    """``cohort`` when every id is readable.

    Raises
    ------
    InputError
        Listing every unreadable id.
    """
    if problems := id_problems(cohort, source):
        raise InputError(problems, title="the cohort was rejected")
    return cohort
