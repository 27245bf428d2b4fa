"""Exact maximum-score matching as a min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network: source -> mentee ``i`` (capacity: wanted places left after pinned pairs),
mentee -> mentor (capacity 1, cost ``-(bonus + s_ij)``) for candidate pairs, mentor ``j``
-> sink (capacity left after pinned pairs), and a zero-cost source -> sink bypass so that
places may stay unmatched. The per-place ``bonus`` (:func:`matcher.solvers.integers.place_bonus`)
makes "as many matched places as possible" come first, then the total score.

Small pools use every open pair as an arc and are optimal by construction. Large pools
start from the sparse candidate graph of :mod:`matcher.solvers.candidates`; after every
solve :mod:`matcher.solvers.certify` checks the optimum against every open pair and adds
the pairs that could improve it, until none can (certified) or the round limit is hit.
Those rounds run with a smaller bonus (:func:`trial_bonus`) whose optimum is kept only
when it fills every place the pool offers; otherwise they run again with the full one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.encode.instance import Instance, Solution
from matcher.encode.lazy_scores import LazyScores
from matcher.model import Policy
from matcher.parallel import for_row_ranges
from matcher.results import Status
from matcher.solvers.candidates import Pool, flow_candidates, make_pool, open_subset
from matcher.solvers.certify import FlowState, potentials, violations
from matcher.solvers.integers import place_bonus, to_int
from matcher.solvers.sweep import swept
from matcher.sorted_ints import union_sorted

DENSE_LIMIT = 200_000  # open pairs up to which every pair is an arc
FALLBACK_LIMIT = 2_000_000  # an uncertified candidate optimum is redone dense up to this size
MAX_ROUNDS = 10  # candidate-graph solves before giving up on a certificate
K_EXTRA = 10  # a mentee keeps K_EXTRA + max(wanted) candidate mentors
L_EXTRA = 5  # a mentor keeps 2 * capacity + L_EXTRA candidate mentees
ADD_PER_ROW = 10  # violating pairs added per mentee and round
TRIAL_PLACES = 8  # the candidate rounds' bonus outweighs this many places' score spread
NEAR_SHARE = 32  # a round also adds pairs within spread / NEAR_SHARE of violating
UNPROVEN_TRIAL = "the trial bonus left places unproven: solved again with the full bonus"


def trial_bonus(bonus: int, places: int) -> tuple[int, int, int]:
    """A smaller per-place bonus for the candidate rounds, their ``margin`` and ``need``.

    Arc costs of ``bonus`` size make every OR-Tools solve slower (more cost-scaling
    phases). A bonus of ``TRIAL_PLACES`` score spreads still puts places first on any
    exchange of up to that many pairs; its optimum is kept only when it fills ``need =
    places`` (:attr:`Pool.places`, which no assignment exceeds): it then has the best
    score among the assignments with the most places, the optimum under ``bonus`` too.

    Parameters
    ----------
    bonus : the full per-place bonus, ``places * spread + 1`` (:func:`pool_bonus`).
    places : the places it was computed for.

    Returns
    -------
    tuple (trial, margin, need)
        ``trial`` bonus, the margin in integer score units below which a pruned pair's
        reduced cost counts as near (:func:`matcher.solvers.certify.violations`), and the
        places a trial solve must fill; ``(bonus, 0, 0)`` when no smaller bonus is valid.
    """
    if places <= TRIAL_PLACES or (bonus - 1) % places:
        return bonus, 0, 0
    spread = (bonus - 1) // places
    return TRIAL_PLACES * spread + 1, spread // NEAR_SHARE, places


def pool_bonus(pool: Pool) -> tuple[int, int]:
    """The number of open pairs and the per-place bonus for them.

    The bonus is computed from the range of every open pair's score with 0 added to it,
    so it also dominates when all scores are negative (a place must always pay).

    Parameters
    ----------
    pool : the open pairs.

    Returns
    -------
    tuple (n_open, bonus)
    """
    scores = pool.instance.scores
    found: dict[int, tuple[int, float, float]] = {}

    def scan(start: int, stop: int) -> None:
        n_open, lo, hi = 0, 0.0, 0.0
        for r0 in range(start, stop, pool.block_rows):
            r1 = min(stop, r0 + pool.block_rows)
            mask = pool.mask(r0, r1)
            n = int(np.count_nonzero(mask))
            if n:
                n_open += n
                block = scores[r0:r1][mask]
                lo, hi = min(lo, float(block.min())), max(hi, float(block.max()))
        found[start] = (n_open, lo, hi)

    for_row_ranges(scan, pool.instance.shape[0], pool.block_rows)
    n_open = sum(n for n, _, _ in found.values())
    lo = min((x for _, x, _ in found.values()), default=0.0)
    hi = max((x for _, _, x in found.values()), default=0.0)
    return n_open, place_bonus(to_int(np.array([lo, hi])), pool.places)


def opening(pool: Pool, k: int) -> tuple[int, int, tuple[np.ndarray, np.ndarray] | None]:
    """The open pairs' count and bonus, and the candidate graph when it comes for free.

    Scores computed on demand (:class:`~matcher.encode.lazy_scores.LazyScores`) are read
    once for all three (:func:`matcher.solvers.sweep.sweep`; a second opening of the same
    pool takes the first's, :func:`~matcher.solvers.sweep.swept`); a score matrix is read
    by :func:`pool_bonus` and the graph is left to :func:`flow_candidates` (None).

    Parameters
    ----------
    pool : the open pairs.
    k : candidate mentors per mentee.

    Returns
    -------
    tuple (n_open, bonus, graph)
        ``graph`` is ``flow_candidates(pool, k, L_EXTRA)`` or None.
    """
    if not isinstance(pool.instance.scores, LazyScores):
        return (*pool_bonus(pool), None)
    found = swept(pool, k, 2 * pool.cap_left + L_EXTRA)
    return found.n_open, found.bonus, (found.rows, found.cols)


def all_open_pairs(pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """Every open pair of ``pool``.

    Parameters
    ----------
    pool : the open pairs.

    Returns
    -------
    rows, cols : int64 arrays sorted by (mentee, mentor).
    """
    rows, cols = [], []
    for r0, r1 in pool.row_blocks():
        i, j = np.nonzero(pool.mask(r0, r1))
        rows.append(i + r0)
        cols.append(j)
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)


def min_cost_flow_on(pool: Pool, rows: np.ndarray, cols: np.ndarray, bonus: int) -> FlowState:
    """Solve the min-cost flow on the given pair arcs.

    Parameters
    ----------
    pool : the open pairs (capacities left after pinned pairs).
    rows, cols : the pair arcs, int64, sorted and without duplicates.
    bonus : the per-place bonus.

    Returns
    -------
    FlowState

    Raises
    ------
    RuntimeError
        If OR-Tools reports anything but OPTIMAL (with the status name).
    """
    n_e, n_m = pool.instance.shape
    sink = n_e + n_m + 1
    scores = to_int(pool.instance.scores[rows, cols])
    cost = -(bonus + scores)
    mentees = np.flatnonzero(pool.want_left > 0)
    mentors = np.flatnonzero(pool.cap_left > 0)
    supply = int(pool.want_left.sum())
    tails = np.concatenate([rows + 1, np.zeros(mentees.size, np.int64), mentors + n_e + 1, [0]])
    heads = np.concatenate([cols + n_e + 1, mentees + 1, np.full(mentors.size, sink), [sink]])
    caps = np.concatenate(
        [np.ones(rows.size, np.int64), pool.want_left[mentees], pool.cap_left[mentors], [supply]]
    )
    costs = np.concatenate([cost, np.zeros(mentees.size + mentors.size + 1, np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    solver.set_nodes_supplies(np.array([0, sink], np.int32), np.array([supply, -supply], np.int64))
    status = solver.solve()
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status.name}")
    flows = np.asarray(solver.flows(np.arange(tails.size, dtype=np.int32)), np.int64)
    n_p, n_s = rows.size, mentees.size
    source_flow = np.zeros(n_e, np.int64)
    source_flow[mentees] = flows[n_p : n_p + n_s]
    sink_flow = np.zeros(n_m, np.int64)
    sink_flow[mentors] = flows[n_p + n_s : n_p + n_s + mentors.size]
    return FlowState(
        rows=rows,
        cols=cols,
        cost=cost,
        matched=flows[:n_p] > 0,
        source_flow=source_flow,
        sink_flow=sink_flow,
        bypass_flow=int(flows[-1]),
        bypass_cap=supply,
    )


def _pairs(pool: Pool, state: FlowState) -> tuple[tuple[int, int], ...]:
    """Pinned pairs plus the matched arcs, sorted."""
    pinned = zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True)
    found = zip(state.rows[state.matched].tolist(), state.cols[state.matched].tolist(), strict=True)
    return tuple(sorted(set(pinned) | set(found)))


def total_score(instance: Instance, pairs: Sequence[tuple[int, int]]) -> float:
    """The float total score of ``pairs``.

    Parameters
    ----------
    instance : the instance the pairs index.
    pairs : (mentee index, mentor index) pairs, pinned pairs included.

    Returns
    -------
    float
        The sum of their scores (0.0 for no pairs).
    """
    if not pairs:
        return 0.0
    rows, cols = np.array(pairs, np.int64).T
    return float(instance.scores[rows, cols].sum())


def solve_total(
    instance: Instance,
    policy: Policy | None = None,
    *,
    dense_limit: int = DENSE_LIMIT,
    k: int | None = None,
    max_rounds: int = MAX_ROUNDS,
    fallback_limit: int = FALLBACK_LIMIT,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """Match as many wanted places as possible, then maximise the total score.

    Parameters
    ----------
    instance : the problem by index.
    policy : the policy (the flow needs nothing from it; accepted for a uniform API).
    dense_limit : pools with at most this many open pairs use every pair as an arc;
        larger ones use the certified candidate graph (0 forces the candidate graph).
    k : candidate mentors per mentee (default ``K_EXTRA + max(wanted)``).
    max_rounds : candidate-graph solves before giving up on a certificate.
    fallback_limit : when the certificate fails, pools with at most this many open pairs
        are solved again with every pair as an arc (certified by construction).
    start : a warm start: the first candidate graph (rows, cols), e.g. the ``graph`` of
        a neighbouring instance's Solution; its pairs that are not open here are dropped.
        The certificate is unchanged, so the optimum is as exact as from a cold start.

    Returns
    -------
    Solution
        OPTIMAL and certified when proven against every open pair (``bound`` is then the
        total score); FEASIBLE with a note otherwise. ``graph`` is the last candidate
        graph (None for a dense solve).

    Raises
    ------
    InfeasibleError
        If a pinned pair is ineligible or overfills a capacity.
    RuntimeError
        If OR-Tools fails (it cannot be infeasible: the bypass arc absorbs everything).
    """
    del policy
    clock = time.perf_counter()
    pool = make_pool(instance)
    k = K_EXTRA + int(np.max(instance.wanted, initial=0)) if k is None else k
    n_open, bonus, graph = opening(pool, k)
    timings = {"candidates": 0.0, "flow": 0.0, "certify": 0.0}
    notes: list[str] = []
    if n_open <= dense_limit:
        state = _dense(pool, bonus, timings, clock)
        notes.append(f"dense: all {n_open} open pairs are arcs; certified")
        return _solution(instance, pool, state, True, notes, timings)

    if start is not None:
        rows, cols = open_subset(pool, *start)
        notes.append("warm start from a neighbouring solve's candidate graph")
    else:
        rows, cols = graph if graph is not None else flow_candidates(pool, k, L_EXTRA)
    timings["candidates"] += time.perf_counter() - clock
    first, costing = (rows, cols), trial_bonus(bonus, pool.places)
    state, rows, cols, certified, log = _rounds(pool, *first, costing, max_rounds, timings)
    if not certified and costing[0] < bonus:
        notes += log + [UNPROVEN_TRIAL]
        state, rows, cols, certified, log = _rounds(
            pool, *first, (bonus, 0, 0), max_rounds, timings
        )
    notes.insert(
        0, f"candidate graph: {first[0].size} arcs first, {rows.size} last, of {n_open} open pairs"
    )
    notes += log
    if not certified and n_open <= fallback_limit:
        state = _dense(pool, bonus, timings, time.perf_counter())
        notes.append(f"fallback: all {n_open} open pairs are arcs; certified")
        return _solution(instance, pool, state, True, notes, timings)
    return _solution(instance, pool, state, certified, notes, timings, (rows, cols))


def _rounds(pool, rows, cols, costing, max_rounds, timings):
    """Solve and certify on the candidate graph, adding violating and near pairs, until
    certified or ``max_rounds``: (state, rows, cols, certified, notes). ``costing`` is
    (bonus, margin, need): a solve that fills fewer than ``need`` places ends the rounds."""
    n_e, n_m = pool.instance.shape
    (bonus, margin, need), notes = costing, []
    why = f"round limit {max_rounds} reached"
    for round_ in range(1, max_rounds + 1):
        clock = time.perf_counter()
        state = min_cost_flow_on(pool, rows, cols, bonus)
        timings["flow"] += time.perf_counter() - clock
        if state.matched.sum() < need:
            why = f"the trial bonus filled {int(state.matched.sum())} of {need} places"
            break
        clock = time.perf_counter()
        found = potentials(pool, state)
        if found is None:
            timings["certify"] += time.perf_counter() - clock
            why = "potentials did not settle within the sweep cap"
            break
        d_e, d_m, _ = found
        linear = rows * n_m + cols
        near = margin if round_ == 1 else 0  # once: the near pairs absorb round 1's shifts
        add_r, add_c, n_bad = violations(
            pool, bonus, linear, d_e, d_m[None, :], np.zeros(n_e, np.int64), ADD_PER_ROW, near
        )
        timings["certify"] += time.perf_counter() - clock
        if n_bad == 0:
            notes += [f"certify rounds: {round_}", "certified against every open pair"]
            return state, rows, cols, True, notes
        notes.append(f"round {round_}: {n_bad} pruned pairs could improve; {add_r.size} added")
        merged = union_sorted(linear, add_r * n_m + add_c)
        rows, cols = merged // n_m, merged % n_m
    notes += [f"certify rounds: {round_}", f"not certified: {why}"]
    return state, rows, cols, False, notes


def _dense(pool: Pool, bonus: int, timings: dict, clock: float) -> FlowState:
    """Solve with every open pair as an arc, adding to ``timings``."""
    rows, cols = all_open_pairs(pool)
    timings["candidates"] += time.perf_counter() - clock
    clock = time.perf_counter()
    state = min_cost_flow_on(pool, rows, cols, bonus)
    timings["flow"] += time.perf_counter() - clock
    return state


def _solution(instance, pool, state, certified, notes, timings, graph=None) -> Solution:
    return finished(instance, _pairs(pool, state), certified, notes, timings, graph)


def finished(
    instance: Instance,
    pairs: tuple[tuple[int, int], ...],
    certified: bool,
    notes: list[str],
    timings: dict[str, float],
    graph: tuple[np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """A flow solver's Solution: OPTIMAL with its total as the bound when certified."""
    return Solution(
        pairs=pairs,
        status=Status.OPTIMAL if certified else Status.FEASIBLE,
        bound=total_score(instance, pairs) if certified else None,
        certified=certified,
        notes=tuple(notes),
        timings=tuple(timings.items()),
        graph=graph,
    )
