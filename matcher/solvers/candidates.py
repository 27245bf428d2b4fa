"""Which pairs the flow solver may use: the pool of open pairs and its sparse candidate graph.

The *pool* is every pair the full problem allows once pinned pairs are fixed: eligible,
not pinned, between a mentee who still wants a mentor and a mentor with room left. Small
pools are used whole. For large ones the candidate graph is the union of the top-K pool
mentors of every mentee and the top-L pool mentees of every mentor (top-K alone can lose
matched places: popular mentors fill every mentee's list). :mod:`matcher.solvers.certify`
then proves the candidate optimum against the whole pool, or says which pairs to add.

Everything here works on row or column blocks of the score matrix, so memory stays a
small multiple of one block. Ties are broken by index: lower mentee, then lower mentor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from matcher.encode.instance import Instance
from matcher.model import InfeasibleError
from matcher.parallel import for_row_ranges
from matcher.solvers.top_k import top_per_row
from matcher.sorted_ints import union_sorted, unique_sorted

BLOCK_CELLS = 131_072  # matrix cells per row block (L2-cache sized)
STREAM_CELLS = 65_536  # cells per row block when streaming the per-mentor top-L


@dataclass(frozen=True, eq=False)
class Pool:
    """The open pairs of an instance once its pinned pairs are fixed.

    Attributes
    ----------
    instance : the instance.
    want_left : int64 (n_mentees,); wanted places not filled by pinned pairs.
    cap_left : int64 (n_mentors,); mentor capacity not used by pinned pairs.
    pinned_rows, pinned_cols : int64 arrays of the (deduplicated, sorted) pinned pairs.
    """

    instance: Instance
    want_left: np.ndarray
    cap_left: np.ndarray
    pinned_rows: np.ndarray
    pinned_cols: np.ndarray

    @property
    def block_rows(self) -> int:
        """Rows per block so that a block holds about :data:`BLOCK_CELLS` cells."""
        return max(1, BLOCK_CELLS // max(1, self.instance.shape[1]))

    def mask(self, r0: int, r1: int, c0: int = 0, c1: int | None = None) -> np.ndarray:
        """Bool block ``[r0:r1, c0:c1]``: True where the pair is open."""
        inst = self.instance
        c1 = inst.shape[1] if c1 is None else c1
        block = inst.eligible[r0:r1, c0:c1] & (self.want_left[r0:r1, None] > 0)
        block &= self.cap_left[None, c0:c1] > 0
        hit = (self.pinned_rows >= r0) & (self.pinned_rows < r1)
        hit &= (self.pinned_cols >= c0) & (self.pinned_cols < c1)
        block[self.pinned_rows[hit] - r0, self.pinned_cols[hit] - c0] = False
        return block

    def row_blocks(self) -> Iterator[tuple[int, int]]:
        """Yield ``(r0, r1)`` row ranges covering every mentee."""
        n_rows, step = self.instance.shape[0], self.block_rows
        for r0 in range(0, n_rows, step):
            yield r0, min(n_rows, r0 + step)

    @property
    def places(self) -> int:
        """An upper bound on the places the open pairs can fill."""
        return int(min(self.want_left.sum(), self.cap_left.sum()))


def pin_conflicts(instance: Instance, pinned: np.ndarray) -> list[str]:
    """Pinned pairs that are ineligible or overfill a place, in words.

    Parameters
    ----------
    instance : the problem.
    pinned : bool (n_mentees, n_mentors), True at every pinned pair
        (:func:`matcher.solvers.preferences.pinned_matrix`).

    Returns
    -------
    list of str
        One sentence per offending pair, mentee or mentor; empty when all is well.
    """
    rows, cols = np.nonzero(pinned)
    return pin_conflicts_at(instance, rows, cols)


def pin_conflicts_at(instance: Instance, rows: np.ndarray, cols: np.ndarray) -> list[str]:
    """:func:`pin_conflicts` for pinned pairs given by index, without a full matrix.

    Parameters
    ----------
    instance : the problem.
    rows, cols : the pinned pairs, int arrays, sorted by (mentee, mentor), no repeats.

    Returns
    -------
    list of str
        As :func:`pin_conflicts`: ineligible pairs, then mentees, then mentors.
    """
    n_e, n_m = instance.shape
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    conflicts = []
    eligible = np.asarray(instance.eligible, dtype=bool)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if not eligible[i, j]:
            pair = f"({instance.mentee_ids[i]}, {instance.mentor_ids[j]})"
            conflicts.append(f"pinned pair {pair} breaks a hard rule")
    per_e = np.bincount(rows, minlength=n_e)
    for i in np.nonzero(per_e > np.asarray(instance.wanted))[0]:
        conflicts.append(
            f"mentee {instance.mentee_ids[i]} has {int(per_e[i])} pinned mentors "
            f"but wants {int(instance.wanted[i])}"
        )
    per_m = np.bincount(cols, minlength=n_m)
    for j in np.nonzero(per_m > np.asarray(instance.capacity))[0]:
        conflicts.append(
            f"mentor {instance.mentor_ids[j]} has {int(per_m[j])} pinned mentees "
            f"but capacity {int(instance.capacity[j])}"
        )
    return conflicts


def make_pool(instance: Instance) -> Pool:
    """Fix the pinned pairs of ``instance`` and describe what is left open.

    Parameters
    ----------
    instance : the instance; its pinned pairs must be eligible and fit the capacities.

    Returns
    -------
    Pool

    Raises
    ------
    InfeasibleError
        If a pinned pair is outside the matrix, ineligible, or overfills a mentee's wanted
        places or a mentor's capacity; every such pair is named.
    """
    n_e, n_m = instance.shape
    pinned = sorted(set(instance.pinned))
    conflicts: list[str] = []
    for i, j in pinned:
        if not (0 <= i < n_e and 0 <= j < n_m):
            conflicts.append(f"pinned pair ({i}, {j}) is outside the cohort")
    if conflicts:
        raise InfeasibleError(conflicts)
    rows = np.array([i for i, _ in pinned], dtype=np.int64)
    cols = np.array([j for _, j in pinned], dtype=np.int64)
    conflicts = pin_conflicts_at(instance, rows, cols)
    if conflicts:
        raise InfeasibleError(conflicts)
    want_left = np.asarray(instance.wanted, np.int64) - np.bincount(rows, minlength=n_e)
    cap_left = np.asarray(instance.capacity, np.int64) - np.bincount(cols, minlength=n_m)
    return Pool(instance, np.maximum(want_left, 0), np.maximum(cap_left, 0), rows, cols)


def candidate_pairs(pool: Pool, k: int, l_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sparse candidate graph: top-``k`` per mentee united with top-L per mentor.

    The one candidate graph of every solver: the flow keeps ``2 * cap_left + 5`` mentees
    per mentor (:func:`flow_candidates`), CP-SAT a fixed number (see
    :mod:`matcher.solvers.side_rules`).

    Parameters
    ----------
    pool : the open pairs.
    k : candidate mentors kept per mentee.
    l_cols : int64 (n_mentors,); mentor ``j`` keeps its ``l_cols[j]`` best mentees.

    Returns
    -------
    rows, cols : int64 arrays of the candidate pairs, sorted by (mentee, mentor).
    """
    inst = pool.instance
    n_e, n_m = inst.shape
    found: dict[tuple[int, int], np.ndarray] = {}  # by (pass, first row or column)

    def by_mentee(start: int, stop: int) -> None:
        for r0 in range(start, stop, pool.block_rows):
            r1 = min(stop, r0 + pool.block_rows)
            chosen = top_per_row(inst.scores[r0:r1], pool.mask(r0, r1), k)
            i, j = np.nonzero(chosen)
            found[0, r0] = (i + r0) * n_m + j

    l_cols = np.broadcast_to(np.asarray(l_cols, np.int64), (n_m,))

    def by_mentor(start: int, stop: int) -> None:
        found[1, start] = top_per_column(pool, l_cols, start, stop)

    for_row_ranges(by_mentee, n_e, pool.block_rows)
    for_row_ranges(by_mentor, n_e, max(1, STREAM_CELLS // max(1, n_m)))
    per_mentor = [found.pop(key) for key in sorted(k for k in found if k[0] == 1)]
    if len(per_mentor) > 1:  # each thread's best of its rows: keep the best of their union
        merged = np.concatenate(per_mentor)
        rows, cols = merged // n_m, merged % n_m
        col, _, row = best_per_mentor((cols, inst.scores[rows, cols], rows), l_cols)
        per_mentor = [row * n_m + col]
    parts = [found[key] for key in sorted(found)] + per_mentor
    linear = union_sorted(*parts)
    return linear // n_m, linear % n_m


def flow_candidates(pool: Pool, k: int, l_extra: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The flow solvers' candidate graph: each mentor keeps ``2 * cap_left + l_extra``."""
    return candidate_pairs(pool, k, 2 * pool.cap_left + l_extra)


def top_per_column(
    pool: Pool, l_cols: np.ndarray, r0: int = 0, r1: int | None = None
) -> np.ndarray:
    """The ``l_cols[j]`` best open mentees of each mentor among rows ``r0..r1-1``.

    Streams over row blocks (contiguous reads): each mentor keeps its best mentees so
    far and the score of the worst of them once it has ``l_cols[j]``; a block's cell is
    looked at again only when it beats that score, so after the first blocks only a few
    cells per block are merged. Ties go to the lower mentee, as in one pass over each
    full column (a later mentee with an equal score never displaces an earlier one).

    Parameters
    ----------
    pool : the open pairs.
    l_cols : int64 (n_mentors,); how many mentees each mentor keeps.
    r0, r1 : the mentee range (default: every mentee).

    Returns
    -------
    np.ndarray
        int64 linear indices ``mentee * n_mentors + mentor``, sorted.
    """
    inst = pool.instance
    n_e, n_m = inst.shape
    r1 = n_e if r1 is None else r1
    keep = np.asarray(l_cols, np.int64)
    floor = np.where(keep > 0, -np.inf, np.inf)  # beat this to enter (inf: keeps none)
    kept = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))  # mentor, score, mentee
    step = max(1, STREAM_CELLS // max(1, n_m))
    pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    n_pending = 0
    for b0 in range(r0, r1, step):
        b1 = min(r1, b0 + step)
        block = inst.scores[b0:b1]
        hit = block > floor[None, :]
        hit &= pool.mask(b0, b1)
        i, j = np.nonzero(hit)
        if i.size:
            pending.append((j, block[i, j], i + b0))
            n_pending += i.size
        # Merge (a sort) only once the new entries outnumber the kept ones: until then
        # the floors are stale (too low), which lets more cells through but loses none.
        if pending and (n_pending >= max(kept[0].size, STREAM_CELLS) or b1 == r1):
            kept = best_per_mentor(
                tuple(np.concatenate([kept[k]] + [p[k] for p in pending]) for k in range(3)),
                keep,
            )
            pending, n_pending = [], 0
            col, score, _ = kept
            if col.size:
                last = np.flatnonzero(np.r_[col[1:] != col[:-1], True])
                full = (np.bincount(col, minlength=n_m) >= keep)[col[last]]
                floor[col[last][full]] = score[last][full]
    col, _, row = kept
    return np.sort(row * n_m + col)


def best_per_mentor(entries, keep):
    """Entries (mentor, score, mentee) sorted by mentor, score (desc), mentee; top ``keep``."""
    col, score, row = entries
    order = np.lexsort((row, -score, col))
    col, score, row = col[order], score[order], row[order]
    rank = np.arange(col.size) - np.searchsorted(col, col)
    chosen = rank < keep[col]
    return col[chosen], score[chosen], row[chosen]


def in_set_block(linear: np.ndarray, n_cols: int, r0: int, r1: int) -> np.ndarray:
    """Mark a set of pairs in a row block.

    Parameters
    ----------
    linear : sorted int64 linear indices ``row * n_cols + col`` of the pairs.
    n_cols : the number of columns (mentors).
    r0, r1 : the row range of the block.

    Returns
    -------
    np.ndarray
        bool (r1 - r0, n_cols), True at the pairs of ``linear`` inside the block.
    """
    lo, hi = np.searchsorted(linear, [r0 * n_cols, r1 * n_cols])
    block = np.zeros((r1 - r0, n_cols), bool)
    part = linear[lo:hi] - r0 * n_cols
    block[part // n_cols, part % n_cols] = True
    return block


def open_subset(pool: Pool, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of ``rows, cols`` that are open in ``pool``, sorted and without repeats.

    A warm start hands a solver the graph of a neighbouring instance; pairs it no longer
    allows (ineligible, pinned, or with someone who has no place left) are dropped here.

    Parameters
    ----------
    pool : the open pairs.
    rows, cols : int64 (mentee, mentor) indices, any order, repeats allowed.

    Returns
    -------
    rows, cols : int64 arrays sorted by (mentee, mentor).
    """
    inst = pool.instance
    n_e, n_m = inst.shape
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    inside = (rows >= 0) & (rows < n_e) & (cols >= 0) & (cols < n_m)
    linear = unique_sorted(rows[inside] * n_m + cols[inside])
    rows, cols = linear // n_m, linear % n_m
    keep = inst.eligible[rows, cols] & (pool.want_left[rows] > 0) & (pool.cap_left[cols] > 0)
    pinned = np.sort(pool.pinned_rows * n_m + pool.pinned_cols)
    if pinned.size:
        at = np.minimum(np.searchsorted(pinned, linear), pinned.size - 1)
        keep &= pinned[at] != linear
    return rows[keep], cols[keep]
