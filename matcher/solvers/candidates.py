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

from collections import Counter
from dataclasses import dataclass

import numpy as np

from matcher.instance import Instance
from matcher.model import InfeasibleError

BLOCK_CELLS = 2_000_000  # matrix cells per block


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

    def row_blocks(self):
        """Yield ``(r0, r1)`` row ranges covering every mentee."""
        n_rows, step = self.instance.shape[0], self.block_rows
        for r0 in range(0, n_rows, step):
            yield r0, min(n_rows, r0 + step)

    @property
    def places(self) -> int:
        """An upper bound on the places the open pairs can fill."""
        return int(min(self.want_left.sum(), self.cap_left.sum()))


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
        elif not instance.eligible[i, j]:
            who = f"({instance.mentee_ids[i]}, {instance.mentor_ids[j]})"
            conflicts.append(f"pinned pair {who} breaks a hard rule (ineligible)")
    if conflicts:
        raise InfeasibleError(conflicts)
    for i, count in sorted(Counter(i for i, _ in pinned).items()):
        if count > instance.wanted[i]:
            conflicts.append(
                f"mentee {instance.mentee_ids[i]} has {count} pinned pairs "
                f"but wants {int(instance.wanted[i])} (wanted)"
            )
    for j, count in sorted(Counter(j for _, j in pinned).items()):
        if count > instance.capacity[j]:
            conflicts.append(
                f"mentor {instance.mentor_ids[j]} has {count} pinned pairs "
                f"but capacity {int(instance.capacity[j])} (capacity)"
            )
    if conflicts:
        raise InfeasibleError(conflicts)
    rows = np.array([i for i, _ in pinned], dtype=np.int64)
    cols = np.array([j for _, j in pinned], dtype=np.int64)
    want_left = np.asarray(instance.wanted, np.int64) - np.bincount(rows, minlength=n_e)
    cap_left = np.asarray(instance.capacity, np.int64) - np.bincount(cols, minlength=n_m)
    return Pool(instance, np.maximum(want_left, 0), np.maximum(cap_left, 0), rows, cols)


def top_per_row(values: np.ndarray, valid: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Mask of the ``k`` largest valid entries of every row, ties to the lower column.

    Parameters
    ----------
    values : float (rows, cols).
    valid : bool (rows, cols); only valid entries can be chosen.
    k : how many per row (an int, or an int array with one value per row).

    Returns
    -------
    np.ndarray
        bool (rows, cols); at most ``k`` True per row (fewer when fewer are valid).
    """
    n_rows, n_cols = values.shape
    k = np.broadcast_to(np.asarray(k, np.int64), (n_rows,))
    if n_rows == 0 or n_cols == 0:
        return np.zeros((n_rows, n_cols), bool)
    v = np.where(valid, values, -np.inf)
    kk = np.clip(k, 1, n_cols) - 1
    part = np.partition(-v, np.unique(kk), axis=1)
    kth = -part[np.arange(n_rows), kk][:, None]
    greater = v > kth
    equal = v == kth
    need = k[:, None] - greater.sum(axis=1, keepdims=True)
    chosen = greater | (equal & (np.cumsum(equal, axis=1) <= need))
    chosen &= valid
    chosen[k <= 0] = False
    return chosen


def candidate_pairs(pool: Pool, k: int, l_extra: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The sparse candidate graph: top-``k`` per mentee united with top-L per mentor.

    Parameters
    ----------
    pool : the open pairs.
    k : candidate mentors kept per mentee.
    l_extra : a mentor ``j`` keeps its ``2 * cap_left[j] + l_extra`` best mentees.

    Returns
    -------
    rows, cols : int64 arrays of the candidate pairs, sorted by (mentee, mentor).
    """
    inst = pool.instance
    n_e, n_m = inst.shape
    found = []
    for r0, r1 in pool.row_blocks():
        chosen = top_per_row(inst.scores[r0:r1], pool.mask(r0, r1), k)
        i, j = np.nonzero(chosen)
        found.append((i + r0) * n_m + j)
    col_step = max(1, BLOCK_CELLS // max(1, n_e))
    for c0 in range(0, n_m, col_step):
        c1 = min(n_m, c0 + col_step)
        l_cols = 2 * pool.cap_left[c0:c1] + l_extra
        chosen = top_per_row(inst.scores[:, c0:c1].T, pool.mask(0, n_e, c0, c1).T, l_cols)
        j, i = np.nonzero(chosen)
        found.append(i * n_m + (j + c0))
    linear = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
    return linear // n_m, linear % n_m


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
