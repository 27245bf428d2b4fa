"""Sorted sets of integers (pair indices ``mentee * n_mentors + mentor``) without repeats.

``np.unique`` on a plain 1-D array takes numpy's hash-table path (numpy >= 2.3), which on
a million pair indices took 1.18 s here against 0.08 s for a sort and a comparison with
the neighbour (numpy 2.4, 1.3 million int64 values below 5e8). Sets of pair indices are
built after every certificate round and for every candidate graph, so they use these.
The rows of a small 2-D key array likewise: ``np.unique(axis=0)`` sorts a structured view
(11 ms for 10,000 rows of two uint64 here, against 1.2 ms for a lexsort, and it imports
``numpy.ma``, 9 ms, at first use).
"""

from __future__ import annotations

import numpy as np


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D integer array, ascending (``np.unique`` by sorting).

    Parameters
    ----------
    values : 1-D integer array (not modified).

    Returns
    -------
    np.ndarray
        A new array of the same dtype.
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def union_sorted(*parts: np.ndarray) -> np.ndarray:
    """The distinct values of several 1-D integer arrays together, ascending."""
    return unique_sorted(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-D array, as ``np.unique(keys, axis=0, return_index=True,
    return_inverse=True)[1:]`` gives them.

    Parameters
    ----------
    keys : 2-D integer array (not modified).

    Returns
    -------
    first : int64 (n_distinct,); where each distinct row first appears, the rows in
        ascending order (first column first).
    code : int64 (n_rows,); the number of each row's distinct row, so
        ``keys[first][code]`` equals ``keys``.
    """
    order = np.lexsort(keys.T[::-1]).astype(np.int64)  # stable: ties keep their order
    ordered = keys[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    code = np.empty(len(order), dtype=np.int64)
    code[order] = np.cumsum(new) - 1
    return order[new], code
