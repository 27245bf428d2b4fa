"""Records -> Cohort and back: the public door for people data from CSV or JSON.

A record is a mapping from a column name to a value: ``str`` cells from a CSV file, or
typed values from JSON (int, list of str, list of ``{"name", "level"}`` or
``"skill:level"`` strings). Column names match case-insensitively, and spaces, hyphens
and underscores are equivalent (``"Min Capacity"`` is ``min_capacity``). Validation runs
in one pass (:mod:`matcher.io.validate`) and collects every problem; a rejected input
raises one :class:`~matcher.model.InputError` and never yields a partial Cohort.

Problems from CSV input carry ``line`` (the physical line where the record starts) and
``row`` (0-based record index); problems from JSON carry ``row`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matcher.io.fields import alias_table, normalise_tag, parse_timezone
from matcher.io.typed_records import typed_cohort
from matcher.io.validate import COLUMNS, Batch, Role, canonical_column, validate_batches
from matcher.model import Cohort, InputError, Problem

__all__ = [
    "COLUMNS",
    "Batch",
    "Role",
    "canonical_column",
    "cohort_from_records",
    "cohort_to_records",
    "normalise_tag",
    "parse_timezone",
    "validate_batches",
]


def cohort_from_records(
    records=None,
    *,
    mentors=None,
    mentees=None,
    aliases=None,
    ignore_unknown=False,
    lines=None,
    source=None,
    org_chart=(),
) -> Cohort:
    """Validate records and build a Cohort, reporting every problem at once.

    Parameters
    ----------
    records : list of mappings, each with a ``role`` (one-input form); or None.
    mentors, mentees : lists of mappings (two-input form; ``role`` optional but, when
        given, must agree). Give either ``records`` or both of these.
    aliases : tag -> canonical tag mapping (or pairs) applied to every tag.
    ignore_unknown : accept unknown columns/keys silently instead of reporting them.
    lines : physical start line of each record (CSV input): a sequence for ``records``,
        or a mapping ``{"mentors": [...], "mentees": [...]}``; None for JSON (problems
        then carry the 0-based ``row``).
    source : the problems' ``source`` in the one-input form (default ``"cohort"``); the
        two-input form uses ``"mentors"`` and ``"mentees"``.
    org_chart : extra (person_id, manager_id) edges stored on the Cohort.

    Returns
    -------
    Cohort

    Raises
    ------
    InputError
        Listing every problem; nothing is built when it is raised.
    TypeError
        If neither or both input forms are given.
    """
    one = records is not None
    if lines is None and not ignore_unknown and one != (mentors is not None):
        inputs = [(records, None)] if one else [(mentors, "mentor"), (mentees, "mentee")]
        quick = typed_cohort(inputs, alias_table(aliases), org_chart)
        if quick is not None:  # records as the API documents them, and nothing wrong
            return quick
    if one == (mentors is not None or mentees is not None) or (
        not one and (mentors is None or mentees is None)
    ):
        raise TypeError("give records (one list with roles), or both mentors and mentees")
    if one:
        inputs = [(source or "cohort", records, None, lines)]
    else:
        lines = lines or {}
        inputs = [
            ("mentors", mentors, Role.MENTOR, lines.get("mentors")),
            ("mentees", mentees, Role.MENTEE, lines.get("mentees")),
        ]
    batches, bad = [], []
    for name, items, role, where in inputs:
        if isinstance(items, Mapping | str | bytes) or not isinstance(items, Sequence):
            bad.append(Problem("expected a list of records", source=name))
            items = []
        header = 1 if where is not None else None
        batches.append(Batch(name, list(items), role, where, header))
    if bad:
        raise InputError(bad, title="the cohort was rejected")
    return validate_batches(
        batches, aliases=aliases, ignore_unknown=ignore_unknown, org_chart=org_chart
    )


def cohort_to_records(cohort: Cohort) -> list[dict]:
    """The cohort as one list of typed records (mentors first), each with its ``role``.

    Parameters
    ----------
    cohort : a validated Cohort.

    Returns
    -------
    list of dict
        Keys in :data:`COLUMNS` order; skills as ``{"name", "level"}``; lists for list
        fields; None where nothing is given (``min_capacity`` is None for mentees). People
        with custom attributes also get ``attributes``: ``{name: value}`` with lists for
        multi-choices.
        ``cohort_from_records`` of the result gives back an equal Cohort (org chart aside).
    """
    out = []
    for role, people in ((Role.MENTOR, cohort.mentors), (Role.MENTEE, cohort.mentees)):
        for p in people:
            record = {
                "id": p.id,
                "role": role.value,
                "name": p.name,
                "email": p.email,
                "seniority": p.seniority,
                "skills": [{"name": s.name, "level": s.level} for s in p.skills],
                "goals": list(p.goals),
                "capacity": p.capacity,
                "min_capacity": p.min_capacity if role is Role.MENTOR else None,
                "department": p.department,
                "location": p.location,
                "timezone": p.timezone,
                "languages": list(p.languages),
                "manager_id": p.manager_id,
                "exclude": list(p.exclude),
                "prefer": list(p.prefer),
            }
            if p.attributes:
                record["attributes"] = {
                    k: list(v) if isinstance(v, tuple) else v for k, v in p.attributes
                }
            out.append(record)
    return out
