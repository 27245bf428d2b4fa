"""The exact flow on a list of pairs: bring-your-own scores with ``scores_only``.

With ``scores_only`` a pair without an external score can never match, so the open pairs
are a subset of the listed ones (:attr:`Instance.listed`). This solver works on that list
alone, never scanning the score matrix: the candidate graph is the top-K listed mentors of
each mentee united with the top-L listed mentees of each mentor (one sort of the list
each), and the certificate of :mod:`matcher.solvers.certify` checks the reduced cost of
every other listed pair (one vectorised pass), adding the violating ones until none is
left. The optimum is the one :func:`matcher.solvers.flow.solve_total` finds on the whole
matrix: same arc costs, same per-place bonus, certified against every open pair.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.solvers.candidates import Pool, make_pool
from matcher.solvers.certify import FlowState, potentials
from matcher.solvers.flow import (
    ADD_PER_ROW,
    DENSE_LIMIT,
    K_EXTRA,
    L_EXTRA,
    MAX_ROUNDS,
    finished,
    min_cost_flow_on,
)
from matcher.solvers.integers import place_bonus, to_int


def listed_open_pairs(pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """The listed pairs that are open: eligible, not pinned, both sides with room.

    Parameters
    ----------
    pool : the open pairs of an instance whose ``listed`` is set.

    Returns
    -------
    rows, cols : int64 arrays sorted by (mentee, mentor).
    """
    inst = pool.instance
    rows, cols = inst.listed
    keep = inst.eligible[rows, cols] & (pool.want_left[rows] > 0) & (pool.cap_left[cols] > 0)
    if pool.pinned_rows.size:
        n_m = inst.shape[1]
        keep &= ~np.isin(rows * n_m + cols, pool.pinned_rows * n_m + pool.pinned_cols)
    return rows[keep], cols[keep]


def _score_order(scores: np.ndarray) -> np.ndarray:
    """Each pair's position in the list sorted by score, best first, ties in list order."""
    position = np.empty(scores.size, np.int64)
    position[np.argsort(-scores, kind="stable")] = np.arange(scores.size)
    return position


def _ranks(group: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Each pair's rank within its ``group`` by :func:`_score_order` ``position``.

    The list is sorted by (mentee, mentor), so ties go to the lower mentor within a
    mentee and to the lower mentee within a mentor. One sort of a combined key.
    """
    order = np.argsort(group * max(1, position.size) + position)
    sorted_group = group[order]
    starts = np.flatnonzero(np.diff(sorted_group, prepend=sorted_group[:1] - 1))
    lengths = np.diff(np.append(starts, group.size))
    rank = np.empty(group.size, np.int64)
    rank[order] = np.arange(group.size) - np.repeat(starts, lengths)
    return rank


def listed_candidates(
    pool: Pool, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int, l_extra: int
) -> np.ndarray:
    """Bool per listed open pair: in the top ``k`` of its mentee or top L of its mentor.

    L is ``2 * capacity left + l_extra`` per mentor, as for the matrix candidate graph.
    """
    position = _score_order(scores)
    by_mentee = _ranks(rows, position) < k
    by_mentor = _ranks(cols, position) < (2 * pool.cap_left[cols] + l_extra)
    return by_mentee | by_mentor


def _pairs(pool: Pool, state: FlowState) -> tuple[tuple[int, int], ...]:
    """Pinned pairs plus the matched arcs, sorted."""
    pinned = zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True)
    found = zip(state.rows[state.matched].tolist(), state.cols[state.matched].tolist(), strict=True)
    return tuple(sorted(set(pinned) | set(found)))


def solve_listed(
    pool: Pool,
    *,
    dense_limit: int,
    k: int,
    l_extra: int,
    max_rounds: int,
    add_per_row: int,
) -> tuple[Solution, tuple[np.ndarray, np.ndarray] | None]:
    """Match as many places as possible, then maximise the total, on the listed pairs.

    Parameters
    ----------
    pool : the open pairs of an instance whose ``listed`` is set.
    dense_limit : up to this many open listed pairs, every one is an arc.
    k, l_extra : candidate mentors per mentee; extra candidate mentees per mentor.
    max_rounds : candidate-graph solves before every listed pair becomes an arc.
    add_per_row : violating pairs added per mentee and round.

    Returns
    -------
    tuple (Solution, graph)
        The certified optimum (OPTIMAL; after ``max_rounds`` the list is solved whole,
        certified by construction) and the last candidate graph (None when whole).
    """
    clock = time.perf_counter()
    instance: Instance = pool.instance
    rows, cols = listed_open_pairs(pool)
    scores = to_int(instance.scores[rows, cols])
    bonus = place_bonus(scores, pool.places)
    timings = {"candidates": 0.0, "flow": 0.0, "certify": 0.0}
    n_open = rows.size
    if n_open <= dense_limit:
        timings["candidates"] = time.perf_counter() - clock
        clock = time.perf_counter()
        state = min_cost_flow_on(pool, rows, cols, bonus)
        timings["flow"] = time.perf_counter() - clock
        notes = [f"listed pairs: all {n_open} open listed pairs are arcs; certified"]
        return finished(instance, _pairs(pool, state), True, notes, timings), None
    arcs = listed_candidates(pool, rows, cols, scores, k, l_extra)
    cost = -(bonus + scores)
    timings["candidates"] = time.perf_counter() - clock
    notes = [f"listed pairs: candidate graph of {int(arcs.sum())} arcs of {n_open} open pairs"]
    for round_ in range(1, max_rounds + 1):
        clock = time.perf_counter()
        state = min_cost_flow_on(pool, rows[arcs], cols[arcs], bonus)
        timings["flow"] += time.perf_counter() - clock
        clock = time.perf_counter()
        found = potentials(pool, state)
        if found is None:
            timings["certify"] += time.perf_counter() - clock
            notes.append("potentials did not settle; every listed pair becomes an arc")
            break
        d_e, d_m, _ = found
        reduced = cost + d_e[rows] - d_m[cols]
        bad = (reduced < 0) & ~arcs
        n_bad = int(bad.sum())
        if n_bad == 0:
            timings["certify"] += time.perf_counter() - clock
            notes.append(f"certified against every open listed pair in {round_} round(s)")
            graph = (rows[arcs], cols[arcs])
            return finished(instance, _pairs(pool, state), True, notes, timings, graph), graph
        worst = np.where(bad, reduced, 0)
        add = bad & (_ranks(rows, _score_order(-worst)) < add_per_row)
        arcs |= add
        timings["certify"] += time.perf_counter() - clock
        notes.append(f"round {round_}: {n_bad} pruned pairs could improve; {int(add.sum())} added")
    clock = time.perf_counter()
    state = min_cost_flow_on(pool, rows, cols, bonus)
    timings["flow"] += time.perf_counter() - clock
    notes.append(f"fallback: all {n_open} open listed pairs are arcs; certified")
    return finished(instance, _pairs(pool, state), True, notes, timings), None


def solve_listed_total(
    instance: Instance,
    policy: Policy | None = None,
    *,
    dense_limit: int = DENSE_LIMIT,
    k: int | None = None,
) -> Solution:
    """:func:`matcher.solvers.flow.solve_total` for an instance with ``listed`` pairs.

    Parameters
    ----------
    instance : the problem; ``instance.listed`` must be set.
    policy : accepted for a uniform API (the flow needs nothing from it).
    dense_limit : up to this many open listed pairs, every one is an arc.
    k : candidate mentors per mentee (default ``K_EXTRA + max(wanted)``).

    Returns
    -------
    Solution
        OPTIMAL and certified against every open pair; ``graph`` is the last candidate
        graph (None when every listed pair was an arc).

    Raises
    ------
    InfeasibleError
        If a pinned pair is ineligible or overfills a capacity.
    """
    del policy
    clock = time.perf_counter()
    pool = make_pool(instance)
    k = K_EXTRA + int(np.max(instance.wanted, initial=0)) if k is None else k
    options = dict(max_rounds=MAX_ROUNDS, add_per_row=ADD_PER_ROW, l_extra=L_EXTRA)
    solution, _ = solve_listed(pool, dense_limit=dense_limit, k=k, **options)
    timings = dict(solution.timings)
    timings["candidates"] += time.perf_counter() - clock - sum(timings.values())
    return replace(solution, timings=tuple(timings.items()))
