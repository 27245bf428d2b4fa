"""Exact matching under mentor minimum loads and per-department caps, as a min-cost flow.

The network of :mod:`matcher.solvers.flow` with two more kinds of bound:

* a **minimum load** is a lower bound on the arc mentor -> sink. As a circulation with
  lower bounds, the arc keeps ``cap_left - min_left`` and the mentor must pass on
  ``min_left`` units (supply ``-min_left``) that the sink receives;
* a **per-department cap** puts a sub-node ``(mentor, department)`` between that
  department's mentees and the mentor, whose arc to the mentor holds ``max_per_group``
  less the department's pinned mentees. Mentees without a department go straight to the
  mentor.

Arc costs are the plain flow's (``-(bonus + score)`` per pair), so matched places come
first, then the total score, among the assignments that meet the bounds. Large pools
start from the one candidate graph; the optimum is certified against every open pair by
node potentials of the residual graph (a Bellman-Ford sweep over node layers). A pair
outside the graph ends at its sub-node when that exists and otherwise at the mentor (a
new sub-node without flow can take the mentor's potential), so one reduced-cost screen
(:func:`matcher.solvers.certify.violations`) covers both. Bounds that no assignment can
meet are said in words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers.candidates import Pool, flow_candidates, make_pool, open_subset
from matcher.solvers.certify import violations
from matcher.solvers.flow import (
    ADD_PER_ROW,
    DENSE_LIMIT,
    FALLBACK_LIMIT,
    K_EXTRA,
    L_EXTRA,
    MAX_ROUNDS,
    UNPROVEN_TRIAL,
    all_open_pairs,
    finished,
    opening,
    trial_bonus,
)
from matcher.solvers.integers import to_int
from matcher.solvers.side_rules import simple_conflicts
from matcher.sorted_ints import union_sorted, unique_sorted

MAX_SWEEPS = 10_000
SOURCE, MENTEE, SUB, MENTOR, SINK = range(5)  # node layers, in sweep order


@dataclass(frozen=True, eq=False)
class Bounds:
    """The side rules left once pinned pairs are placed.

    Attributes
    ----------
    min_left : int64 (n_mentors,); mentees each mentor still must take.
    codes : int64 (n_mentees,); department code, -1 for none (all -1 without a cap).
    n_codes : the number of department codes.
    group_left : int64 (n_mentors, n_codes); places left per mentor and department.
    """

    min_left: np.ndarray
    codes: np.ndarray
    n_codes: int
    group_left: np.ndarray


def bounds_of(pool: Pool) -> Bounds:
    """The minimum loads and department places ``pool`` leaves after its pinned pairs."""
    inst = pool.instance
    n_e, n_m = inst.shape
    pinned_load = np.bincount(pool.pinned_cols, minlength=n_m)
    min_left = np.maximum(np.asarray(inst.min_load, np.int64) - pinned_load, 0)
    if inst.mentee_group is None or inst.max_per_group is None:
        return Bounds(min_left, np.full(n_e, -1, np.int64), 0, np.zeros((n_m, 0), np.int64))
    codes = np.asarray(inst.mentee_group, np.int64)
    n_codes = int(codes.max(initial=-1)) + 1
    group_left = np.full((n_m, n_codes), int(inst.max_per_group), np.int64)
    pinned_codes = codes[pool.pinned_rows]
    grouped = pinned_codes >= 0
    np.subtract.at(group_left, (pool.pinned_cols[grouped], pinned_codes[grouped]), 1)
    return Bounds(min_left, codes, n_codes, np.maximum(group_left, 0))


@dataclass(frozen=True, eq=False)
class Network:
    """A solved network: arcs by index, their flows, node layers and sub-node keys.

    Nodes: source 0, mentees ``1..n_e``, mentors ``n_e+1..n_e+n_m``, sink ``n_e+n_m+1``,
    then one sub-node per key ``mentor * n_codes + code`` in ``sub_keys`` (sorted). The
    first ``rows.size`` arcs are the pair arcs.
    """

    rows: np.ndarray
    cols: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    flows: np.ndarray
    layer: np.ndarray
    sub_keys: np.ndarray


@dataclass(frozen=True)
class Arcs:
    """The bounded network's arcs on the pair arcs ``rows, cols``, before any flow: pair
    arcs first, then mentor x department sub-node arcs, source -> mentee, mentor -> sink and
    the source -> sink bypass; ``layer`` per node, and what the flows are counted by."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    layer: np.ndarray
    sub_keys: np.ndarray
    keys: np.ndarray  # mentor x department key of each grouped pair arc
    grouped: np.ndarray  # bool per pair arc: does it go through a sub-node
    mentees: np.ndarray  # mentees with a source arc
    mentors: np.ndarray  # mentors with a sink arc
    supply: int


def arcs_of(pool: Pool, bounds: Bounds, rows: np.ndarray, cols: np.ndarray, bonus: int) -> Arcs:
    """The arcs the solver lays and the certificate check re-derives (one builder for both)."""
    inst = pool.instance
    n_e, n_m = inst.shape
    sink = n_e + n_m + 1
    pair_heads = cols + n_e + 1
    code = bounds.codes[rows]
    grouped = code >= 0
    keys = cols[grouped] * max(1, bounds.n_codes) + code[grouped]
    sub_keys = unique_sorted(keys)
    pair_heads[grouped] = sink + 1 + np.searchsorted(sub_keys, keys)
    sub_mentor, sub_code = sub_keys // max(1, bounds.n_codes), sub_keys % max(1, bounds.n_codes)
    mentees = np.flatnonzero(pool.want_left > 0)
    mentors = np.flatnonzero(pool.cap_left > 0)
    supply = int(pool.want_left.sum())
    tails = np.concatenate(
        [
            rows + 1,
            sink + 1 + np.arange(sub_keys.size),
            np.zeros(mentees.size, np.int64),
            mentors + n_e + 1,
            [0],
        ]
    )
    heads = np.concatenate(
        [pair_heads, sub_mentor + n_e + 1, mentees + 1, np.full(mentors.size, sink), [sink]]
    )
    caps = np.concatenate(
        [
            np.ones(rows.size, np.int64),
            bounds.group_left[sub_mentor, sub_code],
            pool.want_left[mentees],
            pool.cap_left[mentors] - bounds.min_left[mentors],
            [supply],
        ]
    )
    costs = np.zeros(tails.size, np.int64)
    costs[: rows.size] = -(bonus + to_int(inst.scores[rows, cols]))
    layer = np.full(sink + 1 + sub_keys.size, SUB, np.int64)
    layer[0], layer[sink] = SOURCE, SINK
    layer[1 : n_e + 1], layer[n_e + 1 : sink] = MENTEE, MENTOR
    return Arcs(tails, heads, caps, costs, layer, sub_keys, keys, grouped, mentees, mentors, supply)


def _solve(
    pool: Pool, bounds: Bounds, rows: np.ndarray, cols: np.ndarray, bonus: int
) -> Network | None:
    """The min-cost flow on the pair arcs ``rows, cols``; None when the bounds can't hold."""
    n_e, n_m = pool.instance.shape
    sink = n_e + n_m + 1
    arcs = arcs_of(pool, bounds, rows, cols, bonus)
    tails, heads, caps, costs = arcs.tails, arcs.heads, arcs.caps, arcs.costs
    sub_keys, supply = arcs.sub_keys, arcs.supply
    n_nodes = sink + 1 + sub_keys.size
    supplies = np.zeros(n_nodes, np.int64)
    supplies[0] = supply
    supplies[n_e + 1 : sink] = -bounds.min_left
    supplies[sink] = -supply + int(bounds.min_left.sum())
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    solver.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    status = solver.solve()
    if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
        return None
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status.name}")
    flows = np.asarray(solver.flows(np.arange(tails.size, dtype=np.int32)), np.int64)
    return Network(rows, cols, tails, heads, caps, costs, flows, arcs.layer, sub_keys)


def node_potentials(net: Network, max_sweeps: int = MAX_SWEEPS) -> np.ndarray | None:
    """Shortest-path distances in the residual graph from a virtual zero-cost root.

    Residual arcs are relaxed grouped by the layer of their tail (source, mentees,
    sub-nodes, mentors, sink), each group at once, until a sweep changes nothing.

    Returns
    -------
    np.ndarray or None
        int64 distance per node; None when ``max_sweeps`` sweeps did not settle them.
    """
    fwd = net.flows < net.caps
    back = net.flows > 0
    tails = np.concatenate([net.tails[fwd], net.heads[back]])
    heads = np.concatenate([net.heads[fwd], net.tails[back]])
    costs = np.concatenate([net.costs[fwd], -net.costs[back]])
    groups = []
    for layer in (SOURCE, MENTEE, SUB, MENTOR, SINK):
        mine = np.flatnonzero(net.layer[tails] == layer)
        order = mine[np.argsort(heads[mine], kind="stable")]
        targets, starts = np.unique(heads[order], return_index=True)
        if order.size:
            groups.append((tails[order], costs[order], targets, starts))
    d = np.zeros(net.layer.size, np.int64)
    for _ in range(max_sweeps):
        changed = False
        for g_tails, g_costs, targets, starts in groups:
            best = np.minimum.reduceat(d[g_tails] + g_costs, starts)
            better = best < d[targets]
            if better.any():
                d[targets[better]] = best[better]
                changed = True
        if not changed:
            return d
    return None


def _head_potentials(bounds: Bounds, net: Network, d: np.ndarray, n_e: int) -> np.ndarray:
    """(n_codes + 1, n_mentors): the potential of the node a pair of each code ends at."""
    n_m = bounds.min_left.size
    d_m = d[n_e + 1 : n_e + 1 + n_m]
    table = np.tile(d_m, (bounds.n_codes + 1, 1))
    if net.sub_keys.size:
        mentor, code = net.sub_keys // bounds.n_codes, net.sub_keys % bounds.n_codes
        table[code, mentor] = d[n_e + n_m + 2 :]
    return table


def _pairs(pool: Pool, net: Network) -> tuple[tuple[int, int], ...]:
    matched = net.flows[: net.rows.size] > 0
    found = zip(net.rows[matched].tolist(), net.cols[matched].tolist(), strict=True)
    pinned = zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True)
    return tuple(sorted(set(pinned) | set(found)))


def _infeasible(instance: Instance, notes: list[str], timings: dict) -> Solution:
    conflicts = simple_conflicts(instance) or [
        "the minimum loads and department caps cannot all be met by eligible pairs "
        "(each holds on its own; together they need more mentees than can be placed)"
    ]
    return Solution(
        (),
        Status.INFEASIBLE,
        conflicts=tuple(conflicts),
        notes=tuple(notes),
        timings=tuple(timings.items()),
    )


def solve_bounded(
    instance: Instance,
    policy: Policy | None = None,
    *,
    dense_limit: int = DENSE_LIMIT,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """Most places, then the best total score, under minimum loads and department caps.

    Parameters
    ----------
    instance : the problem; ``min_load``, ``mentee_group`` and ``max_per_group`` are the
        side rules, pinned pairs are fixed.
    policy : unused (accepted for a uniform solver API).
    dense_limit : pools with at most this many open pairs use every pair as an arc; larger
        ones the certified candidate graph (0 forces the candidate graph).
    start : a warm start: the first candidate graph (rows, cols), as for
        :func:`matcher.solvers.flow.solve_total`; the certificate is unchanged.

    Returns
    -------
    Solution
        OPTIMAL and certified when proven against every open pair, FEASIBLE with a note
        otherwise, INFEASIBLE with the conflicts in words. ``graph`` is the last
        candidate graph (None for a dense solve).

    Raises
    ------
    InfeasibleError
        If a pinned pair is ineligible or overfills a capacity.
    """
    del policy
    clock = time.perf_counter()
    timings = {"candidates": 0.0, "flow": 0.0, "certify": 0.0}
    simple = simple_conflicts(instance)
    if simple:
        return Solution((), Status.INFEASIBLE, conflicts=tuple(simple))
    pool = make_pool(instance)
    bounds = bounds_of(pool)
    k = K_EXTRA + int(np.max(instance.wanted, initial=0))
    n_open, bonus, graph = opening(pool, k)
    notes: list[str] = []
    if n_open <= dense_limit:
        return _dense(instance, pool, bounds, bonus, notes, timings, clock)
    if start is not None:
        rows, cols = open_subset(pool, *start)
        notes.append("warm start from a neighbouring solve's candidate graph")
    else:
        rows, cols = graph if graph is not None else flow_candidates(pool, k, L_EXTRA)
    timings["candidates"] += time.perf_counter() - clock
    first, costing = (rows, cols), trial_bonus(bonus, pool.places)
    net, rows, cols, certified, log = _rounds(pool, bounds, *first, costing, timings)
    if net is not None and not certified and costing[0] < bonus:
        notes += log + [UNPROVEN_TRIAL]
        net, rows, cols, certified, log = _rounds(pool, bounds, *first, (bonus, 0, 0), timings)
    if certified:
        notes.insert(
            0, f"candidate graph: {first[0].size} arcs first, {rows.size} last, of {n_open}"
        )
        return _solution(instance, pool, net, True, notes + log, timings, (rows, cols))
    notes += log
    if n_open <= FALLBACK_LIMIT:
        return _dense(instance, pool, bounds, bonus, notes, timings, time.perf_counter())
    if net is None:
        notes.append(f"not proven for all {n_open} open pairs")
        return _infeasible(instance, notes, timings)
    return _solution(instance, pool, net, False, notes, timings, (rows, cols))


def _rounds(pool, bounds, rows, cols, costing, timings):
    """Solve and certify on the candidate graph, adding violating and near pairs, until
    certified or :data:`MAX_ROUNDS`: (net or None, rows, cols, certified, notes).
    ``costing`` is (bonus, margin, need): a solve filling fewer than ``need`` places ends it."""
    n_e, n_m = pool.instance.shape
    row_code = np.where(bounds.codes >= 0, bounds.codes, bounds.n_codes)
    (bonus, margin, need), notes = costing, []
    why = f"round limit {MAX_ROUNDS} reached"
    for round_ in range(1, MAX_ROUNDS + 1):
        clock = time.perf_counter()
        net = _solve(pool, bounds, rows, cols, bonus)
        timings["flow"] += time.perf_counter() - clock
        if net is None:
            why = "the candidate graph cannot meet the bounds"
            break
        placed = int(np.count_nonzero(net.flows[: rows.size]))
        if placed < need:
            why = f"the trial bonus filled {placed} of {need} places"
            break
        clock = time.perf_counter()
        d = node_potentials(net)
        if d is None:
            timings["certify"] += time.perf_counter() - clock
            why = "potentials did not settle within the sweep cap"
            break
        linear = rows * n_m + cols
        near = margin if round_ == 1 else 0  # once: the near pairs absorb round 1's shifts
        d_head = _head_potentials(bounds, net, d, n_e)
        add_r, add_c, n_bad = violations(
            pool, bonus, linear, d[1 : n_e + 1], d_head, row_code, ADD_PER_ROW, near
        )
        timings["certify"] += time.perf_counter() - clock
        if n_bad == 0:
            notes += [f"certify rounds: {round_}", "certified against every open pair"]
            return net, rows, cols, True, notes
        notes.append(f"round {round_}: {n_bad} pruned pairs could improve; {add_r.size} added")
        merged = union_sorted(linear, add_r * n_m + add_c)
        rows, cols = merged // n_m, merged % n_m
    notes.append(f"not certified: {why}")
    return net, rows, cols, False, notes


def _dense(instance, pool, bounds, bonus, notes, timings, clock) -> Solution:
    """Every open pair as an arc: optimal (or infeasible) by construction."""
    rows, cols = all_open_pairs(pool)
    timings["candidates"] += time.perf_counter() - clock
    clock = time.perf_counter()
    net = _solve(pool, bounds, rows, cols, bonus)
    timings["flow"] += time.perf_counter() - clock
    if net is None:
        return _infeasible(instance, notes, timings)
    notes.append(f"dense: all {rows.size} open pairs are arcs; certified")
    return _solution(instance, pool, net, True, notes, timings)


def _solution(instance, pool, net, certified, notes, timings, graph=None) -> Solution:
    return finished(instance, _pairs(pool, net), certified, notes, timings, graph)
