"""Proof that a min-cost flow on a candidate graph is optimal for every open pair.

After the flow on the candidate graph is optimal, its residual graph has no negative
cycle, so shortest-path distances ``d`` from a virtual root (a zero-cost arc to every
node, so every distance is finite) exist and satisfy ``d[head] <= d[tail] + cost`` on
every residual arc. Those distances are node potentials. A pruned pair ``(i, j)`` carries
no flow, so in the full graph it would add the residual arc ``i -> j`` of cost
``c_ij = -(bonus + s_ij)``. If ``c_ij + d_i - d_j >= 0`` for every pruned pair, ``d`` is a
feasible potential for the whole residual graph, which then has no negative cycle: the
flow is optimal for the full problem. Pairs that break the condition are returned so that
the caller can add them and solve again.

The distances come from a vectorised Bellman-Ford sweep over the four node layers
(source, mentees, mentors, sink) in that order; the sweep count is capped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.encode.lazy_scores import CHUNK, CODE_TOP
from matcher.parallel import for_row_ranges
from matcher.solvers.candidates import Pool
from matcher.solvers.integers import SCALE, to_int

SCREEN_CELLS = 131_072  # cells per row block of the violation screen (L2-cache sized)
CHUNK_ROWS = 1_024  # mentees per block when the screen reads the codes' chunk maxima
NEAR_PER_BAD = 8  # near (not violating) pairs returned per violating one, at most


@dataclass(frozen=True, eq=False)
class FlowState:
    """An optimal flow on the candidate graph, by arc group.

    Attributes
    ----------
    rows, cols, cost : the candidate pair arcs (int64), sorted by (mentee, mentor);
        ``cost = -(bonus + int score)``.
    matched : bool per pair arc, True where it carries flow.
    source_flow : int64 (n_mentees,); flow on source -> mentee (capacity ``want_left``).
    sink_flow : int64 (n_mentors,); flow on mentor -> sink (capacity ``cap_left``).
    bypass_flow, bypass_cap : flow and capacity of the source -> sink bypass arc.
    """

    rows: np.ndarray
    cols: np.ndarray
    cost: np.ndarray
    matched: np.ndarray
    source_flow: np.ndarray
    sink_flow: np.ndarray
    bypass_flow: int
    bypass_cap: int


def potentials(
    pool: Pool, state: FlowState, max_sweeps: int = 5000
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Shortest-path distances in the residual graph from a virtual zero-cost root.

    Parameters
    ----------
    pool : the open pairs (gives the source and sink arc capacities).
    state : an optimal flow on the candidate graph.
    max_sweeps : give up after this many sweeps.

    Returns
    -------
    tuple (d_mentee, d_mentor, sweeps) or None
        int64 distances of mentee and mentor nodes and the sweeps used; None when the
        cap was hit before the distances settled.
    """
    n_e, n_m = pool.instance.shape
    d_e = np.zeros(n_e, np.int64)
    d_m = np.zeros(n_m, np.int64)
    d_s = d_t = 0
    # Residual arcs of the source, sink and bypass arcs (all cost 0).
    e_back_to_s = state.source_flow > 0  # mentee -> source
    s_to_e = state.source_flow < pool.want_left  # source -> mentee
    t_to_m = state.sink_flow > 0  # sink -> mentor
    m_to_t = state.sink_flow < pool.cap_left  # mentor -> sink
    t_to_s = state.bypass_flow > 0
    s_to_t = state.bypass_flow < state.bypass_cap
    # Matched pairs give mentor -> mentee arcs of cost -c; the others mentee -> mentor of c.
    m_rows, m_cols = state.rows[state.matched], state.cols[state.matched]
    m_gain = -state.cost[state.matched]
    free = ~state.matched
    order = np.argsort(state.cols[free], kind="stable")
    u_rows = state.rows[free][order]
    u_cols = state.cols[free][order]
    u_cost = state.cost[free][order]
    heads, starts = np.unique(u_cols, return_index=True)
    for sweep in range(1, max_sweeps + 1):
        before = (d_s, d_t, d_e.copy(), d_m.copy())
        if e_back_to_s.any():
            d_s = min(d_s, int(d_e[e_back_to_s].min()))
        if t_to_s:
            d_s = min(d_s, d_t)
        d_e[s_to_e] = np.minimum(d_e[s_to_e], d_s)
        np.minimum.at(d_e, m_rows, d_m[m_cols] + m_gain)
        if heads.size:
            best = np.minimum.reduceat(d_e[u_rows] + u_cost, starts)
            d_m[heads] = np.minimum(d_m[heads], best)
        d_m[t_to_m] = np.minimum(d_m[t_to_m], d_t)
        if m_to_t.any():
            d_t = min(d_t, int(d_m[m_to_t].min()))
        if s_to_t:
            d_t = min(d_t, d_s)
        if (
            d_s == before[0]
            and d_t == before[1]
            and np.array_equal(d_e, before[2])
            and np.array_equal(d_m, before[3])
        ):
            return d_e, d_m, sweep
    return None


def violations(
    pool: Pool,
    bonus: int,
    linear: np.ndarray,
    d_e: np.ndarray,
    d_head: np.ndarray,
    row_code: np.ndarray,
    per_row: int,
    margin: int = 0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Open pairs outside the candidate graph whose reduced cost is negative (or near it).

    A pair ``(i, j)`` ends at the node whose potential is ``d_head[row_code[i], j]``: the
    mentor for the plain flow (one row), or the mentor's sub-node for mentee ``i``'s
    department under a per-department cap (:mod:`matcher.solvers.bounded_flow`).
    The reduced cost ``-(bonus + to_int(s)) + d_e - d_head`` is negative exactly when
    ``rint(s * SCALE) > T`` with the integer ``T = d_e - d_head - bonus``, which needs
    ``s * SCALE >= T + 0.5``: a float test with some slack (``s >= (T - 0.5) / SCALE``)
    screens each row block in a few passes over the cells, and the exact integer test
    runs on the few cells that pass. Scores computed on demand are screened on their
    codes (:class:`~matcher.encode.lazy_scores.Codes`, upper bounds) instead, and the
    exact test computes the passing cells' scores.

    Parameters
    ----------
    pool : the open pairs.
    bonus : the per-place bonus used for the arc costs.
    linear : sorted linear indices (``row * n_mentors + col``) of the candidate pairs.
    d_e : potentials of the mentees.
    d_head : int64 (n_codes, n_mentors); potentials of the nodes pairs end at.
    row_code : int (n_mentees,); each mentee's row of ``d_head``.
    per_row : return at most this many of the most violating pairs per mentee
        (ties to the lower mentor).
    margin : also return pairs whose reduced cost is below this (>= 0, integer score
        units): pairs that may turn violating once the added ones move the potentials;
        at most :data:`NEAR_PER_BAD` of them per violating pair returned, the lowest first.

    Returns
    -------
    rows, cols, count : the returned pairs (int64, sorted) and the total number of
        violating pairs (0 proves optimality over the whole pool, whatever ``margin``).
    """
    inst = pool.instance
    n_m = inst.shape[1]
    bonus += margin  # reduced cost < margin  <=>  negative with the bonus raised by margin
    # Slack of 1 plus float rounding of the large integers: the screen is a superset.
    big = float(bonus) + float(np.abs(d_e).max(initial=0)) + float(np.abs(d_head).max(initial=0))
    # In score units (no scaled copy of each block); float error << the slack of 1.
    row_part = ((d_e - bonus).astype(np.float64) + (0.5 - 1.0 - big * 2.0**-40)) / SCALE
    col_part = d_head.astype(np.float64) / SCALE
    one_row = d_head.shape[0] == 1
    open_rows = pool.want_left > 0
    open_cols = pool.cap_left > 0
    pinned = np.sort(pool.pinned_rows * n_m + pool.pinned_cols)
    step = max(1, SCREEN_CELLS // max(1, n_m))
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    codes = getattr(inst.scores, "codes", None)
    row_f, col_f = row_part, col_part  # score units: for cells scored exactly
    if codes is not None:
        # In code units a cell of code q may reach the threshold when q + 2 >= (t - lo) / step,
        # t = row_part - col_part: so when q + ceil(col) >= ceil(row), all in integers.
        row_part = np.ceil((row_part - codes.lo) / codes.step - 2.0).astype(np.int64)
        col_part = np.ceil(col_part / codes.step).astype(np.int64)
        row_part, col_part = _narrow(row_part, col_part)

    chunked = codes is not None and codes.chunk_max is not None and n_m > 0
    if chunked:
        step = CHUNK_ROWS
        starts = np.arange(0, n_m, CHUNK)
        col_max = np.maximum.reduceat(col_part.astype(np.int64), starts, axis=1)

    def screen_rows(start: int, stop: int) -> None:
        for r0 in range(start, stop, step):
            r1 = min(stop, r0 + step)
            if not open_rows[r0:r1].any():
                continue
            s = None  # the cells' exact scores, when the screen computed them
            if chunked:
                i, j, s = _chunk_screen(r0, r1)
            else:
                i, j = np.nonzero(_block_screen(r0, r1))
                i += r0
            if i.size == 0:
                continue
            keep = open_rows[i] & open_cols[j]
            key = i * n_m + j
            keep &= ~_member(key, linear) & ~_member(key, pinned)
            i, j, key = i[keep], j[keep], key[keep]
            s = inst.scores[i, j] if s is None else s[keep]
            reduced = -(bonus + to_int(s)) + d_e[i] - d_head[row_code[i], j]
            near = reduced < 0  # below margin with the true bonus
            found[r0] = (key[near], reduced[near])

    def _block_screen(r0: int, r1: int) -> np.ndarray:
        cols_part = col_part[:1] if one_row else col_part[row_code[r0:r1]]
        if codes is None:
            screen = inst.scores[r0:r1] >= row_part[r0:r1, None] - cols_part
        else:
            q = codes.values[r0:r1]
            screen = q + cols_part >= row_part[r0:r1, None]
            if codes.topped:  # the highest code has no upper bound: it always passes
                screen |= q == CODE_TOP
        screen &= inst.eligible[r0:r1]
        return screen

    def _chunk_screen(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        # A chunk holds a passing cell only if its highest code plus its highest column
        # part reaches the row's part: the cells of the other chunks are never read.
        q_max = codes.chunk_max[r0:r1].astype(np.int64)
        c_max = col_max[:1] if one_row else col_max[row_code[r0:r1]]
        hit = q_max + c_max >= row_part[r0:r1, None]
        if codes.topped:
            hit |= q_max == CODE_TOP
        ci, cc = np.nonzero(hit)
        i = np.repeat(ci + r0, CHUNK)
        j = (cc[:, None] * CHUNK + np.arange(CHUNK)).ravel()
        inside = j < n_m
        i, j = i[inside], j[inside]
        if codes.values is None:  # score the chunks' cells exactly
            s = inst.scores.chunk_scores(ci + r0, cc).ravel()[inside]
            cols_f = col_f[0, j] if one_row else col_f[row_code[i], j]
            screen = s >= row_f[i] - cols_f
            screen &= inst.eligible[i, j]
            return i[screen], j[screen], s[screen]
        q = codes.values[i, j]
        cols_part = col_part[0, j] if one_row else col_part[row_code[i], j]
        screen = q + cols_part >= row_part[i]
        if codes.topped:
            screen |= q == CODE_TOP
        screen &= inst.eligible[i, j]
        return i[screen], j[screen], None

    for_row_ranges(screen_rows, inst.shape[0], step)
    keys = [found[r0][0] for r0 in sorted(found)]
    reduced_all = [found[r0][1] for r0 in sorted(found)]
    if not keys:
        empty = np.zeros(0, np.int64)
        return empty, empty, 0
    key = np.concatenate(keys)
    reduced = np.concatenate(reduced_all)
    if key.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, 0
    rows, cols = key // n_m, key % n_m
    # Per mentee, the most negative reduced costs first, ties to the lower mentor.
    order = np.lexsort((cols, reduced, rows))
    rows, cols, reduced = rows[order], cols[order], reduced[order]
    first = np.searchsorted(rows, rows, side="left")
    chosen = (np.arange(rows.size) - first) < per_row
    bad = reduced < -margin
    chosen &= bad | _fewest_near(reduced, chosen & bad, chosen & ~bad)
    extra = np.sort(rows[chosen] * n_m + cols[chosen])
    return extra // n_m, extra % n_m, int(np.count_nonzero(bad))


def _fewest_near(reduced: np.ndarray, bad: np.ndarray, near: np.ndarray) -> np.ndarray:
    """Bool: the ``near`` entries kept, at most :data:`NEAR_PER_BAD` per ``bad`` one,
    the lowest reduced costs first (ties to the earlier entry)."""
    limit = NEAR_PER_BAD * int(np.count_nonzero(bad))
    if np.count_nonzero(near) <= limit:
        return near
    at = np.flatnonzero(near)
    kept = np.zeros(reduced.size, bool)
    kept[at[np.argsort(reduced[at], kind="stable")[:limit]]] = True
    return kept


def _narrow(row_int: np.ndarray, col_int: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The test ``q + col >= row`` (q a uint16 code) in int32 when it fits: half the bytes.

    Both sides move by ``min(col)``; rows beyond int32 are clipped, which changes no
    answer while ``q + col`` stays below ``2**31 - 1`` (else int64 is kept).
    """
    base = int(col_int.min(initial=0))
    col_int, row_int = col_int - base, row_int - base
    if int(col_int.max(initial=0)) >= 2**31 - 2**17:
        return row_int, col_int
    limits = np.iinfo(np.int32)
    return np.clip(row_int, limits.min, limits.max).astype(np.int32), col_int.astype(np.int32)


def _member(keys: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Bool per key: is it in ``sorted_set`` (sorted int64)?"""
    if sorted_set.size == 0:
        return np.zeros(keys.size, bool)
    pos = np.minimum(np.searchsorted(sorted_set, keys), sorted_set.size - 1)
    return sorted_set[pos] == keys
