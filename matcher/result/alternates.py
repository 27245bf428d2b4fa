"""The next-best mentors each mentee did not get, and why not.

For every mentee who takes part, the ``k`` best eligible mentors outside their pairs
(the solvers' one top-k, :func:`matcher.solvers.sweep.top_rows`), each with a
short reason: full, a lower score than the assigned mentor, the department cap, or the
objective's choice. When the flow's sweep over scores computed on demand kept every
mentee's best open mentors (:class:`matcher.solvers.sweep.RowTops`) and those include the
answer, they are read from there instead of searching every score again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.encode.instance import Instance
from matcher.parallel import for_row_ranges
from matcher.result.explain import loads
from matcher.results import SCORE_DIGITS, Alternate
from matcher.solvers.sweep import top_rows

_BLOCK_CELLS = 131_072  # cells per block of the search (L2-cache sized)


def alternates(
    instance: Instance,
    pairs: Sequence[tuple[int, int]],
    objective: str = "total",
    k: int = 3,
) -> tuple[Alternate, ...]:
    """The ``k`` best eligible mentors each mentee did not get, with why not.

    Parameters
    ----------
    instance : the solved instance.
    pairs : the matching, as (mentee index, mentor index).
    objective : the objective's name, for the texts.
    k : alternates per mentee.

    Returns
    -------
    tuple of Alternate
        By mentee index, then score (best first), then mentor index. Mentees who sit
        out get none; mentors who sit out are never offered.
    """
    n_e, n_m = instance.shape
    got, load = loads(instance, pairs)
    capacity = np.asarray(instance.capacity)
    worst = np.full(n_e, np.inf)
    group_load: dict[tuple[int, int], int] = {}
    groups = instance.mentee_group
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([j for _, j in pairs], dtype=np.int64)
    pair_scores = instance.scores[rows, cols].tolist() if rows.size else []
    for i, j, score in zip(rows.tolist(), cols.tolist(), pair_scores, strict=True):
        worst[i] = min(worst[i], score)
        if groups is not None and groups[i] >= 0:
            key = (j, int(groups[i]))
            group_load[key] = group_load.get(key, 0) + 1
    tops = getattr(instance.scores, "row_tops", None)
    if tops is not None and tops.serves(instance, k):
        at_i, at_j, scores = _from_lists(tops, rows * n_m + cols, n_m, k)
    else:
        at_i, at_j = _search(instance, rows, cols, k)
        scores = instance.scores[at_i, at_j].tolist() if at_i.size else []
    if not at_i.size:
        return ()
    state = (got.tolist(), load.tolist(), worst.tolist(), np.asarray(capacity).tolist())
    e_ids, m_ids = instance.mentee_ids, instance.mentor_ids
    out = []
    for i, j, score in zip(at_i.tolist(), at_j.tolist(), scores, strict=True):
        why = _why_not(instance, objective, i, j, score, state, group_load)
        out.append(Alternate(e_ids[i], m_ids[j], round(score, SCORE_DIGITS), why))
    return tuple(out)


def _from_lists(tops, assigned: np.ndarray, n_m: int, k: int):
    """The first ``k`` entries of each mentee's list that are not their pairs."""
    linear = tops.rows * n_m + tops.cols
    assigned = np.sort(assigned)
    at = np.minimum(np.searchsorted(assigned, linear), max(0, assigned.size - 1))
    keep = assigned[at] != linear if assigned.size else np.ones(linear.size, bool)
    rows, cols, values = tops.rows[keep], tops.cols[keep], tops.values[keep]
    rank = np.arange(rows.size) - np.searchsorted(rows, rows)
    first = rank < k
    return rows[first], cols[first], values[first].tolist()


def _search(instance: Instance, rows: np.ndarray, cols: np.ndarray, k: int):
    """The ``k`` best eligible mentors outside each mentee's pairs, block by block."""
    n_e, n_m = instance.shape
    wanted, capacity = np.asarray(instance.wanted), np.asarray(instance.capacity)
    step = max(1, _BLOCK_CELLS // max(1, n_m))
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def search(lo: int, hi: int) -> None:
        for start in range(lo, hi, step):
            stop = min(hi, start + step)
            ok = instance.eligible[start:stop] & (capacity > 0)[None, :]
            ok &= (wanted[start:stop] > 0)[:, None]
            mine = (rows >= start) & (rows < stop)
            ok[rows[mine] - start, cols[mine]] = False  # assigned pairs are not alternates
            chosen, values = top_rows(instance.scores, np.arange(start, stop), ok, k)
            r, c = np.nonzero(chosen)
            order = np.lexsort((c, -values[r, c], r))  # by mentee, then score, then mentor
            found[start] = (start + r[order], c[order])

    for_row_ranges(search, n_e, step)
    empty = np.zeros(0, np.int64)
    at_i = np.concatenate([found[start][0] for start in sorted(found)] + [empty])
    at_j = np.concatenate([found[start][1] for start in sorted(found)] + [empty])
    return at_i.astype(np.int64), at_j.astype(np.int64)


def _why_not(instance, objective, i, j, score, state, group_load) -> str:
    got, load, worst, capacity = state
    cap = capacity[j]
    if load[j] >= cap:
        return f"full: all {cap} place{'s' if cap != 1 else ''} taken"
    if got[i] and score <= worst[i]:
        return "lower score than the assigned mentor" + ("s" if got[i] > 1 else "")
    groups = instance.mentee_group
    if groups is not None and groups[i] >= 0 and instance.max_per_group is not None:
        if group_load.get((j, int(groups[i])), 0) >= instance.max_per_group:
            return f"already has {instance.max_per_group} mentees of this department (the cap)"
    if got[i] >= instance.wanted[i]:
        return f"has a free place, but the {objective} objective chose the assigned mentor"
    return "has a free place, but the solver did not use it (see the result's notes)"
