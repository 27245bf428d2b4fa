"""The next-best mentors each mentee did not get, and why not.

For every mentee who takes part, the ``k`` best eligible mentors outside their pairs
(the solvers' one top-k, :func:`matcher.solvers.sweep.top_rows`), each with a
short reason: full, a lower score than the assigned mentor, the department cap, or the
objective's choice.
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
    wanted, capacity = np.asarray(instance.wanted), np.asarray(instance.capacity)
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
    found_i = [found[start][0] for start in sorted(found)]
    found_j = [found[start][1] for start in sorted(found)]
    if not found_i:
        return ()
    at_i = np.concatenate(found_i)
    at_j = np.concatenate(found_j)
    scores = instance.scores[at_i, at_j].tolist()
    state = (got.tolist(), load.tolist(), worst.tolist(), np.asarray(capacity).tolist())
    e_ids, m_ids = instance.mentee_ids, instance.mentor_ids
    out = []
    for i, j, score in zip(at_i.tolist(), at_j.tolist(), scores, strict=True):
        why = _why_not(instance, objective, i, j, score, state, group_load)
        out.append(Alternate(e_ids[i], m_ids[j], round(score, SCORE_DIGITS), why))
    return tuple(out)


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
