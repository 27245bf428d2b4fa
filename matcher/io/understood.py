"""What mentormatch understood of a sheet, column by column, for ``validate`` to print.

:func:`describe` turns a validated cohort and the :class:`~matcher.io.mapped.Reading` of
each sheet into lines such as ``skills: 41 distinct, most common python x12, sql x9`` or
``Time zone -> timezone: PST -> America/Los_Angeles x4, ...`` and a closing ``ignored:``
line, so that a misread (one tag per sentence, a wrong separator, a wrong zone) shows
before matching. Names, emails and ids are never listed, only counted.
"""

from __future__ import annotations

from collections import Counter
from statistics import median

from matcher.io.mapped import Reading
from matcher.io.mapping import ColumnRule
from matcher.model import Cohort, Mentor

MOST = 3  # most common values shown per column


def _common(values, most: int = MOST) -> str:
    counts = Counter(values)
    if not counts:
        return "none given"
    shown = ", ".join(f"{v} \u00d7{n}" for v, n in counts.most_common(most))
    return f"{len(counts)} distinct, most common {shown}"


def _range(numbers) -> str:
    if not numbers:
        return "none given"
    return f"{min(numbers):g} to {max(numbers):g}, median {median(numbers):g}"


def _field(name: str, people, cohort: Cohort, answers) -> str:
    n = len(people)
    if name == "id":
        return f"{n} people"
    if name == "role":
        shown = ", ".join(f"{a!r} \u00d7{k} -> {b}" for a, b, k in answers)
        counts = f"{len(cohort.mentors)} mentors, {len(cohort.mentees)} mentees"
        return counts + (f" ({shown})" if shown else "")
    if name in ("name", "email"):
        return f"given for {sum(getattr(p, name) is not None for p in people)} of {n}"
    if name in ("capacity", "min_capacity"):
        parts = []
        for group, total in (("mentors", "places"), ("mentees", "wanted")):
            chosen = [p for p in people if isinstance(p, Mentor) == (group == "mentors")]
            values = [getattr(p, name) for p in chosen if hasattr(p, name)]
            if values:
                counts = ", ".join(f"{v} \u00d7{k}" for v, k in sorted(Counter(values).items()))
                parts.append(f"{group} {counts}: {sum(values)} {total}")
        return "; ".join(parts)
    if name == "seniority":
        text = _range([p.seniority for p in people if p.seniority is not None])
        levels = ", ".join(f"{a!r} -> {b} \u00d7{k}" for a, b, k in answers)
        return text + (f" ({levels})" if levels else "")
    if name == "skills":
        return _common(s.name for p in people for s in p.skills)
    if name in ("goals", "languages"):
        return _common(t for p in people for t in getattr(p, name))
    if name in ("department", "location"):
        return _common(getattr(p, name) for p in people if getattr(p, name) is not None)
    if name == "timezone":
        if answers:
            shown = ", ".join(f"{a} -> {_zone(b)} \u00d7{k}" for a, b, k in answers[:5])
            more = f" and {len(answers) - 5} more" if len(answers) > 5 else ""
            return f"{len(answers)} distinct answers: {shown}{more}"
        return _common(p.timezone for p in people if p.timezone is not None)
    if name == "manager_id":
        ids = set(cohort.mentor_ids) | set(cohort.mentee_ids)
        given = [p.manager_id for p in people if p.manager_id is not None]
        return f"given for {len(given)} of {n}; {sum(m in ids for m in given)} in the cohort"
    listed = [x for p in people for x in getattr(p, name)]
    return f"{sum(bool(getattr(p, name)) for p in people)} people list {len(listed)} ids"


def _zone(text: str) -> str:
    from matcher.io.fields import parse_timezone

    zone, minutes = parse_timezone(text)
    if zone.startswith("UTC"):
        return zone
    sign = "-" if minutes < 0 else "+"
    return f"{zone} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def _attribute(rule: ColumnRule, people) -> str:
    values = [p.attribute(rule.attribute) for p in people]
    given = [v for v in values if v is not None]
    if rule.kind == "multi-choice":
        return _common(item for v in given for item in v)
    if rule.kind == "choice":
        return _common(given)
    if rule.kind == "number":
        return _range(given)
    return f"answered by {len(given)} of {len(people)}"


def _target(header: str, rule: ColumnRule) -> str:
    if rule.attribute is not None:
        name = f"attribute {rule.attribute} ({rule.kind})"
    else:
        name = ", ".join(rule.fields)
    if rule.role:
        name += f" ({rule.role}s)"
    return name if name == header else f"{header} -> {name}"


def describe(cohort: Cohort, readings: tuple[Reading, ...]) -> list[str]:
    """Lines saying what each column was read as, and what was ignored.

    Parameters
    ----------
    cohort : the validated cohort.
    readings : how each sheet was read (:func:`matcher.io.sheets.read_people`).

    Returns
    -------
    list of str
        One line per used column (prefixed with the sheet's name when there are two
        sheets), then one ``ignored:`` line per sheet.
    """
    lines = []
    for reading in readings:
        prefix = f"{reading.source}: " if len(readings) > 1 else ""
        answers = dict(reading.answers)
        for header, rule in reading.columns:
            people = _people(cohort, reading.source, rule.role, rule.fields[:1] and rule.fields[0])
            if rule.attribute is not None:
                text = _attribute(rule, people)
            else:
                parts = [_field(f, people, cohort, answers.get(header, ())) for f in rule.fields]
                text = "; ".join(dict.fromkeys(parts))
            lines.append(f"{prefix}{_target(header, rule)}: {text}")
        ignored = ", ".join(reading.ignored) if reading.ignored else "nothing"
        lines.append(f"{prefix}ignored: {ignored}")
    return lines


def _people(cohort: Cohort, source: str, role: str | None, field: str | None = None):
    if source == "mentors" or role == "mentor" or field == "min_capacity":
        return list(cohort.mentors)
    if source == "mentees" or role == "mentee":
        return list(cohort.mentees)
    return [*cohort.mentors, *cohort.mentees]
