"""Most places, then most kept pairs, then the highest score: exactly, in two phases.

A single solve with a bonus ``B`` on each kept pair's score (``B`` above any exchange's
score change) is exact, but the flow's per-place bonus is then of the order of
``places * B`` and the objective of ``places**2 * B``, which leaves 64-bit integers
above about 10,000 places. Here instead:

1. **Phase 1**, kept pairs as the only score (1 for a keepable pair, 0 otherwise): the
   ordinary exact solver returns the most places and, among those, ``K``, the most kept
   pairs. Its integers are small (``places * places * SCALE`` at most).
2. **Phase 2**, the real scores plus a bonus ``W`` per keepable pair, starting at
   ``W = 2 * (score range) + 1`` (an exchange of one kept pair for a short path rarely
   gains more). If the optimum keeps ``K`` pairs, it is the answer: among assignments
   with the most places it maximises ``score + W * kept``, so among those keeping ``K``
   (no assignment with the most places keeps more) it maximises the score. Otherwise
   ``W`` is too small and grows fourfold, up to the bound ``k * (range + 2) + 1`` that
   dominates every exchange (:func:`matcher.whatif.rematch.kept_bonus`), where the
   optimum keeps ``K`` by construction.

The integers stay as small as the instance needs; an :class:`OverflowError` (only when the
needed ``W`` itself is huge) is left to the caller to explain.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.dispatch import run_solver
from matcher.solvers.integers import SCALE, to_int

GROWTH = 4  # phase 2's bonus grows this many times when it was too small


def _kept(solution: Solution, keep: set[tuple[int, int]]) -> int:
    return sum(pair in keep for pair in solution.pairs)


def score_range(instance: Instance) -> int:
    """The scaled spread ``hi - lo`` of the open pairs' scores (0 included in both)."""
    open_e, open_m = instance.wanted > 0, instance.capacity > 0
    hi = lo = 0
    for start in range(0, instance.shape[0], 1024):  # blocks: no full-size temporaries
        block = instance.eligible[start : start + 1024] & open_m[None, :]
        block &= open_e[start : start + 1024, None]
        if block.any():
            values = to_int(instance.scores[start : start + 1024][block])
            hi, lo = max(hi, int(values.max())), min(lo, int(values.min()))
    return hi - lo


def solve_kept_first(
    instance: Instance,
    policy: Policy,
    name: str,
    rows: np.ndarray,
    cols: np.ndarray,
    limit: int,
    start: int | None = None,
) -> tuple[Solution, tuple[str, ...]]:
    """The lexicographic optimum (places, kept pairs, score) by the two phases above.

    Parameters
    ----------
    instance : the problem with the real scores.
    policy : its policy.
    name : the solver (from :func:`matcher.solve.solver_name`).
    rows, cols : the keepable pairs, by index (no repeats).
    limit : the scaled bonus that dominates every exchange (phase 2 never exceeds it).
    start : phase 2's first scaled bonus (default ``2 * score_range + 1``).

    Returns
    -------
    tuple (Solution, notes)
        The phase-2 solution (its pairs; real scores are the caller's to report) and a
        note on the phases run.

    Raises
    ------
    InfeasibleError
        If the hard rules conflict (from the solver).
    OverflowError
        If phase 1, or phase 2 with the bonus it needs, does not fit 64-bit integers.
    """
    keep = set(zip(rows.tolist(), cols.tolist(), strict=True))
    indicator = np.zeros(instance.shape)
    indicator[rows, cols] = 1.0
    first = run_solver(name, replace(instance, scores=indicator), policy)
    del indicator
    most_kept = _kept(first, keep)
    timings = [("phase 1", sum(t for _, t in first.timings))]
    retries = 0.0
    bonus = min(limit, 2 * score_range(instance) + 1 if start is None else start)
    tries = 0
    while True:
        tries += 1
        scores = instance.scores.copy()
        scores[rows, cols] += bonus / SCALE
        second = run_solver(name, replace(instance, scores=scores), policy)
        del scores
        exact = first.status is Status.OPTIMAL and second.status is Status.OPTIMAL
        if _kept(second, keep) >= most_kept or bonus >= limit or not exact:
            break
        bonus = min(limit, bonus * GROWTH)
        retries += sum(t for _, t in second.timings)
    timings += [*second.timings, *([("phase 2 retries", retries)] if tries > 1 else [])]
    note = (
        f"kept pairs first: phase 1 found at most {most_kept} keepable pairs kept; "
        f"phase 2 kept {_kept(second, keep)} with a bonus of {bonus / SCALE:g} per kept pair "
        f"({tries} solve{'s' if tries > 1 else ''})"
    )
    return replace(second, timings=tuple(timings)), (note,)
