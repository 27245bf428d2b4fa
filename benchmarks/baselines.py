"""Baseline matchers for the benchmarks, each on an :class:`matcher.encode.instance.Instance`.

They all optimise the objective our flow solver optimises, encoded the same way: a
matched place earns ``bonus + round(score * 1e6)`` (:mod:`matcher.solvers.integers`), so
"most places first, then the total score" is one integer objective and ties cannot
make objectives differ. Ineligible pairs are never used.

* :func:`lsa_dense` -- ``scipy.optimize.linear_sum_assignment`` on a dense matrix with
  each mentor's column repeated ``capacity`` times. Only for mentees wanting one mentor:
  with rows repeated too, the same two people could be paired twice, which a b-matching
  forbids (it raises ``ValueError`` instead).
* :func:`min_weight_full` -- ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``
  on the same replicated columns, sparse, plus one "unmatched" column per mentee (see
  its docstring for the costs). Same one-mentor restriction.
* :func:`mcf_dense` -- OR-Tools ``SimpleMinCostFlow`` with every eligible pair as an arc.
* :func:`greedy` -- pairs by score, best first, taken while both sides have room.
* :func:`cpsat_plain` -- a CP-SAT model with one Boolean per eligible pair.

Each returns sorted (mentee index, mentor index) pairs, plus a dict of facts for CP-SAT.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matcher.encode.instance import Instance
from matcher.solvers.integers import place_bonus, to_int


def eligible_pairs(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Every usable pair: eligible, mentee wants someone, mentor has room (row-major).

    Parameters
    ----------
    instance : the problem.

    Returns
    -------
    rows, cols : int64 arrays.
    """
    usable = instance.eligible & (instance.wanted > 0)[:, None] & (instance.capacity > 0)[None, :]
    rows, cols = np.nonzero(usable)
    return rows.astype(np.int64), cols.astype(np.int64)


def _weights(instance: Instance, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, int]:
    """Scaled integer scores of the pairs and the per-place bonus (as the flow uses)."""
    scores = to_int(instance.scores[rows, cols])
    places = int(min(instance.wanted.sum(), instance.capacity.sum()))
    return scores, place_bonus(scores, places)


def _single_only(instance: Instance, name: str) -> None:
    if int(np.max(instance.wanted, initial=0)) > 1:
        raise ValueError(
            f"{name} replicates mentor columns only: every mentee must want at most one "
            f"mentor (found one wanting {int(np.max(instance.wanted))})"
        )


def _sorted(rows, cols) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(zip(np.asarray(rows).tolist(), np.asarray(cols).tolist(), strict=True)))


def replicated_cells(instance: Instance) -> int:
    """Cells of the dense replicated-column matrix :func:`lsa_dense` builds."""
    return int((instance.wanted > 0).sum()) * int(instance.capacity.sum())


def lsa_dense(instance: Instance) -> tuple[tuple[int, int], ...]:
    """Optimal matching by ``linear_sum_assignment`` on replicated mentor columns.

    Cost of (mentee, slot of mentor j) is ``-(bonus + score)`` when eligible, else 0;
    a mentee assigned to a 0-cost cell is unmatched (0 is what leaving it costs).

    Raises
    ------
    ValueError
        If a mentee wants more than one mentor.
    """
    _single_only(instance, "linear_sum_assignment")
    mentees = np.flatnonzero(instance.wanted > 0)
    slot_mentor = np.repeat(np.arange(instance.shape[1]), instance.capacity)
    rows, cols = eligible_pairs(instance)
    scores, bonus = _weights(instance, rows, cols)
    base = np.zeros(instance.shape, np.float64)
    base[rows, cols] = -(bonus + scores).astype(np.float64)
    cost = base[mentees][:, slot_mentor]
    del base
    r, c = linear_sum_assignment(cost)
    used = cost[r, c] < 0
    return _sorted(mentees[r[used]], slot_mentor[c[used]])


def min_weight_full(instance: Instance) -> tuple[tuple[int, int], ...]:
    """Optimal matching by ``min_weight_full_bipartite_matching`` (sparse LAPJV).

    It needs every row matched, so each mentee ``i`` also gets a private "unmatched"
    column. Weights are positive (explicit zeros would not be edges): a real edge costs
    ``1 + hi - s`` and the unmatched column ``1 + hi - lo + bonus``, with ``s`` the
    scaled score, ``hi``/``lo`` the largest/smallest one and ``bonus`` the per-place
    bonus. Matching a place then saves ``bonus + s - lo``, which is the flow's objective
    up to a constant per place, so the optima coincide.

    Raises
    ------
    ValueError
        If a mentee wants more than one mentor.
    """
    _single_only(instance, "min_weight_full_bipartite_matching")
    mentees = np.flatnonzero(instance.wanted > 0)
    position = np.full(instance.shape[0], -1, np.int64)
    position[mentees] = np.arange(mentees.size)
    rows, cols = eligible_pairs(instance)
    scores, bonus = _weights(instance, rows, cols)
    hi, lo = (int(scores.max()), int(scores.min())) if scores.size else (0, 0)
    capacity = instance.capacity
    first_slot = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    n_slots = int(capacity.sum())
    per_pair = capacity[cols]
    edge_row = np.repeat(position[rows], per_pair)
    offset = np.arange(per_pair.sum()) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    edge_col = np.repeat(first_slot[cols], per_pair) + offset
    edge_w = np.repeat((1 + hi - scores).astype(np.float64), per_pair)
    dummy = np.arange(mentees.size)
    graph = csr_matrix(
        (
            np.concatenate([edge_w, np.full(mentees.size, 1.0 + hi - lo + bonus)]),
            (np.concatenate([edge_row, dummy]), np.concatenate([edge_col, n_slots + dummy])),
        ),
        shape=(mentees.size, n_slots + mentees.size),
    )
    del edge_row, edge_col, edge_w, offset
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < n_slots
    slot_mentor = np.repeat(np.arange(instance.shape[1]), capacity)
    return _sorted(mentees[r[real]], slot_mentor[c[real]])


def mcf_dense(instance: Instance) -> tuple[tuple[int, int], ...]:
    """Optimal b-matching by OR-Tools ``SimpleMinCostFlow`` with every eligible pair an arc.

    Nodes: source 0, mentees 1..n, mentors n+1..n+m, sink n+m+1; a zero-cost
    source -> sink arc lets places stay empty.
    """
    n_e, n_m = instance.shape
    rows, cols = eligible_pairs(instance)
    scores, bonus = _weights(instance, rows, cols)
    sink, supply = n_e + n_m + 1, int(instance.wanted.sum())
    tails = np.concatenate([rows + 1, np.zeros(n_e, np.int64), np.arange(n_m) + n_e + 1, [0]])
    heads = np.concatenate([cols + n_e + 1, np.arange(n_e) + 1, np.full(n_m, sink), [sink]])
    caps = np.concatenate([np.ones(rows.size, np.int64), instance.wanted, instance.capacity])
    caps = np.concatenate([caps, [supply]])
    costs = np.concatenate([-(bonus + scores), np.zeros(n_e + n_m + 1, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    flow.set_nodes_supplies(np.array([0, sink], np.int32), np.array([supply, -supply], np.int64))
    status = flow.solve()
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"dense min-cost flow failed with status {status.name}")
    used = np.asarray(flow.flows(np.arange(rows.size, dtype=np.int32))) > 0
    return _sorted(rows[used], cols[used])


def greedy(instance: Instance) -> tuple[tuple[int, int], ...]:
    """Pairs sorted by score (best first; ties by mentee, then mentor), each taken when
    the mentee still wants and the mentor still has a place. Not optimal in general."""
    rows, cols = eligible_pairs(instance)
    order = np.lexsort((cols, rows, -instance.scores[rows, cols]))
    want = instance.wanted.tolist()
    room = instance.capacity.tolist()
    left = min(sum(want), sum(room))
    taken = []
    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if want[i] and room[j]:
            want[i] -= 1
            room[j] -= 1
            taken.append((i, j))
            left -= 1
            if not left:
                break
    return tuple(sorted(taken))


def cpsat_plain(
    instance: Instance, time_limit: float, workers: int = 2, seed: int = 0
) -> tuple[tuple[tuple[int, int], ...], dict]:
    """A plain CP-SAT model: one Boolean per eligible pair, capacities, the flow's objective.

    Parameters
    ----------
    instance : the problem.
    time_limit : seconds for the CP-SAT search.
    workers : search workers.
    seed : random seed.

    Returns
    -------
    (pairs, facts)
        ``facts``: ``status`` (CP-SAT's name), ``objective`` and ``bound`` (scaled
        integers including the place bonus) and ``gap`` relative to the bound.

        ``pairs`` is None when CP-SAT found no solution within the time limit (then
        ``facts`` has only ``status`` and ``variables``).
    """
    rows, cols = eligible_pairs(instance)
    scores, bonus = _weights(instance, rows, cols)
    model = cp_model.CpModel()
    # Variables
    x = [model.new_bool_var(f"x{k}") for k in range(rows.size)]
    by_mentee: dict[int, list] = {}
    by_mentor: dict[int, list] = {}
    for var, i, j in zip(x, rows.tolist(), cols.tolist(), strict=True):
        by_mentee.setdefault(i, []).append(var)
        by_mentor.setdefault(j, []).append(var)
    # Constraints
    # A mentee gets at most the mentors it wants.
    for i, group in by_mentee.items():
        model.add(sum(group) <= int(instance.wanted[i]))
    # A mentor takes at most its capacity.
    for j, group in by_mentor.items():
        model.add(sum(group) <= int(instance.capacity[j]))
    # Objective
    model.maximize(cp_model.LinearExpr.weighted_sum(x, (bonus + scores).tolist()))
    # Solve
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, {"status": solver.status_name(status), "variables": int(rows.size)}
    chosen = np.array([solver.boolean_value(v) for v in x], bool)
    objective, bound = int(round(solver.objective_value)), int(round(solver.best_objective_bound))
    facts = {
        "status": solver.status_name(status),
        "objective": objective,
        "bound": bound,
        "gap": (bound - objective) / max(1, abs(bound)),
        "variables": int(rows.size),
    }
    return _sorted(rows[chosen], cols[chosen]), facts
