"""Compare match results against a baseline: the figures and the people.

:func:`summarise` reduces one result to the figures a programme owner compares (matched
places, total/mean/min/percentile scores, mentor load spread, wanted-skill coverage);
:func:`compare` adds what happened to every mentee between a baseline and a variant:
kept, moved (from which mentors to which), newly matched, newly unmatched, still
unmatched, joined, left, and each mentee's score delta. Results are frozen dataclasses;
:func:`comparison_to_dict` gives JSON-ready dicts for the CLI and the HTTP layer.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import StrEnum

import numpy as np

from matcher.model import Cohort
from matcher.results import SCORE_DIGITS, MatchResult


class Change(StrEnum):
    """What happened to one mentee between the baseline and the variant."""

    KEPT = "kept"  # the same mentors
    MOVED = "moved"  # matched in both, to at least one different mentor
    LOST_MENTOR = "lost a mentor"  # fewer mentors, none of them new
    GAINED_MENTOR = "gained a mentor"  # more mentors, none lost
    NEWLY_MATCHED = "newly matched"  # no mentor before (or joined), at least one now
    NEWLY_UNMATCHED = "newly unmatched"  # a mentor before, none now
    STILL_UNMATCHED = "still unmatched"  # no mentor in either
    LEFT = "left"  # in the baseline cohort only


@dataclass(frozen=True)
class Summary:
    """The figures of one result. Scores are pair scores; loads count mentees per mentor.

    ``load_std`` is the population standard deviation of the loads of the mentors who
    take part (capacity > 0), ``load_min``/``load_max`` their extremes.
    """

    status: str
    solver: str
    mentees: int
    mentors: int
    wanted_places: int
    matched_places: int
    matched_mentees: int
    unmatched_mentees: int
    total_score: float
    mean_score: float | None
    min_score: float | None
    p10_score: float | None
    median_score: float | None
    p90_score: float | None
    mentors_used: int
    load_min: int
    load_max: int
    load_std: float | None
    skill_coverage: float | None
    certified: bool


@dataclass(frozen=True)
class MenteeChange:
    """One mentee's mentors and score in the baseline and in the variant.

    ``score_before``/``score_after`` are the sum of the mentee's pair scores (None when
    unmatched or absent); ``delta`` is their difference when both exist. ``reason`` is
    filled by a rematch (why a pair was not kept), empty otherwise.
    """

    mentee_id: str
    change: Change
    before: tuple[str, ...]
    after: tuple[str, ...]
    score_before: float | None
    score_after: float | None
    delta: float | None
    reason: str = ""


@dataclass(frozen=True)
class Comparison:
    """A variant against the baseline: both summaries, pair counts and every mentee.

    ``counts`` gives the number of mentees per :class:`Change` (all kinds, zeros
    included, in enum order); ``people`` lists every mentee of either cohort, baseline
    order first, then joiners in variant order.
    """

    name: str
    baseline: Summary
    variant: Summary
    pairs_kept: int
    pairs_new: int
    pairs_dropped: int
    counts: tuple[tuple[str, int], ...]
    people: tuple[MenteeChange, ...]

    def of(self, change: Change) -> tuple[MenteeChange, ...]:
        """The mentees with this kind of change, in ``people`` order."""
        return tuple(p for p in self.people if p.change is change)


def _r(value) -> float | None:
    return None if value is None else round(float(value), SCORE_DIGITS)


def summarise(cohort: Cohort, result: MatchResult) -> Summary:
    """The :class:`Summary` of ``result`` for ``cohort``.

    Parameters
    ----------
    cohort : the cohort that was matched (for the mentors' capacities).
    result : its result.

    Returns
    -------
    Summary
    """
    m = result.metrics
    load: dict[str, int] = {}
    for pair in result.pairs:
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    taking_part = [load.get(x.id, 0) for x in cohort.mentors if x.capacity > 0]
    loads = np.array(taking_part, dtype=np.float64)
    return Summary(
        status=result.status.value,
        solver=result.solver,
        mentees=len(cohort.mentees),
        mentors=len(cohort.mentors),
        wanted_places=m.wanted_places,
        matched_places=len(result.pairs),
        matched_mentees=len({p.mentee_id for p in result.pairs}),
        unmatched_mentees=len(result.unmatched),
        total_score=round(math.fsum(p.score for p in result.pairs), SCORE_DIGITS),
        mean_score=m.mean_score,
        min_score=m.min_score,
        p10_score=m.p10_score,
        median_score=m.median_score,
        p90_score=m.p90_score,
        mentors_used=len(load),
        load_min=int(loads.min()) if loads.size else 0,
        load_max=int(loads.max()) if loads.size else 0,
        load_std=_r(loads.std()) if loads.size else None,
        skill_coverage=m.skill_coverage,
        certified=result.certified,
    )


def _by_mentee(result: MatchResult) -> dict[str, tuple[list[str], float]]:
    out: dict[str, tuple[list[str], float]] = {}
    for pair in result.pairs:
        mentors, score = out.get(pair.mentee_id, ([], 0.0))
        out[pair.mentee_id] = ([*mentors, pair.mentor_id], score + pair.score)
    return out


def _kind(present_before: bool, present_after: bool, before, after) -> Change:
    if not present_after:
        return Change.LEFT
    if not before:
        return Change.NEWLY_MATCHED if after else Change.STILL_UNMATCHED
    if not after:
        return Change.NEWLY_UNMATCHED
    before, after = set(before), set(after)
    if before == after:
        return Change.KEPT
    if after < before:
        return Change.LOST_MENTOR
    return Change.GAINED_MENTOR if before < after else Change.MOVED


def compare(
    base_cohort: Cohort,
    base_result: MatchResult,
    cohort: Cohort,
    result: MatchResult,
    name: str = "",
    reasons: dict[str, str] | None = None,
) -> Comparison:
    """Compare ``result`` (a variant) against ``base_result`` (the baseline).

    Parameters
    ----------
    base_cohort, base_result : the baseline cohort and its result.
    cohort, result : the variant's cohort and its result.
    name : the variant's label.
    reasons : optional mentee id -> reason text, copied into :class:`MenteeChange`.

    Returns
    -------
    Comparison
    """
    reasons = reasons or {}
    before, after = _by_mentee(base_result), _by_mentee(result)
    in_base, in_variant = set(base_cohort.mentee_ids), set(cohort.mentee_ids)
    order = list(base_cohort.mentee_ids) + [i for i in cohort.mentee_ids if i not in in_base]
    people = []
    counts = dict.fromkeys(Change, 0)
    for e_id in order:
        b_mentors, b_score = before.get(e_id, ([], None))
        a_mentors, a_score = after.get(e_id, ([], None))
        kind = _kind(e_id in in_base, e_id in in_variant, b_mentors, a_mentors)
        counts[kind] += 1
        delta = None if b_score is None or a_score is None else a_score - b_score
        people.append(
            MenteeChange(
                mentee_id=e_id,
                change=kind,
                before=tuple(b_mentors),
                after=tuple(a_mentors),
                score_before=_r(b_score),
                score_after=_r(a_score),
                delta=_r(delta),
                reason=reasons.get(e_id, ""),
            )
        )
    old = {(p.mentee_id, p.mentor_id) for p in base_result.pairs}
    new = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    return Comparison(
        name=name,
        baseline=summarise(base_cohort, base_result),
        variant=summarise(cohort, result),
        pairs_kept=len(old & new),
        pairs_new=len(new - old),
        pairs_dropped=len(old - new),
        counts=tuple((k.value, n) for k, n in counts.items()),
        people=tuple(people),
    )


def summary_deltas(baseline: Summary, variant: Summary) -> dict[str, float | None]:
    """Variant minus baseline for every numeric figure (None where either is None)."""
    out: dict[str, float | None] = {}
    for f in fields(Summary):
        a, b = getattr(baseline, f.name), getattr(variant, f.name)
        if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str):
            continue
        out[f.name] = None if a is None or b is None else _r(b - a)
    return out


def summary_to_dict(summary: Summary) -> dict:
    """A :class:`Summary` as a JSON-ready dict."""
    return asdict(summary)


def comparison_to_dict(comparison: Comparison, people: bool = True) -> dict:
    """A :class:`Comparison` as JSON-ready data.

    Parameters
    ----------
    comparison : the comparison.
    people : include the per-mentee list (only those not kept with an unchanged score).

    Returns
    -------
    dict
        ``name``, ``baseline``, ``variant``, ``delta`` (variant minus baseline), ``pairs``
        (kept/new/dropped), ``counts`` and, with ``people``, ``people``.
    """
    out = {
        "name": comparison.name,
        "baseline": summary_to_dict(comparison.baseline),
        "variant": summary_to_dict(comparison.variant),
        "delta": summary_deltas(comparison.baseline, comparison.variant),
        "pairs": {
            "kept": comparison.pairs_kept,
            "new": comparison.pairs_new,
            "dropped": comparison.pairs_dropped,
        },
        "counts": dict(comparison.counts),
    }
    if people:
        out["people"] = [
            {
                **asdict(p),
                "change": p.change.value,
                "before": list(p.before),
                "after": list(p.after),
            }
            for p in comparison.people
            if p.change is not Change.KEPT or p.delta
        ]
    return out
