"""The result's own figures: objective, metrics, status with bound and gap, alternates.

Each function takes ``(cohort, policy, result)`` and returns its violations in words.
Metrics are recomputed from the listed pairs (their scores are rounded, the solver's
figures were computed before rounding: two roundings apart, hence
:data:`FIGURE_TOLERANCE`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields

from matcher.checker.base import TOLERANCE, close, counts, normaliser, people
from matcher.checker.rules import around, broken_rules
from matcher.checker.scores import components, scoring, total
from matcher.model import Cohort, Policy
from matcher.results import MatchResult, Metrics, Status

FIGURE_TOLERANCE = 2 * TOLERANCE


def objective(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """The objective must be the sum of the pair scores (within rounding per pair)."""
    summed = math.fsum(p.score for p in result.pairs)
    if abs(result.objective - summed) > TOLERANCE * max(1, len(result.pairs)):
        return [f"objective {result.objective!r} differs from the sum of pair scores {summed!r}"]
    return []


def _percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile of sorted values, linear between the closest ranks."""
    h = (len(ordered) - 1) * q / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def _skill_coverage(cohort: Cohort, policy: Policy, result: MatchResult) -> float | None:
    """Share of (matched mentee, wanted skill) taught by at least one assigned mentor."""
    index, norm = people(cohort), normaliser(policy.aliases)
    taught: dict[str, set[str]] = {}
    for p in result.pairs:
        if p.mentee_id in index.mentees and p.mentor_id in index.mentors:
            mentor = index.mentors[p.mentor_id][1]
            taught.setdefault(p.mentee_id, set()).update(norm(s.name) for s in mentor.skills)
    wanted = covered = 0
    for e_id, names in taught.items():
        skills = {norm(s.name) for s in index.mentees[e_id][1].skills}
        wanted += len(skills)
        covered += len(skills & names)
    return covered / wanted if wanted else None


def expected_metrics(cohort: Cohort, policy: Policy, result: MatchResult) -> Metrics:
    """The :class:`Metrics` the result's pairs imply.

    Parameters
    ----------
    cohort, policy : the inputs (policy aliases apply to skill coverage).
    result : supplies the pairs and their scores.

    Returns
    -------
    Metrics
        Unrounded figures.
    """
    got, load = counts(cohort, result)
    scores = sorted(p.score for p in result.pairs)
    used = sum(1 for n in load.values() if n)
    figures = {}
    if scores:
        figures = dict(
            mean_score=math.fsum(scores) / len(scores),
            min_score=scores[0],
            p10_score=_percentile(scores, 10),
            median_score=_percentile(scores, 50),
            p90_score=_percentile(scores, 90),
        )
    return Metrics(
        mentees=len(cohort.mentees),
        mentors=len(cohort.mentors),
        wanted_places=sum(e.capacity for e in cohort.mentees),
        matched_places=len(result.pairs),
        matched_mentees=sum(1 for e in cohort.mentees if got[e.id]),
        fully_matched_mentees=sum(1 for e in cohort.mentees if 0 < e.capacity <= got[e.id]),
        mentors_used=used,
        mean_load=len(result.pairs) / used if used else None,
        max_load=max(load.values(), default=0),
        skill_coverage=_skill_coverage(cohort, policy, result),
        **figures,
    )


def metrics(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Every metric that differs from what the pairs imply.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check.

    Returns
    -------
    list of str
        In the field order of :class:`matcher.results.Metrics`; counts must be equal,
        fractions within :data:`FIGURE_TOLERANCE`, absent figures absent.
    """
    expected = asdict(expected_metrics(cohort, policy, result))
    out = []
    for f in fields(Metrics):
        given, want = getattr(result.metrics, f.name), expected[f.name]
        if given is None or want is None:
            wrong = given is not want
        elif isinstance(want, int):
            wrong = given != want
        else:
            wrong = not close(given, want, FIGURE_TOLERANCE)
        if wrong:
            shown = round(want, 6) if isinstance(want, float) else want
            out.append(f"metrics.{f.name} is {given!r}, the pairs give {shown!r}")
    return out


def status(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Status, conflicts, bound and gap must agree with one another.

    Parameters
    ----------
    cohort, policy : the inputs (unused: the status rules are about the result alone).
    result : the result to check.

    Returns
    -------
    list of str
        An infeasible result has conflicts and no pairs; a feasible one no conflicts; an
        optimal one no gap; a bound is not below the objective and the gap matches it.
    """
    out = []
    if result.status is Status.INFEASIBLE:
        if not result.conflicts:
            out.append("status is infeasible but no conflict is given")
        if result.pairs:
            out.append(f"status is infeasible but {len(result.pairs)} pairs are given")
        return out
    if result.conflicts:
        out.append(f"status is {result.status.value} but conflicts are given")
    if result.status is Status.OPTIMAL and result.gap is not None and abs(result.gap) > TOLERANCE:
        out.append(f"status is optimal but the gap is {result.gap!r}")
    if result.bound is not None:
        if result.bound < result.objective - TOLERANCE * max(1, len(result.pairs)):
            out.append(f"bound {result.bound!r} is below the objective {result.objective!r}")
        if result.gap is not None:
            gap = (result.bound - result.objective) / max(1.0, abs(result.bound))
            if abs(result.gap - gap) > TOLERANCE:
                out.append(f"gap {result.gap!r} does not match bound and objective ({gap!r})")
    return out


def alternates(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Alternates must be real, unassigned, eligible pairs with their recomputed score.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check.

    Returns
    -------
    list of str
        Per alternate, in result order.
    """
    index = people(cohort)
    made = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    rules, scores = around(cohort, policy), scoring(cohort, policy)
    out = []
    for alt in result.alternates:
        name = f"alternate ({alt.mentee_id}, {alt.mentor_id})"
        if (alt.mentee_id, alt.mentor_id) in made:
            out.append(f"{name} is an assigned pair")
        if alt.mentee_id not in index.mentees or alt.mentor_id not in index.mentors:
            out.append(f"{name} does not name a mentee and a mentor of the cohort")
            continue
        mentee, mentor = index.mentees[alt.mentee_id][1], index.mentors[alt.mentor_id][1]
        for rule in broken_rules(mentee, mentor, policy, rules):
            out.append(f"{name} breaks the {rule} rule")
        expected = total(mentee, mentor, scores, components(mentee, mentor, scores))
        if not close(alt.score, expected):
            out.append(f"{name} has score {alt.score!r}, recomputed {round(expected, 6)!r}")
    return out
