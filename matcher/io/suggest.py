"""The mapping ``mentormatch map`` suggests for a sheet, from its headers and its answers.

:func:`suggest` looks at each header (Google Forms and Microsoft Forms wording: "Email
Address", "Are you signing up as a mentor or a mentee?", "Which skills can you teach?
(choose up to 3)", "How many mentees can you take on?", "Start time", ...) and at the
column's answers (how multi-selects are joined, whether numbers or level names are
given, which answers mean mentor or mentee, whether managers are given by email) and
returns the settings of every column, with notes for the comments of the file that
:func:`matcher.io.mapping_file.mapping_text` writes. :func:`closest_field` is the
one-line guess used in error messages for sheets read without a mapping.

Names and emails are never quoted in notes: a mapping file may be shared.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from matcher.io.decode import Table, blank_column, uninert
from matcher.io.forms import level_rank, looks_numeric, parse_number, role_word
from matcher.io.mapping import header_key
from matcher.io.timezones import AMBIGUOUS, normalise
from matcher.io.validate import COLUMNS, canonical_column

_METADATA = re.compile(
    r"(timestamp|start time|completion time|last modified time|submitted at|"
    r"submission (date|time)|date submitted|response (id|number))"
)
_TEACH = re.compile(r"\b(teach|offer|share|help (others|with)|mentor (on|in)|coach|expert)")
_LEARN = re.compile(r"\b(learn|develop|improve|grow|get help|want help|work on|build)")
_RULES: tuple[tuple[re.Pattern, dict], ...] = (
    (re.compile(r"\b(manager|supervisor|reports? to)\b"), {"field": "manager_id"}),
    (
        re.compile(r"\b(employee|staff|worker|personnel|badge)\b.*\b(id|number|no|#|code)\b"),
        {"field": "id"},
    ),
    (re.compile(r"e-?mail"), {"field": "email"}),
    (
        re.compile(
            r"mentor or (an? )?mentee|mentee or (an? )?mentor|sign(ing)?[ -]?up as|\brole\b|"
            r"participat\w* as|\bjoin(ing)?\b.* as$|would you like to be"
        ),
        {"field": "role"},
    ),
    (
        re.compile(r"how many mentees|number of mentees|mentees can you|capacity"),
        {"field": "capacity", "role": "mentor"},
    ),
    (re.compile(r"how many mentors|number of mentors"), {"field": "capacity", "role": "mentee"}),
    (re.compile(r"time ?zone|\btz\b"), {"field": "timezone"}),
    (re.compile(r"language"), {"field": "languages"}),
    (
        re.compile(r"years|seniority|\blevel\b|grade|career stage|tenure|experience"),
        {"field": "seniority"},
    ),
    (re.compile(r"skill|expertise|competenc"), {"field": "skills"}),
    (re.compile(r"goal|aspiration|objective|hope to|want to achieve"), {"field": "goals"}),
    (
        re.compile(r"department|\bteam\b|business unit|division|\bfunction\b|\borg\b"),
        {"field": "department"},
    ),
    (re.compile(r"location|office|\bcity\b|country|where .*based|\bsite\b"), {"field": "location"}),
    (re.compile(r"\bname\b"), {"field": "name"}),
)
_STOP = frozenset(
    "a an and any are as at be can could do does for from how i if in is it me my of on or "
    "please the this to what which who would you your like choose up select all that apply "
    "outside d us s ll re ve we our there".split()
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class Suggestion:
    """The suggested settings of one column and the notes written above them."""

    header: str
    settings: dict
    notes: list[str] = field(default_factory=list)


def flavour(table: Table) -> str:
    """``"microsoft"``, ``"google"`` or ``"sheet"``: which form tool exported the sheet."""
    keys = {header_key(h) for h in table.header}
    if {"start time", "completion time"} <= keys:
        return "microsoft"
    if table.header and header_key(table.header[0]) == "timestamp":
        return "google"
    return "sheet"


def _by_header(header: str, tool: str) -> dict:
    text = header_key(header)
    if _METADATA.fullmatch(text) or (tool == "microsoft" and text == "id"):
        return {"ignore": True}
    if canonical_column(header) in COLUMNS:
        return {"field": canonical_column(header)}
    for pattern, settings in _RULES:
        if pattern.search(text):
            out = dict(settings)
            if out["field"] in ("skills", "goals") and "role" not in out:
                teach, learn = bool(_TEACH.search(text)), bool(_LEARN.search(text))
                if teach != learn:
                    out["role"] = "mentor" if teach else "mentee"
            return out
    return {"attribute": None}


def closest_field(header: str) -> str:
    """A short guess of what a header is, for error messages (``field 'email'``)."""
    settings = _by_header(header, "sheet")
    if settings.get("ignore"):
        return "form metadata to ignore"
    if "field" in settings:
        return f"field '{settings['field']}'"
    return "a question of your own (an attribute)"


def slug(header: str) -> str:
    """An attribute name from a question: "Meeting format?" -> meeting_format"""
    words = [w for w in re.findall(r"[a-z0-9]+", header.casefold()) if w not in _STOP]
    return "_".join(words[:4]) or "answer"


def _split(values, separators) -> list[str]:
    items = []
    for value in values:
        parts = [value]
        for separator in separators:
            parts = [p for part in parts for p in part.split(separator)]
        items.extend(" ".join(p.split()) for p in parts if p.strip())
    return items


def _separator(values, tool: str) -> tuple[str, ...]:
    if any(";" in v for v in values):
        return (";",)
    if any(", " in v for v in values):
        return (", ",)
    return (";",) if tool == "microsoft" else (", ",)


def _common(items, most: int = 3) -> str:
    counts = Counter(items)
    shown = ", ".join(f"{item} \u00d7{n}" for item, n in counts.most_common(most))
    return f"{len(counts)} different answers; most common: {shown}"


def _is_text(values) -> bool:
    """Free text: long answers, or nearly every answer different."""
    if not values:
        return False
    words = sum(len(v.split()) for v in values) / len(values)
    distinct = len(set(map(header_key, values)))
    return words > 6 or (len(values) >= 8 and distinct > 0.8 * len(values) and words > 3)


def _few(values) -> bool:
    """Answers picked from a short list: at most 20 different, and some given twice."""
    distinct = len(set(map(header_key, values)))
    return distinct <= 20 and distinct <= 0.8 * len(values)


def _attribute(s: Suggestion, values, tool: str) -> None:
    s.settings.pop("field", None)
    s.settings["attribute"] = slug(s.header)
    if values and all(looks_numeric(v) for v in values):
        s.settings["type"] = "number"
        return
    separators = _separator(values, tool)
    items = _split(values, separators)
    repeated = items and len(set(map(header_key, items))) <= 0.6 * len(items)
    short = items and sum(map(len, items)) / len(items) <= 40
    split = any(len(_split([v], separators)) > 1 for v in values)
    if split and repeated and short:
        s.settings["type"] = "multi-choice"
        s.settings["separator"] = list(separators)
        s.notes.append(_common(items))
    elif not _is_text(values) and short and _few(values):
        s.settings["type"] = "choice"
        s.notes.append(_common(values))
    else:
        s.settings["type"] = "text"
        s.notes.append(f"free text, answered by {len(values)}")


def _finish(s: Suggestion, values, tool: str) -> None:
    name = s.settings.get("field")
    if name in ("skills", "goals", "languages", "exclude", "prefer"):
        if name == "goals" and _is_text(_split(values, _separator(values, tool))):
            s.notes.append("answers are sentences, so they are kept as text, not goal tags")
            s.settings = {"attribute": "career_goals", "type": "text"}
            return
        separators = _separator(values, tool)
        s.settings["separator"] = list(separators)
        if values:
            s.notes.append(_common(_split(values, separators)))
    elif name == "role":
        answers = list(dict.fromkeys(values))
        s.settings["values"] = {a: role_word(a) for a in answers if role_word(a)}
        for answer in answers:
            if not role_word(answer):
                s.notes.append(f"{answer!r} is neither mentor nor mentee: add it to values")
    elif name in ("capacity", "seniority"):
        _numbers(s, values)
    elif name == "timezone":
        _zones(s, values)
    elif (
        name == "manager_id"
        and values
        and sum(bool(_EMAIL.fullmatch(v)) for v in values) > len(values) / 2
    ):
        s.settings["match_on"] = "email"
        s.notes.append("managers given by email, matched to the email column")
    elif name not in ("id", "email", "name", "manager_id") and values:
        s.notes.append(_common(values))


def _numbers(s: Suggestion, values) -> None:
    name = s.settings["field"]
    readable = [v for v in values if looks_numeric(v)]
    if name == "seniority" and values and len(readable) < len(values):
        levels = [v for v in dict.fromkeys(values) if not looks_numeric(v)]
        ranks = {v: level_rank(v) for v in levels}
        if len(readable) == 0 and all(r is not None for r in ranks.values()):
            s.settings["levels"] = sorted(levels, key=lambda v: ranks[v])
            s.notes.append("seniority from level names, lowest first: the first is 1")
            return
        if len(readable) == 0:
            s.settings["levels"] = levels
            s.notes.append("CHECK THE ORDER: level names not all recognised, listed as found")
            return
    if name == "seniority":
        s.settings["ranges"] = "middle"
        s.notes.append('years; a range such as "3-5" counts as its middle, rounded down')
    else:
        s.settings["ranges"] = "high"
        s.notes.append('"1-2" counts as 2; "3+", "up to 2" and "none" are read as numbers')
    unreadable = [v for v in dict.fromkeys(values) if not looks_numeric(v)]
    for answer in unreadable:
        s.notes.append(f'{answer!r} is not a number: add it to values, e.g. "{answer}" = 1')
    if readable:
        numbers = [parse_number(v, s.settings["ranges"], floor=True) for v in readable]
        s.notes.append(f"from {min(numbers):g} to {max(numbers):g}")


def _zones(s: Suggestion, values) -> None:
    from matcher.io.fields import parse_timezone

    s.zones = {}
    for answer in dict.fromkeys(values):
        if normalise(answer) in AMBIGUOUS:
            s.zones[answer.strip().upper()] = AMBIGUOUS[normalise(answer)]
            continue
        try:
            parse_timezone(answer)
        except ValueError:
            s.notes.append(f"{answer!r} is not a time zone mentormatch knows")
    if values:
        s.notes.append(_common(values))


def suggest(table: Table) -> tuple[list[Suggestion], dict[str, tuple], str]:
    """The suggested settings of every column of a sheet.

    Parameters
    ----------
    table : the sheet (:func:`matcher.io.xlsx.read_sheet`).

    Returns
    -------
    tuple of (list of Suggestion, dict, str)
        One suggestion per column in sheet order; the ambiguous time-zone answers found
        (answer -> (zone, meaning) choices); the form tool (``flavour``).
    """
    tool = flavour(table)
    suggestions, zones = [], {}
    for k, header in enumerate(table.header):
        if blank_column(table, k):
            continue
        values = [uninert(row[k]).strip() for row in table.rows if k < len(row)]
        values = [v for v in values if v]
        s = Suggestion(header.strip(), _by_header(header, tool))
        if s.settings.get("ignore"):
            s.notes.append("form metadata")
        elif s.settings.get("field") == "seniority" and values and not _seniority_like(values):
            _attribute(s, values, tool)
        elif "attribute" in s.settings and _roles(values):
            s.settings = {"field": "role"}
            _finish(s, values, tool)
        elif "attribute" in s.settings:
            _attribute(s, values, tool)
        else:
            _finish(s, values, tool)
            zones.update(getattr(s, "zones", {}))
        suggestions.append(s)
    _settle(suggestions, table, tool)
    return suggestions, zones, tool


def _roles(values) -> bool:
    """Every answer says mentor or mentee, and both are there: the role question."""
    roles = {role_word(v) for v in values}
    return roles == {"mentor", "mentee"}


def _seniority_like(values) -> bool:
    known = [v for v in values if looks_numeric(v) or level_rank(v) is not None]
    return len(known) >= 0.8 * len(values)


def _settle(suggestions: list[Suggestion], table: Table, tool: str) -> None:
    """Decisions across columns: the id, one name, one feeder per field and role."""
    fields = [s.settings.get("field") for s in suggestions]
    if "id" not in fields and "email" in fields:
        email = suggestions[fields.index("email")]
        email.settings["field"] = ["id", "email"]
        email.notes.append("the email is the id: the sheet has no employee-id column")
    elif "id" in fields:
        for s in suggestions:
            if s.settings.get("match_on") and "email" not in fields:
                s.settings.pop("match_on")
    names = [s for s in suggestions if s.settings.get("field") == "name"]
    split = any(
        re.search(r"\b(first|last|given|family|sur)\s*name", header_key(s.header)) for s in names
    )
    if len(names) > 1 and not split:
        for extra in names[1:]:
            extra.settings = {"ignore": True}
            extra.notes.append(f"another name column ({names[0].header!r} is used)")
    taken: dict[tuple, Suggestion] = {}
    for s in suggestions:
        name = s.settings.get("field")
        if not isinstance(name, str) or name in ("skills", "goals", "languages", "name"):
            continue
        for role in (
            ("mentor", "mentee") if s.settings.get("role") is None else (s.settings["role"],)
        ):
            first = taken.setdefault((name, role), s)
            if first is not s:
                s.settings = {"ignore": True}
                s.notes.append(f"{name!r} is already read from {first.header!r}")
                break
    used: set[str] = set()
    for s in suggestions:
        if s.settings.get("attribute"):
            base, k = s.settings["attribute"], 2
            while s.settings["attribute"] in used:
                s.settings["attribute"], k = f"{base}_{k}", k + 1
            used.add(s.settings["attribute"])
