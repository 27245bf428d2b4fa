"""Which solver runs, and how a CP-SAT result is judged against the exact flow optimum.

Used by :func:`matcher.solve.solve`; the solvers themselves know nothing of each other.
The flow is exact with or without side rules (minimum loads and department caps go to
:mod:`matcher.solvers.bounded_flow`); CP-SAT runs only when a policy asks for it, warm
started from that optimum and judged against it.
"""

from __future__ import annotations

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.encode.lazy_scores import LazyScores
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.integers import to_float, to_int
from matcher.solvers.side_rules import has_side_rules

# CP-SAT models every eligible pair up to this many (a 40-person cohort has ~300);
# beyond it the model stays sparse: dense CP-SAT at 2k x 500 was 43% short after 60 s.
CPSAT_ALL_PAIRS_LIMIT = 5_000


def run_solver(
    name: str,
    instance: Instance,
    policy: Policy,
    *,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """Run the named solver ("flow", "fair", "stable" or "cpsat") on an instance.

    ``start`` warm-starts the exact flow (flow and cpsat) from a neighbouring solve's
    candidate graph (:attr:`Solution.graph`); the other solvers ignore it.

    Scores computed on demand are materialised (once) for "stable" and "fair", which
    read them many times over; the flow reads them once (:mod:`matcher.solvers.sweep`).

    cpsat is warm-started from the certified flow optimum (side rules included); a cpsat
    result it cannot certify itself is judged against that optimum, so a sparse model can
    still be certified (see _bound_by_flow). Any name but "stable", "fair" or "flow" runs
    cpsat.
    """
    if name in ("stable", "fair") and isinstance(instance.scores, LazyScores):
        instance.scores.materialise()  # they read every score many times: keep the matrix
    if name == "stable" and has_side_rules(instance):
        from matcher.solvers.stable_loads import solve_stable_loads

        return solve_stable_loads(instance, policy)
    if name == "stable":
        from matcher.solvers.stable import solve_stable

        return solve_stable(instance, policy)
    if name == "fair":
        from matcher.solvers.fair import solve_fair

        return solve_fair(instance, policy)
    flow = _exact_flow(instance, policy, start)
    if name == "flow":
        return flow
    if flow.status is Status.INFEASIBLE:
        return flow  # the exact flow proved the side rules conflict: CP-SAT cannot do better
    from matcher.solvers.cpsat import solve_cpsat

    # The flow's optimum is a warm start for CP-SAT and its bound. Small cohorts get every
    # eligible pair so the optimum is certified, not only for candidates.
    small = int(instance.eligible.sum()) <= CPSAT_ALL_PAIRS_LIMIT
    result = solve_cpsat(instance, policy, hint=flow, all_pairs=True if small else None)
    status, bound, certified, notes = result.status, result.bound, result.certified, ()
    if result.status is not Status.INFEASIBLE and not certified:
        status, bound, certified, notes = _bound_by_flow(instance, flow, result)
    return Solution(
        pairs=result.pairs,
        status=status,
        bound=bound,
        certified=certified,
        conflicts=result.conflicts,
        notes=tuple(f"flow hint: {n}" for n in flow.notes) + result.notes + notes,
        timings=(("flow hint", sum(t for _, t in flow.timings)), *result.timings),
    )


def _exact_flow(instance: Instance, policy: Policy, start=None) -> Solution:
    """The certified flow optimum: the bounded network when there are side rules, the
    listed pairs alone with ``scores_only``."""
    if has_side_rules(instance):
        from matcher.solvers.bounded_flow import solve_bounded

        return solve_bounded(instance, policy, start=start)
    if instance.listed is not None:  # scores_only: only listed pairs can be open
        from matcher.solvers.listed_flow import solve_listed_total

        return solve_listed_total(instance, policy)
    from matcher.solvers.flow import solve_total

    return solve_total(instance, policy, start=start)


def _bound_by_flow(instance: Instance, flow: Solution, sparse: Solution):
    """Status, bound, certified and a note for a sparse CP-SAT result, judged on all pairs.

    The certified flow optimum honours the same rules, so it is the optimum: when CP-SAT
    matched as many places with an equal total, the sparse result is optimal against
    every eligible pair; otherwise the flow's total is the bound.
    """
    if not flow.certified or len(sparse.pairs) != len(flow.pairs):
        note = "optimality holds for the candidate pairs only; no bound over all pairs"
        return Status.FEASIBLE, None, False, (note,)
    ours = int(to_int(_scores_of(instance, sparse.pairs)).sum())
    best = int(to_int(_scores_of(instance, flow.pairs)).sum())
    if ours >= best:
        note = "certified: equal to the exact all-pairs flow optimum"
        return Status.OPTIMAL, to_float(ours), True, (note,)
    note = "bound over all pairs: the exact flow optimum"
    return Status.FEASIBLE, to_float(best), False, (note,)


def _scores_of(instance: Instance, pairs) -> np.ndarray:
    if not pairs:
        return np.zeros(0)
    rows, cols = np.asarray(pairs).T
    return instance.scores[rows, cols]
