"""The k best entries of each row of a score block, ties to the lower column.

The one top-k of the solvers and the result (candidate graphs, fair's additions,
alternates): :func:`top_per_row` as a mask, :func:`top_indices` as the chosen cells.
Small ``k`` take ``k`` passes of "each row's first maximum"; larger ones a partition.
"""

from __future__ import annotations

import numpy as np

ARGMAX_K = 16  # up to this many per row, k argmax passes beat a partition


def _argmax_passes(values: np.ndarray, valid: np.ndarray, k: int) -> list:
    """``k`` passes of "take each row's first maximum": the (rows, cols) each pass took."""
    v = np.where(valid, values, -np.inf)
    every = np.arange(v.shape[0])
    found = []
    for _ in range(min(k, v.shape[1])):
        best = v.argmax(axis=1)  # the first maximum: ties go to the lower column
        real = np.isfinite(v[every, best])
        found.append((every[real], best[real]))
        v[every, best] = -np.inf
    return found


def _top_by_argmax(values: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    """:func:`top_per_row` for a small ``k``: ``k`` passes of "take the first maximum"."""
    chosen = np.zeros(values.shape, bool)
    for rows, cols in _argmax_passes(values, valid, k):
        chosen[rows, cols] = True
    return chosen


def top_indices(values: np.ndarray, valid: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells :func:`top_per_row` chooses, without building its mask.

    Parameters
    ----------
    values : float (rows, cols).
    valid : bool (rows, cols); only valid entries can be chosen.
    k : how many per row.

    Returns
    -------
    rows, cols : int64 arrays of the chosen cells, in no particular order.
    """
    if 0 < k <= ARGMAX_K and values.size:
        found = _argmax_passes(values, valid, k) or [(np.zeros(0, np.int64),) * 2]
        return tuple(np.concatenate(part).astype(np.int64) for part in zip(*found, strict=True))
    rows, cols = np.nonzero(top_per_row(values, valid, k))
    return rows.astype(np.int64), cols.astype(np.int64)


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
    if np.ndim(k) == 0 and 0 < int(k) <= ARGMAX_K and n_rows and n_cols:
        return _top_by_argmax(values, valid, int(k))
    k = np.broadcast_to(np.asarray(k, np.int64), (n_rows,))
    if n_rows == 0 or n_cols == 0:
        return np.zeros((n_rows, n_cols), bool)
    v = np.ascontiguousarray(np.where(valid, values, -np.inf))
    kk = np.clip(k, 1, n_cols)
    pos = n_cols - kk  # the kk-th largest value sits at pos once partitioned
    part = np.partition(v, np.unique(pos), axis=1)
    kth = part[np.arange(n_rows), pos][:, None]
    # A row with fewer valid entries than k keeps them all (every finite value).
    floor = np.where(np.isfinite(kth), kth, -np.finfo(np.float64).max)
    chosen = v >= floor
    # Rows with ties at the k-th value beyond k entries keep the lowest columns.
    tie = np.count_nonzero(chosen, axis=1) > kk
    if tie.any():
        rows = np.flatnonzero(tie)
        vt, kt = v[rows], kth[rows]
        greater, equal = vt > kt, vt == kt
        need = kk[rows, None] - np.count_nonzero(greater, axis=1, keepdims=True)
        chosen[rows] = greater | (equal & (np.cumsum(equal, axis=1) <= need))
    chosen[k <= 0] = False
    return chosen
