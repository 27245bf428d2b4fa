"""Lexicographic max-min matching: most places, then the best worst score, then the total.

1. :func:`matcher.solvers.flow.solve_total` gives the maximum number ``M`` of places the
   open (non-pinned) pairs can fill, and a first feasible threshold: its worst score.
2. Binary search over the distinct open scores for the largest threshold ``t`` such that
   the pairs scoring at least ``t`` still fill ``M`` places (a max flow, OR-Tools
   ``SimpleMaxFlow``). Large pools run the max flow on the candidate graph; when it falls
   short, its min cut is checked against every open pair: if no pair crosses the cut the
   shortfall is proven, otherwise the crossing pairs are added and the flow runs again.
3. ``solve_total`` on the instance restricted to pairs scoring at least ``t`` (pinned
   pairs stay) maximises the total among the max-min solutions.

With minimum loads or a per-department cap the same search runs over the bounded flow
(:func:`matcher.solvers.bounded_flow.solve_bounded`): a threshold is feasible when the
restricted instance still meets the bounds with ``M`` places; each probe is one exact,
certified solve.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from ortools.graph.python import max_flow

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.bounded_flow import solve_bounded
from matcher.solvers.candidates import Pool, flow_candidates, in_set_block, make_pool, top_per_row
from matcher.solvers.flow import (
    ADD_PER_ROW,
    DENSE_LIMIT,
    K_EXTRA,
    L_EXTRA,
    all_open_pairs,
    solve_total,
)
from matcher.solvers.side_rules import has_side_rules
from matcher.sorted_ints import union_sorted, unique_sorted

MAX_CUT_ROUNDS = 50  # candidate-graph max flows per threshold before using every pair


def _max_flow(pool: Pool, rows: np.ndarray, cols: np.ndarray) -> tuple[int, np.ndarray]:
    """Max places the pair arcs fill, and the source side of a minimum cut (node ids)."""
    n_e, n_m = pool.instance.shape
    sink = n_e + n_m + 1
    mentees = np.flatnonzero(pool.want_left > 0)
    mentors = np.flatnonzero(pool.cap_left > 0)
    tails = np.concatenate([rows + 1, np.zeros(mentees.size, np.int64), mentors + n_e + 1])
    heads = np.concatenate([cols + n_e + 1, mentees + 1, np.full(mentors.size, sink)])
    caps = np.concatenate(
        [np.ones(rows.size, np.int64), pool.want_left[mentees], pool.cap_left[mentors]]
    )
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps)
    solver.add_arc_with_capacity(0, sink, 0)  # every node exists even without arcs
    status = solver.solve(0, sink)
    if status != max_flow.SimpleMaxFlow.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status.name}")
    return int(solver.optimal_flow()), np.asarray(solver.get_source_side_min_cut(), np.int64)


class _Feasibility:
    """Answers "can pairs scoring at least t fill ``target`` places?" exactly."""

    def __init__(self, pool: Pool, target: int, dense_limit: int, n_open: int, seed_pairs):
        self.pool, self.target = pool, target
        self.dense = n_open <= dense_limit
        inst = pool.instance
        if self.dense:
            rows, cols = all_open_pairs(pool)
        else:
            k = K_EXTRA + int(np.max(inst.wanted, initial=0))
            rows, cols = flow_candidates(pool, k, L_EXTRA)
            rows = np.concatenate([rows, seed_pairs[0]])
            cols = np.concatenate([cols, seed_pairs[1]])
        linear = unique_sorted(rows * inst.shape[1] + cols)
        self.linear = linear
        self.scores = inst.scores[linear // inst.shape[1], linear % inst.shape[1]]
        self.probes = 0

    def __call__(self, t: float) -> bool:
        n_m = self.pool.instance.shape[1]
        for _ in range(MAX_CUT_ROUNDS):
            self.probes += 1
            keep = self.linear[self.scores >= t]
            flow, source_side = _max_flow(self.pool, keep // n_m, keep % n_m)
            if flow >= self.target:
                return True
            if self.dense:
                return False
            extra = self._crossing(t, keep, source_side)
            if extra.size == 0:
                return False
            self._add(extra)
        self._add(self._everything(t))
        return self(t)

    def _crossing(self, t: float, keep: np.ndarray, source_side: np.ndarray) -> np.ndarray:
        """Open pairs scoring >= t from source-side mentees to sink-side mentors, not arcs."""
        pool, inst = self.pool, self.pool.instance
        n_e, n_m = inst.shape
        in_source = np.zeros(n_e + n_m + 2, bool)
        in_source[source_side] = True
        rows_a, cols_b = in_source[1 : n_e + 1], ~in_source[n_e + 1 : n_e + n_m + 1]
        found = []
        for r0, r1 in pool.row_blocks():
            if not rows_a[r0:r1].any():
                continue
            block = pool.mask(r0, r1) & rows_a[r0:r1, None] & cols_b[None, :]
            block &= np.where(block, inst.scores[r0:r1], -np.inf) >= t
            block &= ~in_set_block(keep, n_m, r0, r1)
            chosen = top_per_row(inst.scores[r0:r1], block, ADD_PER_ROW)
            i, j = np.nonzero(chosen)
            found.append((i + r0) * n_m + j)
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def _everything(self, t: float) -> np.ndarray:
        rows, cols = all_open_pairs(self.pool)
        linear = rows * self.pool.instance.shape[1] + cols
        return linear[self.pool.instance.scores[rows, cols] >= t]

    def _add(self, extra: np.ndarray) -> None:
        n_m = self.pool.instance.shape[1]
        self.linear = union_sorted(self.linear, extra)
        self.scores = self.pool.instance.scores[self.linear // n_m, self.linear % n_m]


def _thresholds(pool: Pool, lowest: float) -> np.ndarray:
    """Sorted distinct scores of open pairs that are at least ``lowest``."""
    found = []
    for r0, r1 in pool.row_blocks():
        values = pool.instance.scores[r0:r1][pool.mask(r0, r1)]
        found.append(np.unique(values[values >= lowest]))
    return np.unique(np.concatenate(found))


def restrict(instance: Instance, threshold: float) -> Instance:
    """Drop the pairs that score below a threshold.

    Parameters
    ----------
    instance : the instance.
    threshold : the lowest score a non-pinned pair may have.

    Returns
    -------
    Instance
        A copy whose ``eligible`` is False for every non-pinned pair scoring below
        ``threshold``; pinned pairs keep their eligibility.
    """
    eligible = np.zeros(instance.shape, bool)
    step = max(1, 2_000_000 // max(1, instance.shape[1]))
    for r0 in range(0, instance.shape[0], step):
        elig = instance.eligible[r0 : r0 + step]
        eligible[r0 : r0 + step] = elig & (
            np.where(elig, instance.scores[r0 : r0 + step], -np.inf) >= threshold
        )
    for i, j in instance.pinned:
        eligible[i, j] = instance.eligible[i, j]
    return dataclasses.replace(instance, eligible=eligible)


def solve_fair(
    instance: Instance, policy: Policy | None = None, *, dense_limit: int = DENSE_LIMIT
) -> Solution:
    """Most matched places, then the highest worst score of a non-pinned pair, then the total.

    Parameters
    ----------
    instance : the problem by index.
    policy : the policy (accepted for a uniform API; nothing in it changes the result).
    dense_limit : pools with at most this many open pairs use every pair directly.

    Returns
    -------
    Solution
        OPTIMAL and certified for the lexicographic objective; ``bound`` is the total
        score of the result. FEASIBLE (with a note) only when the total-score solve
        could not be certified.

    Raises
    ------
    InfeasibleError
        If a pinned pair is ineligible or overfills a capacity.
    RuntimeError
        If OR-Tools fails.
    """
    if has_side_rules(instance):
        return _fair_bounded(instance, policy, dense_limit)
    clock = time.perf_counter()
    base = solve_total(instance, policy, dense_limit=dense_limit)
    timings = [("total", time.perf_counter() - clock)]
    if not base.certified:
        notes = (*base.notes, "fair: the place count is not proven, so fairness is not either")
        return dataclasses.replace(base, status=Status.FEASIBLE, notes=notes)
    pinned = set(instance.pinned)
    free = [p for p in base.pairs if p not in pinned]
    if not free:
        notes = (*base.notes, "fair: no open pair can be matched; the result is the pinned pairs")
        return dataclasses.replace(base, timings=tuple(timings) + base.timings, notes=notes)

    clock = time.perf_counter()
    pool = make_pool(instance)
    rows, cols = np.array(free, np.int64).T
    n_open = sum(int(pool.mask(r0, r1).sum()) for r0, r1 in pool.row_blocks())
    feasible = _Feasibility(pool, len(free), dense_limit, n_open, (rows, cols))
    values = _thresholds(pool, float(instance.scores[rows, cols].min()))
    lo, hi = 0, values.size - 1  # values[lo] is feasible (the total-score solution)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(float(values[mid])):
            lo = mid
        else:
            hi = mid - 1
    threshold = float(values[lo])
    timings.append(("threshold", time.perf_counter() - clock))

    result = solve_total(restrict(instance, threshold), policy, dense_limit=dense_limit)
    matched = sum(1 for p in result.pairs if p not in pinned)
    if matched != len(free) or not result.certified:
        raise RuntimeError("fair: the restricted solve lost places; this is a bug")
    notes = (
        f"fair: worst matched score {threshold:.6g} (searched {values.size} distinct scores "
        f"with {feasible.probes} max flows)",
        f"fair: the best total without the fairness rule is {base.bound:.6g}",
        *result.notes,
    )
    return dataclasses.replace(
        result, status=Status.OPTIMAL, notes=notes, timings=tuple(timings) + result.timings
    )


def _fair_bounded(instance: Instance, policy: Policy | None, dense_limit: int) -> Solution:
    """:func:`solve_fair` under minimum loads and department caps (bounded-flow probes)."""
    clock = time.perf_counter()
    base = solve_bounded(instance, policy, dense_limit=dense_limit)
    if base.status is Status.INFEASIBLE or not base.certified:
        return base
    pinned = set(instance.pinned)
    free = [p for p in base.pairs if p not in pinned]
    if not free:
        return base
    rows, cols = np.array(free, np.int64).T
    values = _thresholds(make_pool(instance), float(instance.scores[rows, cols].min()))
    best, probes = base, 0
    lo, hi = 0, values.size - 1  # values[lo] is feasible (the total-score solution)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        probes += 1
        found = solve_bounded(
            restrict(instance, float(values[mid])), policy, dense_limit=dense_limit
        )
        places = sum(1 for p in found.pairs if p not in pinned)
        if found.certified and places == len(free):
            lo, best = mid, found
        else:
            hi = mid - 1
    if best is base and lo > 0:
        raise RuntimeError("fair: the threshold search lost its solution; this is a bug")
    threshold = float(values[lo])
    notes = (
        f"fair: worst matched score {threshold:.6g} (searched {values.size} distinct scores "
        f"with {probes} exact bounded-flow solves)",
        f"fair: the best total without the fairness rule is {base.bound:.6g}",
        *best.notes,
    )
    timings = (("fair search", time.perf_counter() - clock),)
    return dataclasses.replace(best, status=Status.OPTIMAL, notes=notes, timings=timings)
