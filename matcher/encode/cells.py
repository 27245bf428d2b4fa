"""The cells where pair quantities are evaluated: a block of mentee rows, or a set of pairs.

Scoring and the hard rules are written once against :class:`Cells`; the score matrix uses
``Cells.block`` (contiguous mentee rows x every mentor, fast row gathers) and single-pair
look-ups use ``Cells.pairs`` (broadcast index arrays). Both perform the same floating-point
operations in the same order on the same values, so a pair's number is bit-identical on
either path. Pair lists are looked up by key ``mentee * n_mentors + mentor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


class Cells:
    """The cells where components or rules are evaluated.

    ``Cells.block(start, stop, n_mentors)``: mentees ``start..stop-1`` against every mentor,
    giving ``(stop - start, n_mentors)`` arrays. ``Cells.pairs(e, m)``: the pairs of two
    broadcastable index arrays (1-D pair lists or ``[:, None]`` x ``[None, :]`` blocks).
    Both give bit-identical numbers for the same pair.
    """

    def __init__(self, e, m, start, stop, n_mentors):
        self._e, self._m = e, m
        self._start, self._stop = start, stop
        self.n_mentors = n_mentors
        if e is None:
            self.shape = (stop - start, n_mentors)
        else:
            self.shape = np.broadcast_shapes(e.shape, m.shape)

    @classmethod
    def block(cls, start: int, stop: int, n_mentors: int) -> Cells:
        return cls(None, None, start, stop, n_mentors)

    @classmethod
    def pairs(cls, mentee_idx: ArrayLike, mentor_idx: ArrayLike, n_mentors: int) -> Cells:
        e = np.asarray(mentee_idx, dtype=np.int64)
        m = np.asarray(mentor_idx, dtype=np.int64)
        return cls(e, m, None, None, n_mentors)

    def mentee(self, values: np.ndarray) -> np.ndarray:
        """A per-mentee array, shaped to broadcast against :meth:`mentor`."""
        if self._e is None:
            return values[self._start : self._stop, None]
        return values[self._e]

    def mentor(self, values: np.ndarray) -> np.ndarray:
        """A per-mentor array, shaped to broadcast against :meth:`mentee`."""
        return values if self._m is None else values[self._m]

    def code_table(self, table: np.ndarray, e_code: np.ndarray, m_code: np.ndarray) -> np.ndarray:
        """``table[e_code[mentee], m_code[mentor]]``."""
        if self._e is None:
            return np.take(table[e_code[self._start : self._stop]], m_code, axis=1)
        return table[e_code[self._e], m_code[self._m]]

    def code_rows(self, rows: np.ndarray, e_code: np.ndarray) -> np.ndarray:
        """``rows[e_code[mentee], mentor]``: a table already laid out over the mentors."""
        if self._e is None:
            return rows[e_code[self._start : self._stop]]
        return rows[e_code[self._e], self._m]

    def table_sum(self, table: np.ndarray, rows: np.ndarray, count: np.ndarray) -> np.ndarray:
        """Sum over q of ``table[rows[mentee, q], mentor]`` (float64), q in ascending order."""
        out = np.zeros(self.shape)
        if self._e is None:
            width = int(count[self._start : self._stop].max(initial=0))
            buf = np.empty(self.shape)
            for q in range(width):
                np.take(table, rows[self._start : self._stop, q], axis=0, out=buf)
                out += buf
        else:
            for q in range(rows.shape[1]):
                out += table[rows[self._e, q], self._m]
        return out

    def sparse_dot(self, e_rows, m_rows, m_dense_t: np.ndarray | None = None) -> np.ndarray:
        """Row-by-row dot products of two sparse (CSR) matrices: mentee row . mentor row.

        A block is one product (with ``m_dense_t``, the mentor rows transposed and dense,
        a sparse-times-dense one); pairs multiply their rows one by one (equal to the
        block's numbers to 1e-12, not bit for bit: the sums run in another order).
        """
        if self._e is None:
            block = e_rows[self._start : self._stop]
            if m_dense_t is not None:
                return np.asarray(block @ m_dense_t)
            return (block @ m_rows.T).toarray()
        e, m = np.broadcast_arrays(self._e, self._m)
        product = e_rows[e.ravel()].multiply(m_rows[m.ravel()])
        return np.asarray(product.sum(axis=1)).reshape(e.shape)

    def lookup(self, keys: np.ndarray, values: np.ndarray, default: bool | float) -> np.ndarray:
        """The value listed for each pair (key ``mentee * n_mentors + mentor``) or ``default``."""
        n_m = self.n_mentors
        out = np.full(self.shape, default, dtype=values.dtype)
        if keys.size == 0:
            return out
        if self._e is None:
            lo, hi = np.searchsorted(keys, [self._start * n_m, self._stop * n_m])
            hit = keys[lo:hi]
            out[hit // n_m - self._start, hit % n_m] = values[lo:hi]
            return out
        wanted = self._e * n_m + self._m
        pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        found = keys[pos] == wanted
        out[found] = values[pos[found]]
        return out


def sorted_lookup(
    mentee_idx: ArrayLike, mentor_idx: ArrayLike, values: ArrayLike, n_mentors: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted pair keys and their values (the last listing of a repeated pair wins).

    Parameters
    ----------
    mentee_idx, mentor_idx : the listed pairs' indices (int lists or arrays, one per pair).
    values : one value per listed pair.
    n_mentors : the number of mentors (keys are ``mentee * n_mentors + mentor``).

    Returns
    -------
    (keys, values)
        int64 keys, sorted and without repeats, and the value listed last for each.
    """
    keys = np.asarray(mentee_idx, np.int64) * n_mentors + np.asarray(mentor_idx, np.int64)
    values = np.asarray(values)
    if keys.size == 0:
        return keys.reshape(0), values.reshape(0)
    rev_keys, first = np.unique(keys[::-1], return_index=True)
    return rev_keys, values[::-1][first]
