"""The last stage of the pipeline: a solver's pairs as a complete, explained MatchResult.

:func:`assemble` turns a feasible solution into pairs with score breakdowns and
explanations, unmatched mentees with reasons, alternates, metrics, objective, bound and
gap; :func:`infeasible_result` is the one shape of "the hard rules conflict". Assembly is
vectorised so that 10,000 x 2,000 costs well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from matcher.encode.instance import Solution
from matcher.encode.prepare import Prepared
from matcher.encode.scoring import pair_components
from matcher.io.fields import no_gc
from matcher.model import Cohort
from matcher.result.alternates import alternates, best_outside, ranked_outside
from matcher.result.explain import loads, pair_arrays, unmatched_reasons_many
from matcher.result.metrics import compute_metrics
from matcher.result.pair_text import explain_pairs
from matcher.results import SCORE_DIGITS, MatchResult, Metrics, Pair, Status, Unmatched


def infeasible_result(
    cohort: Cohort,
    solver: str,
    conflicts: Sequence[str],
    notes: Sequence[str] = (),
    timings: Sequence[tuple[str, float]] = (),
) -> MatchResult:
    """The result when the hard rules conflict: no pairs, every wanted place unmatched.

    Parameters
    ----------
    cohort : the cohort.
    solver : the solver's name.
    conflicts : which rules conflict, in words (also each unmatched mentee's reasons).
    notes, timings : what the stages so far report.

    Returns
    -------
    MatchResult
        Status INFEASIBLE.
    """
    unmatched = tuple(
        Unmatched(e.id, e.capacity, tuple(conflicts)) for e in cohort.mentees if e.capacity > 0
    )
    metrics = Metrics(
        mentees=len(cohort.mentees),
        mentors=len(cohort.mentors),
        wanted_places=sum(e.capacity for e in cohort.mentees),
    )
    return MatchResult(
        solver=solver,
        status=Status.INFEASIBLE,
        unmatched=unmatched,
        metrics=metrics,
        conflicts=tuple(conflicts),
        notes=tuple(notes),
        timings=tuple(timings),
    )


def assemble(prepared: Prepared, solution: Solution, name: str) -> MatchResult:
    """The MatchResult of a feasible ``solution`` (see :func:`matcher.solve.solve`).

    Parameters
    ----------
    prepared : the prepared cohort and policy the solution was solved from.
    solution : a solver's OPTIMAL or FEASIBLE solution.
    name : the solver's name.

    Returns
    -------
    MatchResult
        Without timings (the caller adds its stages').
    """
    # Tens of thousands of pairs, texts and alternates, none of them cyclic: with a large
    # cohort in memory, the collector's full passes cost more than the work itself.
    with no_gc():
        return _assemble(prepared, solution, name)


def _assemble(prepared: Prepared, solution: Solution, name: str) -> MatchResult:
    cohort, policy, instance = prepared.cohort, prepared.policy, prepared.instance
    pairs = sorted({(int(i), int(j)) for i, j in solution.pairs})
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([j for _, j in pairs], dtype=np.int64)
    raw = instance.scores[rows, cols]
    got, _ = loads(instance, pairs)
    short = np.flatnonzero(got < instance.wanted).tolist()
    ranked = ranked_outside(instance, pairs)
    out_pairs = _pairs(prepared, pairs, raw)
    reasons = unmatched_reasons_many(prepared, pairs, short, best=best_outside(ranked))
    missing = (np.asarray(instance.wanted) - got).tolist()
    unmatched = tuple(Unmatched(instance.mentee_ids[i], missing[i], reasons[i]) for i in short)
    objective = round(math.fsum(raw.tolist()), SCORE_DIGITS)
    bound, gap = solution.bound, None
    if bound is not None:
        # Bound and objective are sums of differently rounded scores: snap float noise.
        bound = max(round(float(bound), SCORE_DIGITS), objective)
        gap = round((bound - objective) / max(1.0, abs(bound)), 9)
        if gap < 1e-6 * max(1, len(pairs)) / max(1.0, abs(bound)):
            bound, gap = objective, 0.0
    return MatchResult(
        solver=name,
        status=solution.status,
        pairs=out_pairs,
        unmatched=unmatched,
        alternates=alternates(instance, pairs, policy.objective.value, ranked=ranked),
        metrics=compute_metrics(instance, pairs, raw, cohort, prepared.normalise),
        objective=objective,
        bound=bound,
        gap=gap,
        certified=solution.certified,
        notes=solution.notes,
    )


def _pairs(prepared: Prepared, pairs: list[tuple[int, int]], raw: np.ndarray) -> tuple[Pair, ...]:
    """The :class:`Pair` of each (mentee, mentor) of ``pairs``, whose scores are ``raw``."""
    instance = prepared.instance
    rows, cols = pair_arrays(pairs)
    components = pair_components(prepared.tables, rows, cols)
    parts = {c: np.round(v, SCORE_DIGITS) for c, v in components.items()}
    pinned = set(instance.pinned)
    is_pinned = [pair in pinned for pair in pairs]
    texts = explain_pairs(prepared, rows, cols, parts, is_pinned)
    named = [[(c, x) for x in v.tolist()] for c, v in parts.items()]
    by_pair = list(zip(*named, strict=True)) if named else [()] * len(pairs)
    return tuple(
        map(
            Pair,
            [instance.mentee_ids[i] for i in rows.tolist()],
            [instance.mentor_ids[j] for j in cols.tolist()],
            np.round(raw, SCORE_DIGITS).tolist(),
            by_pair,
            is_pinned,
            texts,
        )
    )
