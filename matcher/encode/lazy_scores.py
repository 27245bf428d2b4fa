"""Pair scores computed on demand, for cohorts too large for a dense float64 matrix.

A 50,000 x 10,000 cohort's score matrix is 3.7 GiB. :class:`LazyScores` stands where
:attr:`Instance.scores <matcher.encode.instance.Instance.scores>` holds a matrix and
answers the same questions without storing it: a block of rows (``scores[r0:r1]``) is
computed by :func:`matcher.encode.scoring.score_block`, pairs (``scores[rows, cols]``) by
:func:`matcher.encode.scoring.pair_scores`; both give the numbers of the dense matrix bit
for bit. Code that truly needs the whole matrix (``np.asarray(scores)``, arithmetic,
``copy()``) gets it materialised once and cached.

The first full pass over the scores (:mod:`matcher.solvers.sweep`) may leave
:attr:`LazyScores.codes`: a uint16 copy (2 bytes a cell, a quarter of float64) from which
a lower and an upper bound of every cell can be read, so later screens (the certificate,
alternates, reasons) pass over 2 bytes a cell and re-derive exact float64 values only for
the few cells the bounds cannot settle. With the compiled pass (:attr:`LazyScores.chunked`)
only the highest code of every :data:`CHUNK` mentors is kept, and the screens score the
chunks that can reach their threshold exactly (:meth:`LazyScores.chunk_scores`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from matcher.encode.score_tables import ScoreTables
from matcher.encode.scoring import pair_scores, score_block, score_matrix, weighted_tables

__all__ = ["CHUNK", "CODE_TOP", "COMPILED_CELLS", "Codes", "LazyScores", "chunk_maxima"]

CODE_TOP = 65_535  # the highest code: "at least lo + (CODE_TOP - 1) * step", unbounded above
# From this many cells on, blocks are computed and read by compiled passes (numba):
# they halve the time a cell takes but cost ~0.9 s to start in each process; measured
# even at 20,000 x 4,000 (80M cells), 2-3 s saved at 50,000 x 10,000.
COMPILED_CELLS = 100_000_000
CHUNK = 32  # mentors per chunk of :attr:`Codes.chunk_max` (measured: 3.6% of chunks pass at 50k)


@dataclass(frozen=True, eq=False)
class Codes:
    """A compact copy of a score matrix: ``code = floor((s - lo) / step)``, clipped.

    Attributes
    ----------
    values : uint16 (n_mentees, n_mentors), or None where chunks are scored exactly by the
        compiled pass (:attr:`LazyScores.chunked`): the chunk maxima alone then lead
        screens to the cells worth scoring, and 1 GB less is written at 50k x 10k.
    lo, step : the quantisation; a cell of code ``q`` has score in
        ``[lo + (q - 1) * step, lo + (q + 2) * step]`` (one step of slack either side for
        rounding), except code 0 (no lower bound) and :data:`CODE_TOP` (no upper bound).
    topped : False when no cell has code :data:`CODE_TOP` (screens may skip it).
    chunk_max : uint16 (n_mentees, ceil(n_mentors / CHUNK)) or None; the highest code of
        each mentee's mentors ``c * CHUNK .. (c + 1) * CHUNK - 1``, so a screen can pass
        over whole chunks that cannot reach its threshold (:func:`chunk_maxima`).
    """

    values: np.ndarray | None
    lo: float
    step: float
    topped: bool = True
    chunk_max: np.ndarray | None = None

    def upper(self, q: np.ndarray) -> np.ndarray:
        """float64 upper bounds of the cells with codes ``q``."""
        ub = self.lo + (q.astype(np.float64) + 2.0) * self.step
        return np.where(q == CODE_TOP, np.inf, ub)

    def lower(self, q: np.ndarray) -> np.ndarray:
        """float64 lower bounds of the cells with codes ``q``."""
        lb = self.lo + (q.astype(np.float64) - 1.0) * self.step
        return np.where(q == 0, -np.inf, lb)


def score_range(tables: ScoreTables) -> tuple[float, float]:
    """Where nearly every total score lies: [0, 1] widened by the external values.

    Components are in [0, 1] but the external one, and the total is their weighted mean
    (or the external value alone), so this holds every total. It only sets the code
    resolution: a value outside still gets a code whose bounds hold it.
    """
    values = tables.persons.ext_values
    lo = min(0.0, float(values.min(initial=0.0)))
    hi = max(1.0, float(values.max(initial=1.0)))
    return lo, hi


def quantise(block: np.ndarray, lo: float, inv: float, out: np.ndarray) -> None:
    """Write the codes of a float64 ``block`` into the uint16 ``out`` (same shape).

    ``inv`` is ``1 / step``: a code is ``floor((s - lo) * inv)``, clipped to the code range.
    """
    scaled = block - lo
    scaled *= inv
    np.clip(scaled, 0.0, float(CODE_TOP), out=scaled)
    out[...] = scaled  # the cast truncates: the floor of a value >= 0


def chunk_maxima(codes: np.ndarray, out: np.ndarray) -> None:
    """Write the per-:data:`CHUNK` maxima of the rows of ``codes`` into ``out`` (uint16)."""
    np.maximum.reduceat(codes, np.arange(0, codes.shape[1], CHUNK), axis=1, out=out)


class LazyScores(NDArrayOperatorsMixin):
    """A (n_mentees, n_mentors) float64 score matrix that computes what is asked.

    Indexing: ``s[r0:r1]`` (a block of rows, optionally indexed further), ``s[i, j]``,
    ``s[rows, cols]`` (broadcast index arrays, e.g. ``np.ix_``) and ``s[rows]`` (an int
    array of rows) compute only what they return. Anything else, and numpy operations,
    use the materialised matrix (computed once, then kept).

    Parameters
    ----------
    tables : from :func:`matcher.encode.score_tables.score_tables`.
    """

    def __init__(self, tables: ScoreTables):
        self.tables = tables
        self.shape = tables.shape
        self.dtype = np.dtype(np.float64)
        self.ndim = 2
        self.size = self.shape[0] * self.shape[1]
        self.codes: Codes | None = None
        self.row_tops = None  # the last sweep's top mentors per mentee (matcher.solvers.sweep)
        self.last_sweep = None  # the last sweep and what it read (matcher.solvers.sweep.swept)
        self._dense: np.ndarray | None = None
        self._weighted = weighted_tables(tables)
        # The compiled path's layout (matcher.encode.score_kernel), made on first use.
        self._plan = None if self.size >= COMPILED_CELLS else False
        soft = tables.attributes.soft if "attributes" in tables.active else ()
        # Text similarity sums sparse products in another order per pair than per block.
        self._pairs_exact = not any(t.text is not None for t in soft)

    def __len__(self) -> int:
        return self.shape[0]

    def score_rows(self, r0: int, r1: int) -> np.ndarray:
        """float64 ``(r1 - r0, n_mentors)``: every score of mentees ``r0..r1-1``."""
        if self._dense is not None:
            return self._dense[r0:r1]
        r0, r1 = max(0, r0), min(self.shape[0], r1)
        out = np.empty((max(0, r1 - r0), self.shape[1]))
        if r1 <= r0:
            return out
        plan = self._compiled_plan()
        if plan:
            from matcher.encode.score_kernel import score_rows

            score_rows(plan, self.tables, r0, r1, out)
        else:
            score_block(self.tables, r0, r1, out, self._weighted)
        return out

    def _compiled_plan(self):
        """The compiled path's layout (made once), or False to compute blocks in numpy."""
        if self._plan is None:
            from matcher.encode.score_kernel import plan_scores  # numba: only this large

            self._plan = plan_scores(self.tables, self._weighted) or False
        return self._plan

    @property
    def chunked(self) -> bool:
        """Whether runs of mentors are scored by the compiled pass (:meth:`chunk_scores`)."""
        plan = self._compiled_plan() if self._dense is None else False
        return bool(plan) and not plan.numpy_names

    def chunk_scores(self, rows: np.ndarray, chunks: np.ndarray) -> np.ndarray:
        """float64 ``(rows.size, CHUNK)``: mentee ``rows[p]``'s scores of the mentors of chunk
        ``chunks[p]`` (``chunks[p] * CHUNK`` on; -inf past the last mentor), as the matrix
        has them. Needs :attr:`chunked`."""
        from matcher.encode.score_kernel import score_chunks

        out = np.empty((np.size(rows), CHUNK))
        score_chunks(self._compiled_plan(), rows, np.asarray(chunks, np.int64) * CHUNK, out)
        return out

    def scores_at(self, rows, cols) -> np.ndarray:
        """float64 scores of the pairs of two broadcastable index arrays (or scalars)."""
        if self._dense is not None:
            return self._dense[rows, cols]
        rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        if self._pairs_exact:
            return np.asarray(pair_scores(self.tables, rows, cols), dtype=np.float64)
        rows, cols = np.broadcast_arrays(rows, cols)
        out = np.empty(rows.shape)
        for i in np.unique(rows).tolist():
            at = rows == i
            out[at] = self.score_rows(i, i + 1)[0, cols[at]]
        return out

    def __getitem__(self, key):
        if self._dense is not None:
            return self._dense[key]
        if isinstance(key, slice) and key.step in (None, 1):
            r0, r1, _ = key.indices(self.shape[0])
            return self.score_rows(r0, r1)
        if isinstance(key, tuple) and len(key) == 2:
            first, second = key
            if isinstance(first, slice) and first.step in (None, 1):
                return self[first][:, second]
            if _is_index(first) and _is_index(second):
                value = self.scores_at(first, second)
                return value[()] if value.ndim == 0 else value
        if _is_index(key) and np.ndim(key) == 1:
            rows = np.asarray(key, np.int64)
            if rows.size == 0:
                return np.zeros((0, self.shape[1]))
            lo, hi = int(rows.min()), int(rows.max()) + 1
            if hi - lo <= 4 * rows.size:  # close together: one block of rows is cheaper
                return self.score_rows(lo, hi)[rows - lo]
            return np.concatenate([self.score_rows(i, i + 1) for i in rows.tolist()])
        return self.materialise()[key]

    def materialise(self) -> np.ndarray:
        """The whole matrix (computed on the first call, then kept)."""
        if self._dense is None:
            self._dense = score_matrix(self.tables)
        return self._dense

    def __array__(self, dtype=None, copy=None):
        dense = self.materialise()
        if dtype is not None and np.dtype(dtype) != dense.dtype:
            return dense.astype(dtype)
        return dense.copy() if copy else dense

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x.materialise() if isinstance(x, LazyScores) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def copy(self) -> np.ndarray:
        """A dense, writable matrix (computed afresh unless already kept: one copy, not two)."""
        return score_matrix(self.tables) if self._dense is None else self._dense.copy()


def _is_index(value) -> bool:
    """An int or an int array (what :meth:`LazyScores.scores_at` takes)."""
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, np.ndarray | list | tuple) and np.asarray(value).dtype.kind in "iu"
