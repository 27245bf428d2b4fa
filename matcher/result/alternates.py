"""The next-best mentors each mentee did not get, and why not.

For every mentee who takes part, the ``k`` best eligible mentors outside their pairs
(the solvers' one top-k, :func:`matcher.solvers.sweep.top_rows`), each with a
short reason: full, a lower score than the assigned mentor, the department cap, or the
objective's choice. When the flow's sweep over scores computed on demand kept every
mentee's best open mentors (:class:`matcher.solvers.sweep.RowTops`) and those include the
answer, they are read from there instead of searching every score again.
:func:`ranked_outside` is that ranking alone; the unmatched mentees' reasons read each
mentee's best mentor from it too (:func:`best_outside`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.encode.instance import Instance
from matcher.parallel import for_row_ranges
from matcher.result.explain import group_columns, group_loads, loads, pair_arrays
from matcher.results import SCORE_DIGITS, Alternate
from matcher.solvers.sweep import top_rows

_BLOCK_CELLS = 131_072  # cells per block of the search (L2-cache sized)

# Why an alternate was not chosen, by the first reason that holds (see _why_not_codes).
_FULL, _LOWER, _LOWER_THAN_ALL, _CAPPED, _CHOSEN, _UNUSED = range(6)


@dataclass(frozen=True)
class Ranked:
    """The best eligible mentors outside each mentee's pairs, as parallel arrays.

    Attributes
    ----------
    k : entries per mentee at most.
    rows, cols : int64 mentee and mentor indices, by mentee, then score (best first),
        then mentor.
    scores : float64 exact scores of those pairs.
    """

    k: int
    rows: np.ndarray
    cols: np.ndarray
    scores: np.ndarray


def ranked_outside(instance: Instance, pairs: Sequence[tuple[int, int]], k: int = 3) -> Ranked:
    """The ``k`` best eligible mentors outside each mentee's pairs (see :func:`alternates`).

    Parameters
    ----------
    instance : the solved instance.
    pairs : the matching, as (mentee index, mentor index).
    k : entries per mentee.

    Returns
    -------
    Ranked
        Mentees who sit out get none; mentors who sit out are never offered.
    """
    n_m = instance.shape[1]
    rows, cols = pair_arrays(pairs)
    tops = getattr(instance.scores, "row_tops", None)
    if tops is not None and tops.serves(instance, k):
        at_i, at_j, scores = _from_lists(tops, rows * n_m + cols, n_m, k)
    else:
        at_i, at_j = _search(instance, rows, cols, k)
        scores = instance.scores[at_i, at_j] if at_i.size else np.zeros(0)
    return Ranked(k, at_i, at_j, np.asarray(scores, dtype=np.float64))


def best_outside(ranked: Ranked) -> dict[int, tuple[int, float]]:
    """mentee index -> (mentor index, score) of the first entry of each mentee in ``ranked``."""
    first = np.flatnonzero(np.diff(ranked.rows, prepend=-1) != 0)
    mentors, scores = ranked.cols[first].tolist(), ranked.scores[first].tolist()
    return dict(zip(ranked.rows[first].tolist(), zip(mentors, scores, strict=True), strict=True))


def alternates(
    instance: Instance,
    pairs: Sequence[tuple[int, int]],
    objective: str = "total",
    k: int = 3,
    ranked: Ranked | None = None,
) -> tuple[Alternate, ...]:
    """The ``k`` best eligible mentors each mentee did not get, with why not.

    Parameters
    ----------
    instance : the solved instance.
    pairs : the matching, as (mentee index, mentor index).
    objective : the objective's name, for the texts.
    k : alternates per mentee.
    ranked : :func:`ranked_outside` of the same instance, pairs and ``k``, when the
        caller has it already.

    Returns
    -------
    tuple of Alternate
        By mentee index, then score (best first), then mentor index. Mentees who sit
        out get none; mentors who sit out are never offered.
    """
    if ranked is None:
        ranked = ranked_outside(instance, pairs, k)
    if not ranked.rows.size:
        return ()
    codes = _why_not_codes(instance, pairs, ranked)
    texts = _why_not_texts(instance, objective)
    capacity = np.asarray(instance.capacity)
    why = [
        texts[code] if code != _FULL else _full_text(cap)
        for code, cap in zip(codes.tolist(), capacity[ranked.cols].tolist(), strict=True)
    ]
    e_ids, m_ids = instance.mentee_ids, instance.mentor_ids
    mentees = [e_ids[i] for i in ranked.rows.tolist()]
    mentors = [m_ids[j] for j in ranked.cols.tolist()]
    scores = [round(score, SCORE_DIGITS) for score in ranked.scores.tolist()]
    return tuple(map(Alternate, mentees, mentors, scores, why))


def _from_lists(tops, assigned: np.ndarray, n_m: int, k: int):
    """The first ``k`` entries of each mentee's list that are not their pairs."""
    linear = tops.rows * n_m + tops.cols
    assigned = np.sort(assigned)
    at = np.minimum(np.searchsorted(assigned, linear), max(0, assigned.size - 1))
    keep = assigned[at] != linear if assigned.size else np.ones(linear.size, bool)
    rows, cols, values = tops.rows[keep], tops.cols[keep], tops.values[keep]
    rank = np.arange(rows.size) - np.searchsorted(rows, rows)
    first = rank < k
    return rows[first], cols[first], values[first]


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


def _why_not_codes(instance: Instance, pairs, ranked: Ranked) -> np.ndarray:
    """For each alternate, the first reason that holds (``_FULL`` ... ``_UNUSED``)."""
    n_e = instance.shape[0]
    got, load = loads(instance, pairs)
    capacity, wanted = np.asarray(instance.capacity), np.asarray(instance.wanted)
    rows, cols = pair_arrays(pairs)
    worst = np.full(n_e, np.inf)
    if rows.size:
        np.minimum.at(worst, rows, np.asarray(instance.scores[rows, cols], dtype=np.float64))
    i, j = ranked.rows, ranked.cols
    holds = (
        (_FULL, load[j] >= capacity[j]),
        (_LOWER, (got[i] > 0) & (ranked.scores <= worst[i])),
        (_CAPPED, _capped(instance, rows, cols, i, j)),
        (_CHOSEN, got[i] >= wanted[i]),
    )
    codes = np.full(i.size, _UNUSED, dtype=np.int64)
    for code, mask in reversed(holds):  # the first reason that holds is written last
        codes[mask] = code
    codes[(codes == _LOWER) & (got[i] > 1)] = _LOWER_THAN_ALL
    return codes


def _capped(instance: Instance, rows, cols, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Bool per alternate: the mentor already has ``max_per_group`` of the mentee's group."""
    per = group_loads(instance, rows, cols)
    if per is None:
        return np.zeros(i.size, dtype=bool)
    grouped = np.asarray(instance.mentee_group, dtype=np.int64)[i] >= 0
    return grouped & (per[j, group_columns(instance, i)] >= instance.max_per_group)


def _why_not_texts(instance: Instance, objective: str) -> dict[int, str]:
    """The fixed texts of the codes of :func:`_why_not_codes` (``_FULL``: :func:`_full_text`)."""
    return {
        _LOWER: "lower score than the assigned mentor",
        _LOWER_THAN_ALL: "lower score than the assigned mentors",
        _CAPPED: f"already has {instance.max_per_group} mentees of this department (the cap)",
        _CHOSEN: f"has a free place, but the {objective} objective chose the assigned mentor",
        _UNUSED: "has a free place, but the solver did not use it (see the result's notes)",
    }


def _full_text(cap: int) -> str:
    return f"full: all {cap} place{'s' if cap != 1 else ''} taken"
