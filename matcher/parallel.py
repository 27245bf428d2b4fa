"""Helpers for large (mentees, mentors) matrices: row ranges shared among threads, allocation.

numpy releases the GIL in its array loops, so block-wise work on a (mentees, mentors)
matrix scales across cores with plain threads. Each caller writes disjoint rows of its
own output, and every block is computed the same way whatever the thread count, so
results are bit-identical with one thread or many. ``MENTORMATCH_THREADS`` caps the
number of threads (1 turns threading off). :func:`empty_matrix` allocates large outputs
as anonymous memory maps with every page mapped at once (``MAP_POPULATE``): a first write
to 1 GB of fresh memory cost 0.7 s page by page and 1.0-1.7 s through numpy's huge
pages (the kernel compacts memory for them), against 0.33 s populated up front.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

MIN_ROWS_PER_THREAD = 256  # smaller jobs run in the calling thread
MAP_BYTES = 64 << 20  # arrays at least this large are populated anonymous maps


def empty_matrix(shape: tuple[int, int], dtype: DTypeLike = np.float64) -> np.ndarray:
    """An uninitialised, writable C-ordered array; very large ones are anonymous maps.

    Parameters
    ----------
    shape : (rows, columns).
    dtype : the element type (anything ``np.dtype`` accepts, e.g. ``bool``).

    Returns
    -------
    np.ndarray
        Of :data:`MAP_BYTES` or more: backed by an anonymous ``mmap`` whose zero-filled
        pages are all mapped before it returns (where the system offers ``MAP_POPULATE``),
        released with the array; otherwise ``np.empty``.
    """
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if n_bytes < MAP_BYTES:
        return np.empty(shape, dtype)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
    buffer = mmap.mmap(-1, n_bytes, flags=flags)
    return np.frombuffer(buffer, dtype=dtype).reshape(shape)


def default_threads() -> int:
    """Threads for matrix work: ``MENTORMATCH_THREADS`` if set, else the usable cores (max 4).

    Raises
    ------
    ValueError
        If ``MENTORMATCH_THREADS`` is set but is not a whole number of at least 1.
    """
    given = os.environ.get("MENTORMATCH_THREADS")
    if given is not None:
        if not given.strip().isdigit() or int(given) < 1:
            raise ValueError(
                f"MENTORMATCH_THREADS is {given!r}; expected a whole number of at least 1"
            )
        return int(given)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def for_row_ranges(
    work: Callable[[int, int], None], n_rows: int, block_rows: int, threads: int | None = None
) -> None:
    """Call ``work(start, stop)`` on contiguous row ranges covering ``0..n_rows``.

    Parameters
    ----------
    work : computes rows ``start..stop-1``; calls must not share writable state.
    n_rows : the number of rows.
    block_rows : ranges start at multiples of this (the caller's block size), so the
        blocks computed are the same whatever the thread count.
    threads : worker threads (default: :func:`default_threads`).

    Raises
    ------
    Exception
        Whatever ``work`` raises (the first failure, after every range has finished).
    """
    threads = default_threads() if threads is None else max(1, int(threads))
    threads = min(threads, max(1, n_rows // MIN_ROWS_PER_THREAD))
    if threads <= 1:
        work(0, n_rows)
        return
    blocks = -(-n_rows // max(1, block_rows))
    per = -(-blocks // threads) * block_rows
    ranges = [(s, min(n_rows, s + per)) for s in range(0, n_rows, per)]
    with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
        futures = [pool.submit(work, s, e) for s, e in ranges]
    for future in futures:
        future.result()
