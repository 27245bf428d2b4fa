"""What the sweep reads from one block of scores, in numpy, and which pass to use.

:func:`scan_block` is the numpy form of :func:`matcher.solvers.sweep_kernel.scan_block`
(same arguments, same results): the uint16 codes and chunk maxima, the count and range
of the open scores, each row's top ``k`` and the open cells above the mentors' floors.
The compiled form reads a block in about half the time but costs ~0.9 s to start in each
process (importing numba and loading its cached machine code), so :func:`block_scanner`
gives it only to cohorts of :data:`matcher.encode.lazy_scores.COMPILED_CELLS` or more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from matcher.encode.lazy_scores import COMPILED_CELLS, chunk_maxima, quantise
from matcher.solvers.top_k import top_indices


def block_scanner(cells: int) -> Callable:
    """The block pass for a cohort of ``cells`` pairs: compiled for the largest."""
    if cells >= COMPILED_CELLS:
        from matcher.solvers.sweep_kernel import scan_block as compiled  # numba

        return compiled
    return scan_block


def scan_block(block, mask, k, floor, quant, written, top, hits):
    """One block's codes, open count and range, top-k and mentor hits, in numpy.

    Parameters and returns as :func:`matcher.solvers.sweep_kernel.scan_block`; the top-k
    entries are in no particular order within the buffer.
    """
    codes, chunk_max = written
    cell_max = float(block.max(initial=-np.inf))
    if chunk_max.shape[0]:
        if codes.size == 0:  # the chunk maxima only
            codes = np.empty(block.shape, np.uint16)
        quantise(block, *quant, codes)
        chunk_maxima(codes, chunk_max)
    n_open = int(np.count_nonzero(mask))
    if n_open == 0:
        return 0, 0, 0, np.inf, -np.inf, cell_max
    i, j = top_indices(block, mask, k)
    n_top = i.size
    top[0][:n_top], top[1][:n_top], top[2][:n_top] = i, j, block[i, j]
    hit = block > floor[None, :]
    hit &= mask
    hi, hj = np.nonzero(hit)
    n_hits = hi.size
    hits[0][:n_hits], hits[1][:n_hits], hits[2][:n_hits] = hj, block[hi, hj], hi
    open_scores = block[mask]
    return n_top, n_hits, n_open, float(open_scores.min()), float(open_scores.max()), cell_max
