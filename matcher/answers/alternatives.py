"""Near-optimal alternatives: other matchings within a given distance of the optimum.

:func:`alternatives` finds up to ``k`` matchings with the optimum's number of places and
a total score of at least ``optimum - within * |optimum|``, each as different from the
optimum and the ones before it as a penalty search finds: pairs already used lose
``penalty`` of score per earlier matching that used them, the exact flow solves the
penalised problem (places still come first), and the largest penalty whose matching
stays within the distance is kept (bisection over the penalty). This is a Lagrangian
search: each alternative is the best trade of score for difference at its penalty, not
a proven most-different matching. Each alternative is a full MatchResult whose bound is
the certified optimum, so its gap says how far it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from matcher.answers.optimum import Baseline, baseline, pairs_array
from matcher.encode.instance import Solution
from matcher.model import Cohort, InputError, Policy, Problem
from matcher.result.assemble import assemble
from matcher.results import MatchResult, Status
from matcher.solvers.dispatch import run_solver
from matcher.solvers.integers import SCALE, to_int

BISECTION_STEPS = 6  # penalty halvings tried per alternative


@dataclass(frozen=True)
class Alternative:
    """One matching within the distance of the optimum.

    Attributes
    ----------
    result : the full result (real scores; ``bound`` the certified optimum).
    penalty : the score each earlier use of a pair cost in the search that found it.
    shared_with_optimum : pairs it has in common with the optimum.
    """

    result: MatchResult
    penalty: float
    shared_with_optimum: int


@dataclass(frozen=True)
class Alternatives:
    """The optimum and the alternatives found, with their pairwise overlap.

    Attributes
    ----------
    optimum : the certified optimum, as a full result.
    alternatives : up to ``k`` alternatives, in the order found.
    within : the distance asked for, a fraction of the optimum's total (0.01 is 1%).
    floor : the lowest total accepted.
    overlap : share of pairs in common, matchings in the order optimum, alternatives.
    notes : what the search could not do (fewer alternatives than asked).
    """

    optimum: MatchResult
    alternatives: tuple[Alternative, ...]
    within: float
    floor: float
    overlap: tuple[tuple[float, ...], ...]
    notes: tuple[str, ...] = ()


def parse_within(text: str | float) -> float | Problem:
    """A distance as a fraction: ``"1%"`` and ``0.01`` are both 0.01.

    Returns
    -------
    float or Problem
        The Problem says what was expected (a number >= 0, or a percentage).
    """
    value = str(text).strip()
    percent = value.endswith("%")
    try:
        number = float(value[:-1] if percent else value) / (100 if percent else 1)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        return Problem("expected a distance >= 0 such as 1% or 0.01", column="within", value=value)
    return number


def _overlap(a: frozenset, b: frozenset) -> float:
    return round(len(a & b) / max(1, len(a)), 4)


def alternatives(
    cohort: Cohort, policy: Policy, k: int = 3, within: str | float = "1%"
) -> Alternatives:
    """Up to ``k`` matchings within ``within`` of the optimum, as different as found.

    Parameters
    ----------
    cohort, policy : the inputs (the total objective).
    k : how many alternatives (at least 1).
    within : the distance: a fraction (0.01) or a percentage ("1%"), at least 0.

    Returns
    -------
    Alternatives
        Each alternative has the optimum's places, a total between ``floor`` and the
        optimum, and differs from the optimum and from every other alternative.

    Raises
    ------
    InputError
        If ``k`` < 1 or ``within`` is negative or not a number (both said at once), or
        the objective is not the total score.
    InfeasibleError
        If the hard rules conflict.
    """
    problems = []
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        problems.append(Problem("expected a whole number >= 1", column="k", value=str(k)))
    distance = parse_within(within)
    if isinstance(distance, Problem):
        problems.append(distance)
    if problems:
        raise InputError(
            problems, title="mentormatch cannot search alternatives with these options"
        )
    base = baseline(cohort, policy, "alternatives")
    return search(base, k, distance)


def search(base: Baseline, k: int, within: float) -> Alternatives:
    """The penalty search of :func:`alternatives` on a computed baseline."""
    prepared, instance = base.prepared, base.instance
    best = base.optimum.score
    floor = best - within * abs(best)
    optimum = assemble(prepared, base.solution, "flow")
    found: list[frozenset] = [frozenset(base.solution.pairs)]
    uses: dict[tuple[int, int], int] = dict.fromkeys(base.solution.pairs, 1)
    rows, cols = pairs_array(base.solution.pairs)
    spread = float(np.ptp(instance.scores[rows, cols])) if rows.size else 0.0
    top = max(spread, float(np.abs(instance.scores[rows, cols]).max(initial=0.0)), 1e-3)
    out: list[Alternative] = []
    notes = []
    for _ in range(k):
        chosen = _best_penalty(base, uses, found, floor, top)
        if chosen is None:
            notes.append(
                f"{len(out)} alternative(s) found: no other matching with "
                f"{base.optimum.places} places and a total of at least {floor:.4f} turned up"
            )
            break
        penalty, solution = chosen
        pairs = frozenset(solution.pairs)
        found.append(pairs)
        for pair in pairs:
            uses[pair] = uses.get(pair, 0) + 1
        out.append(_alternative(base, solution, penalty, len(out) + 1, within, found[0]))
    overlap = tuple(tuple(_overlap(a, b) for b in found) for a in found)
    return Alternatives(optimum, tuple(out), within, round(floor, 6), overlap, tuple(notes))


def _penalised(base: Baseline, rows, cols, counts, penalty: float) -> Solution:
    """The exact optimum once each earlier use of a pair costs ``penalty`` of score."""
    instance = base.instance
    scores = instance.scores.copy()
    scores[rows, cols] -= penalty * counts
    changed = replace(instance, scores=scores)
    return run_solver("flow", changed, base.prepared.policy, start=base.solution.graph)


def _best_penalty(base, uses, found, floor, top):
    """The largest penalty (top, then bisection) whose matching is new and within reach.

    When no halving of ``top`` gives one, the smallest penalty the integer scores hold
    (one millionth) is tried last: it picks, among matchings as good as the optimum,
    the one that repeats the fewest pairs.
    """
    instance, places = base.instance, base.optimum.places
    keys = sorted(uses)
    rows, cols = pairs_array(keys)
    counts = np.array([uses[p] for p in keys], np.float64)
    slack = 1e-6 * max(1, places)  # scores are compared after rounding to 6 decimals
    lo, hi, best = 0.0, top, None
    penalties = [top] + [None] * BISECTION_STEPS + [1 / SCALE]
    for step, penalty in enumerate(penalties):
        if penalty is None:
            penalty = (lo + hi) / 2
        elif step and best is not None:
            break  # the last resort is only for when nothing was found
        solution = _penalised(base, rows, cols, counts, penalty)
        pairs = frozenset(solution.pairs)
        total = math.fsum(float(instance.scores[i, j]) for i, j in pairs)
        within = len(pairs) == places and total >= floor - slack
        if within and pairs not in found:
            best, lo = (penalty, solution), penalty
            if penalty == top:
                break
        elif within:
            lo = penalty  # nothing new yet: a larger penalty is needed
        else:
            hi = penalty
    return best


def _int_total(instance, pairs) -> int:
    rows, cols = pairs_array(pairs)
    return int(to_int(instance.scores[rows, cols]).sum())


def _alternative(base, solution, penalty, number, within, optimum_pairs) -> Alternative:
    bound = base.optimum.score
    # As good as the optimum exactly when the integer totals the solver compares are equal.
    equal = _int_total(base.instance, solution.pairs) >= _int_total(
        base.instance, base.solution.pairs
    )
    found = Solution(
        pairs=solution.pairs,
        status=Status.OPTIMAL if equal else Status.FEASIBLE,
        bound=bound,
        certified=equal and base.solution.certified,
        notes=(
            f"alternative {number}: within {within:.2%} of the certified optimum {bound:.4f} "
            f"with as many places; pairs already used cost {penalty:.4g} each",
        ),
    )
    result = assemble(base.prepared, found, "flow")
    return Alternative(result, round(penalty, 6), len(optimum_pairs & frozenset(solution.pairs)))


def alternatives_to_dict(answer: Alternatives) -> dict:
    """:class:`Alternatives` as JSON-ready data (figures, not the pairs).

    Returns
    -------
    dict
        ``within``, ``floor``, ``optimum`` (places, total), ``alternatives`` (places,
        total, gap, penalty, shared_with_optimum, status), ``overlap`` and ``notes``.
    """

    def figures(result: MatchResult) -> dict:
        return {
            "places": result.metrics.matched_places,
            "total": result.objective,
            "gap": result.gap,
            "status": result.status.value,
        }

    return {
        "within": answer.within,
        "floor": answer.floor,
        "optimum": figures(answer.optimum),
        "alternatives": [
            {
                **figures(a.result),
                "penalty": a.penalty,
                "shared_with_optimum": a.shared_with_optimum,
            }
            for a in answer.alternatives
        ],
        "overlap": [list(row) for row in answer.overlap],
        "notes": list(answer.notes),
    }
