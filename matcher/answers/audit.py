"""Equity audit: score, coverage and unmatched rate of each group of mentees, gaps flagged.

:func:`audit` groups the mentees of a result by department, location, seniority band and
each custom attribute (``Person.attributes``) with few distinct answers, and gives each
group's mean pair score, coverage (matched places / wanted places) and unmatched rate
(mentees who wanted a mentor and got none), against the same figures for everyone. A
group of at least ``min_size`` mentees is flagged when one of its figures is worse than
the overall one by more than ``threshold`` (0.10: ten points, on the 0-1 score scale
and on rates alike). Mentees who sit out (capacity 0) are not counted. Attributes with
many distinct answers (free text) are skipped: grouping by them would print people's
answers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from matcher.model import Cohort, InputError, Mentee, Problem
from matcher.results import MatchResult

SENIORITY_BAND = 3  # levels per seniority band: 0-2, 3-5, 6-8, ...
MAX_VALUES = 20  # an attribute with more distinct answers is free text: not grouped


@dataclass(frozen=True)
class Figures:
    """The figures of one group (or of everyone).

    Attributes
    ----------
    mentees : mentees who want at least one mentor.
    wanted, matched : wanted and matched places.
    unmatched : mentees with no mentor.
    mean_score : mean score of their pairs (None without pairs).
    coverage : matched / wanted places.
    unmatched_rate : unmatched / mentees.
    """

    mentees: int
    wanted: int
    matched: int
    unmatched: int
    mean_score: float | None
    coverage: float | None
    unmatched_rate: float | None


@dataclass(frozen=True)
class GroupAudit:
    """One group's figures and the gaps flagged against everyone's.

    Attributes
    ----------
    dimension : ``department``, ``location``, ``seniority`` or ``attribute:<name>``.
    group : the group's value (``"(none)"`` for mentees without one).
    figures : its figures.
    flags : the gaps, in words (empty when none is beyond the threshold).
    """

    dimension: str
    group: str
    figures: Figures
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    """An equity audit of one result.

    Attributes
    ----------
    overall : everyone's figures.
    groups : per dimension, groups by size (largest first).
    threshold, min_size : the flagging rule used.
    skipped : attributes not grouped (too many distinct answers), with why.
    """

    overall: Figures
    groups: tuple[GroupAudit, ...]
    threshold: float
    min_size: int
    skipped: tuple[str, ...] = ()

    @property
    def flagged(self) -> tuple[GroupAudit, ...]:
        return tuple(g for g in self.groups if g.flags)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figures(mentees: Iterable[Mentee], got: Counter, scores: dict[str, list[float]]) -> Figures:
    """The :class:`Figures` of some mentees given their matched places and pair scores."""
    taking_part = [e for e in mentees if e.capacity > 0]
    wanted = sum(e.capacity for e in taking_part)
    matched = sum(min(got[e.id], e.capacity) for e in taking_part)
    unmatched = sum(1 for e in taking_part if got[e.id] == 0)
    values = [s for e in taking_part for s in scores.get(e.id, [])]
    n = len(taking_part)
    return Figures(
        mentees=n,
        wanted=wanted,
        matched=matched,
        unmatched=unmatched,
        mean_score=_r(math.fsum(values) / len(values)) if values else None,
        coverage=_r(matched / wanted) if wanted else None,
        unmatched_rate=_r(unmatched / n) if n else None,
    )


def gaps(group: Figures, overall: Figures, threshold: float) -> tuple[str, ...]:
    """What is worse in ``group`` than ``overall`` by more than ``threshold``, in words."""
    out = []
    for name, label, worse in (
        ("mean_score", "mean score", -1),
        ("coverage", "coverage", -1),
        ("unmatched_rate", "unmatched rate", 1),
    ):
        mine, everyone = getattr(group, name), getattr(overall, name)
        if mine is None or everyone is None:
            continue
        if worse * (mine - everyone) > threshold + 1e-12:
            word = "below" if worse < 0 else "above"
            out.append(f"{label} {abs(mine - everyone) * 100:.1f} points {word} overall")
    return tuple(out)


def _seniority_band(mentee: Mentee) -> str:
    if mentee.seniority is None:
        return "(none)"
    lo = mentee.seniority // SENIORITY_BAND * SENIORITY_BAND
    return f"{lo}-{lo + SENIORITY_BAND - 1}"


def _attribute_groups(mentees: tuple[Mentee, ...]) -> tuple[dict[str, dict], list[str]]:
    """name -> {mentee id: group values}, for attributes with few distinct answers."""
    names = list(dict.fromkeys(k for e in mentees for k, _ in e.attributes))
    out, skipped = {}, []
    for name in names:
        values: dict[str, tuple[str, ...]] = {}
        for e in mentees:
            value = e.attribute(name)
            if value is None:
                values[e.id] = ("(none)",)
            elif isinstance(value, tuple):
                values[e.id] = tuple(value) or ("(none)",)
            elif isinstance(value, float):
                values[e.id] = (f"{value:g}",)
            else:
                values[e.id] = (value,)
        distinct = {v for vs in values.values() for v in vs} - {"(none)"}
        if len(distinct) > MAX_VALUES:
            skipped.append(f"attribute {name!r}: {len(distinct)} distinct answers (free text?)")
        else:
            out[name] = values
    return out, skipped


def dimensions_of(cohort: Cohort) -> tuple[list[tuple[str, dict]], list[str]]:
    """Each dimension's name and ``{mentee id: its groups}``, and the attributes skipped."""
    mentees = cohort.mentees
    dimensions: list[tuple[str, dict[str, tuple[str, ...]]]] = [
        ("department", {e.id: (e.department or "(none)",) for e in mentees}),
        ("location", {e.id: (e.location or "(none)",) for e in mentees}),
        ("seniority", {e.id: (_seniority_band(e),) for e in mentees}),
    ]
    attributes, skipped = _attribute_groups(mentees)
    dimensions += [(f"attribute:{name}", values) for name, values in attributes.items()]
    return dimensions, skipped


def groups_by(cohort: Cohort, by: str) -> list[tuple[str, list[int]]]:
    """The groups of dimension ``by`` as (name, indices of its mentees who want a mentor).

    Parameters
    ----------
    cohort : the cohort.
    by : ``department``, ``location``, ``seniority`` (bands of three levels) or an
        attribute's name (``attribute:<name>`` also reads).

    Returns
    -------
    list of (str, list of int)
        Groups by name; a mentee with several answers is in each of their groups.

    Raises
    ------
    InputError
        If ``by`` names no dimension (the choices listed).
    """
    dimensions, _ = dimensions_of(cohort)
    found = dict(dimensions)
    key = by if by in found else f"attribute:{by}"
    if key not in found:
        choices = ", ".join(d.removeprefix("attribute:") for d, _ in dimensions)
        problem = Problem(
            f"no such group dimension; expected one of {choices}",
            column="solver.by",
            value=by,
            source="policy",
        )
        raise InputError([problem], title="mentormatch cannot group the mentees this way")
    members: dict[str, list[int]] = {}
    for i, e in enumerate(cohort.mentees):
        if e.capacity > 0:
            for value in found[key][e.id]:
                members.setdefault(value, []).append(i)
    return sorted(members.items())


def audit(
    cohort: Cohort, result: MatchResult, *, threshold: float = 0.10, min_size: int = 5
) -> Audit:
    """Score, coverage and unmatched rate by group, with the gaps beyond ``threshold``.

    Parameters
    ----------
    cohort : the cohort the result matched.
    result : any result of it (an optimum, an alternative, a rematch).
    threshold : how much worse than overall a figure may be before it is flagged.
    min_size : groups with fewer mentees are listed but never flagged.

    Returns
    -------
    Audit
        Dimensions in the order department, location, seniority, then attributes in
        the order they first appear; groups largest first, then by name.
    """
    got: Counter = Counter(p.mentee_id for p in result.pairs)
    scores: dict[str, list[float]] = {}
    for p in result.pairs:
        scores.setdefault(p.mentee_id, []).append(p.score)
    mentees = cohort.mentees
    overall = figures(mentees, got, scores)
    dimensions, skipped = dimensions_of(cohort)
    groups = []
    for dimension, values in dimensions:
        members: dict[str, list[Mentee]] = {}
        for e in mentees:
            for value in values[e.id]:
                members.setdefault(value, []).append(e)
        found = [(value, figures(people, got, scores)) for value, people in members.items()]
        found = [(v, f) for v, f in found if f.mentees]
        if len(found) < 2:
            continue  # one group is everyone: nothing to compare
        for value, f in sorted(found, key=lambda x: (-x[1].mentees, x[0])):
            flags = gaps(f, overall, threshold) if f.mentees >= min_size else ()
            groups.append(GroupAudit(dimension, value, f, flags))
    return Audit(overall, tuple(groups), threshold, min_size, tuple(skipped))


def audit_to_dict(answer: Audit) -> dict:
    """An :class:`Audit` as JSON-ready data (``flagged`` counts the flagged groups)."""
    out = asdict(answer)
    out["flagged"] = len(answer.flagged)
    return out
