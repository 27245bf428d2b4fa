"""The sweep's per-block work in one compiled pass over the block (numba).

:func:`matcher.solvers.sweep.sweep` reads every score of a large cohort once. In numpy
each thing it gathers from a block (the uint16 codes and their chunk maxima, the count and
range of the open scores, each mentee's top ``k``, the cells that beat a mentor's kept
floor) was a pass of its own, about ten passes and their temporaries per block;
:func:`scan_block` does them all in one loop over the cells, with the same results:

- codes as :func:`matcher.encode.lazy_scores.quantise` writes them (``floor((s - lo) *
  inv)`` clipped to ``[0, CODE_TOP]``) and chunk maxima as
  :func:`~matcher.encode.lazy_scores.chunk_maxima`;
- each row's ``k`` best open cells, ties to the lower mentor, as
  :func:`matcher.solvers.top_k.top_indices` (an insertion into a sorted list of ``k``:
  a cell enters only when it beats the ``k``-th, so an equal later cell never does);
- the open cells above ``floor[mentor]``, as ``_MentorTop.add`` collects them.

Compiled on first use and cached on disk (``cache=True``); it releases the GIL, so
:func:`matcher.parallel.for_row_ranges` runs blocks on several cores.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from matcher.encode.lazy_scores import CHUNK, CODE_TOP


@njit(cache=True, nogil=True)
def scan_block(block, mask, k, floor, quant, written, top, hits):
    """One pass over a block of scores: codes, open count and range, top-k, mentor hits.

    Parameters
    ----------
    block : float64 (rows, n_mentors), the scores.
    mask : bool (rows, n_mentors), True at open pairs.
    k : int, open mentors kept per row.
    floor : float64 (n_mentors,); an open cell above ``floor[j]`` is a hit.
    quant : (lo, inv), the quantisation: ``code = floor((s - lo) * inv)``.
    written : (codes, chunk_max), uint16 (rows, n_mentors) and (rows, ceil(n_mentors /
        CHUNK)), written in place; codes of shape (rows, 0) to write only the chunk
        maxima, two (0, 0) arrays to write neither.
    top : (rows * k,) int64 rows, int64 mentors, float64 scores: filled with the top-k,
        row by row, best first.
    hits : (rows * n_mentors,) int64 mentors, float64 scores, int64 rows: filled with the
        hits in row-major order.

    Returns
    -------
    (n_top, n_hits, n_open, open_min, open_max, cell_max)
        ``open_min`` / ``open_max`` are inf / -inf when nothing is open; ``cell_max`` is
        the highest score of any cell (-inf for an empty block).
    """
    n_rows, n_m = block.shape
    lo, inv = quant
    codes, chunk_max = written
    top_i, top_j, top_v = top
    hit_j, hit_s, hit_i = hits
    with_codes = chunk_max.shape[0] > 0
    best_v = np.empty(max(k, 1))
    best_j = np.empty(max(k, 1), np.int64)
    n_top = n_hits = n_open = 0
    open_min, open_max, cell_max = np.inf, -np.inf, -np.inf
    for r in range(n_rows):
        row = block[r]
        if with_codes:
            cell_max = max(cell_max, _quantise_row(row, lo, inv, codes[r], chunk_max[r]))
        else:
            for j in range(n_m):
                cell_max = max(cell_max, row[j])
        n_best = 0
        kth = -np.inf if k > 0 else np.inf  # a cell enters the row's list above this
        for j in range(n_m):
            # Selects, not branches: a tenth of the cells is closed, at random.
            is_open = mask[r, j]
            s = row[j]
            n_open += is_open
            open_min = min(open_min, s if is_open else np.inf)
            v = s if is_open else -np.inf
            open_max = max(open_max, v)
            if v > floor[j]:
                hit_j[n_hits], hit_s[n_hits], hit_i[n_hits] = j, s, r
                n_hits += 1
            if v > kth:
                p = min(n_best, k - 1)  # the slot it takes; the k-th falls out when full
                while p > 0 and best_v[p - 1] < s:
                    best_v[p], best_j[p] = best_v[p - 1], best_j[p - 1]
                    p -= 1
                best_v[p], best_j[p] = s, j
                n_best = min(n_best + 1, k)
                if n_best == k:
                    kth = best_v[k - 1]
        for t in range(n_best):
            top_i[n_top], top_j[n_top], top_v[n_top] = r, best_j[t], best_v[t]
            n_top += 1
    return n_top, n_hits, n_open, open_min, open_max, cell_max


@njit(cache=True, nogil=True)
def _quantise_row(row, lo, inv, codes, chunk_max):
    """Write one row's codes (unless ``codes`` is empty) and chunk maxima; return the
    row's highest score."""
    n_m = row.size
    store = codes.size > 0
    top = -np.inf
    for c in range(chunk_max.size):
        highest = 0
        for j in range(c * CHUNK, min(n_m, (c + 1) * CHUNK)):
            s = row[j]
            top = max(top, s)
            x = min(max((s - lo) * inv, 0.0), float(CODE_TOP))
            q = np.uint16(x)
            if store:
                codes[j] = q
            highest = max(highest, q)
        chunk_max[c] = highest
    return top
