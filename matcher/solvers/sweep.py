"""One pass over every score: the flow's bonus, its candidate graph and a compact copy.

For large cohorts the scores are not stored (:class:`~matcher.encode.lazy_scores.LazyScores`),
so what the flow needs from all of them is gathered in one pass of mentee row blocks
(shared among threads by :func:`matcher.parallel.for_row_ranges`): the number of open
pairs and their score range (:func:`matcher.solvers.flow.pool_bonus`), the top-K open
mentors of each mentee, the top-L open mentees of each mentor (a running best-so-far per
mentor, merged across blocks and threads), and the uint16 codes later screens read
(:class:`~matcher.encode.lazy_scores.Codes`), each block in one pass
(:func:`matcher.solvers.block_scan.block_scanner`, compiled for the largest cohorts). The
candidate graph is the one :func:`matcher.solvers.candidates.candidate_pairs` builds from
a dense matrix, pair for pair. Where the compiled pass scores runs of mentors
(:attr:`LazyScores.chunked`), only the codes' chunk maxima are kept: writing the codes of
every cell (1 GB at 50,000 x 10,000, into fresh memory) cost more than scoring the few
chunks the screens open.

:func:`top_rows` is the per-row top-k of :func:`~matcher.solvers.candidates.top_per_row`
for any rows of any score source: from the codes when there are some, re-deriving exact
scores only for the cells that can reach a row's top k (from the chunk maxima: only the
chunks that can).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.encode.lazy_scores import CHUNK, CODE_TOP, Codes, LazyScores, score_range
from matcher.parallel import empty_matrix, for_row_ranges
from matcher.solvers.block_scan import block_scanner
from matcher.solvers.candidates import STREAM_CELLS, Pool, best_per_mentor
from matcher.solvers.integers import place_bonus, to_int
from matcher.solvers.top_k import top_per_row
from matcher.sorted_ints import union_sorted

SWEEP_CELLS = 131_072  # cells per row block (measured: 7% faster than 65,536 at 25k x 5k)


@dataclass(frozen=True, eq=False)
class Sweep:
    """What one pass over the scores found.

    Attributes
    ----------
    n_open : the number of open pairs.
    bonus : the per-place bonus (as :func:`matcher.solvers.flow.pool_bonus`).
    rows, cols : the candidate graph (int64, sorted by (mentee, mentor)).
    """

    n_open: int
    bonus: int
    rows: np.ndarray
    cols: np.ndarray


@dataclass(frozen=True, eq=False)
class RowTops:
    """The top-``k`` open mentors of every mentee, as the sweep found them.

    Kept on the scores (:attr:`LazyScores.row_tops`) for the alternates, which are the
    best mentors outside each mentee's pairs: without pinned pairs the open pairs are
    every eligible pair between people taking part, so those are among these lists.

    Attributes
    ----------
    k : entries per mentee (fewer when fewer pairs are open).
    rows, cols, values : the entries, by mentee, then score (best first), then mentor.
    eligible, wanted, capacity : what the open pairs were read from.
    """

    k: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    eligible: np.ndarray
    wanted: np.ndarray
    capacity: np.ndarray

    def serves(self, instance, k: int) -> bool:
        """Whether the ``k`` best mentors outside each mentee's pairs are in these lists."""
        wanted = np.asarray(instance.wanted)
        return (
            not instance.pinned
            and instance.eligible is self.eligible
            and k + int(wanted.max(initial=0)) <= self.k
            and np.array_equal(wanted, self.wanted)
            and np.array_equal(np.asarray(instance.capacity), self.capacity)
        )


class _MentorTop:
    """The best ``keep[j]`` (score, mentee) of each mentor among the blocks added so far.

    As :func:`matcher.solvers.candidates.top_per_column`: a block's cell is looked at only
    when it beats the mentor's worst kept score (ties go to the lower mentee, added first).
    """

    def __init__(self, keep: np.ndarray):
        self.keep = keep
        self.floor = np.where(keep > 0, -np.inf, np.inf)
        self.kept = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_pending = 0

    def add(self, j: np.ndarray, score: np.ndarray, i: np.ndarray) -> None:
        """Take a block's open cells above the floors: mentors, scores, mentees (copies)."""
        if i.size:
            self.pending.append((j, score, i))
            self.n_pending += i.size
        if self.n_pending >= max(self.kept[0].size, STREAM_CELLS):
            self.merge()

    def merge(self) -> None:
        if not self.pending:
            return
        parts = [self.kept, *self.pending]
        self.kept = best_per_mentor(
            tuple(np.concatenate([p[k] for p in parts]) for k in range(3)), self.keep
        )
        self.pending, self.n_pending = [], 0
        col, score, _ = self.kept
        if col.size:
            last = np.flatnonzero(np.r_[col[1:] != col[:-1], True])
            full = (np.bincount(col, minlength=self.keep.size) >= self.keep)[col[last]]
            self.floor[col[last][full]] = score[last][full]


def sweep(pool: Pool, k: int, l_cols: np.ndarray, block_rows: int | None = None) -> Sweep:
    """The open pairs' count and bonus and the candidate graph, in one pass over the scores.

    Parameters
    ----------
    pool : the open pairs.
    k : candidate mentors kept per mentee.
    l_cols : int64 (n_mentors,); mentor ``j`` keeps its ``l_cols[j]`` best mentees.
    block_rows : mentees per block (default: about :data:`SWEEP_CELLS` cells).

    Returns
    -------
    Sweep
        Equal to ``pool_bonus(pool)`` and ``candidate_pairs(pool, k, l_cols)``. When the
        scores are a :class:`LazyScores`, they keep the mentees' lists (``row_tops``)
        and, if they had none, get their codes.
    """
    inst = pool.instance
    scores = inst.scores
    n_e, n_m = inst.shape
    step = block_rows or max(1, SWEEP_CELLS // max(1, n_m))
    keep = np.broadcast_to(np.asarray(l_cols, np.int64), (n_m,))
    lazy = isinstance(scores, LazyScores)
    scan_block = block_scanner(n_e * n_m)
    codes = None
    if lazy and scores.codes is None:
        low, high = score_range(scores.tables)
        maxima = empty_matrix((n_e, -(-n_m // CHUNK)), np.uint16)
        # Chunks are re-scored exactly where the compiled pass can: no per-cell codes.
        values = None if scores.chunked else empty_matrix((n_e, n_m), np.uint16)
        codes = Codes(values, low, (high - low) / (CODE_TOP - 1), True, maxima)
    quant = (codes.lo, 1.0 / codes.step) if codes is not None else (0.0, 1.0)
    found: dict[int, tuple] = {}
    empty = np.zeros(0, np.int64)

    def run(start: int, stop: int) -> None:
        n_open, lo, hi, mine, tops = 0, 0.0, 0.0, [], _MentorTop(keep)
        top = -np.inf  # the highest score of any cell
        cells = step * n_m
        top_out = (np.empty(step * k, np.int64), np.empty(step * k, np.int64), np.empty(step * k))
        hit_out = (np.empty(cells, np.int64), np.empty(cells), np.empty(cells, np.int64))
        no_codes = (np.zeros((0, 0), np.uint16),) * 2
        no_values = np.zeros((step, 0), np.uint16)  # the chunk maxima only
        for r0 in range(start, stop, step):
            r1 = min(stop, r0 + step)
            block = scores[r0:r1]
            if codes is None:
                written = no_codes
            elif codes.values is None:
                written = (no_values, codes.chunk_max[r0:r1])
            else:
                written = (codes.values[r0:r1], codes.chunk_max[r0:r1])
            n_top, n_hits, n, open_min, open_max, cell_max = scan_block(
                block, pool.mask(r0, r1), k, tops.floor, quant, written, top_out, hit_out
            )
            top = max(top, cell_max)
            if n == 0:
                continue
            n_open += n
            lo, hi = min(lo, open_min), max(hi, open_max)
            i, j, best = (part[:n_top].copy() for part in top_out)
            mine.append((i + r0, j, best))
            hit_j, hit_s, hit_i = (part[:n_hits].copy() for part in hit_out)
            tops.add(hit_j, hit_s, hit_i + r0)
        tops.merge()
        found[start] = (n_open, lo, hi, mine, tops.kept, top)

    for_row_ranges(run, n_e, step)
    if codes is not None:
        top = max((found[s][5] for s in found), default=-np.inf)
        topped = top >= codes.lo + (CODE_TOP - 2) * codes.step
        scores.codes = Codes(codes.values, codes.lo, codes.step, topped, codes.chunk_max)
    parts = [found[s] for s in sorted(found)]
    n_open = sum(p[0] for p in parts)
    lo = min((p[1] for p in parts), default=0.0)
    hi = max((p[2] for p in parts), default=0.0)
    bonus = place_bonus(to_int(np.array([lo, hi])), pool.places)
    kept = tuple(np.concatenate([p[4][c] for p in parts]) for c in range(3))
    col, _, row = best_per_mentor(kept, keep)
    tops = [np.concatenate([x[c] for p in parts for x in p[3]] + [empty]) for c in range(3)]
    if lazy:
        order = np.lexsort((tops[1], -tops[2], tops[0]))
        scores.row_tops = RowTops(
            k,
            *(t[order] for t in tops),
            inst.eligible,
            np.array(inst.wanted, np.int64),
            np.array(inst.capacity, np.int64),
        )
    linear = union_sorted(tops[0] * n_m + tops[1], row * n_m + col)
    return Sweep(n_open, bonus, linear // n_m, linear % n_m)


def swept(pool: Pool, k: int, l_cols: np.ndarray) -> Sweep:
    """:func:`sweep`, or the last sweep of the same scores when it read an equal pool with
    the same ``k`` and ``l_cols`` (a receipt's certificate, after the solve, opens as the
    solver did: 3.7 s at 50,000 x 10,000)."""
    scores = pool.instance.scores
    keep = np.array(np.broadcast_to(np.asarray(l_cols, np.int64), (pool.instance.shape[1],)))
    # What the sweep read, without the pool itself (the scores would then hold a cycle).
    key = (pool.want_left, pool.cap_left, pool.pinned_rows, pool.pinned_cols, keep)
    last = getattr(scores, "last_sweep", None)
    if last is not None:
        found, eligible, last_k, last_key = last
        same = eligible is pool.instance.eligible and last_k == k
        if same and all(np.array_equal(a, b) for a, b in zip(key, last_key, strict=True)):
            return found
    found = sweep(pool, k, keep)
    if isinstance(scores, LazyScores):
        scores.last_sweep = (found, pool.instance.eligible, k, tuple(a.copy() for a in key))
    return found


def top_rows(scores, rows: np.ndarray, valid: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_per_row` of the given mentees' scores, from the codes when there are some.

    Parameters
    ----------
    scores : an instance's scores (an array or a :class:`LazyScores`).
    rows : int64 mentee indices (the block's rows, in order).
    valid : bool (rows.size, n_mentors); only valid cells can be chosen.
    k : how many per row.

    Returns
    -------
    (chosen, values)
        bool mask of the ``k`` best valid cells per row (ties to the lower mentor), and a
        float64 block holding the exact score at least at every chosen cell.
    """
    rows = np.asarray(rows, np.int64)
    codes = getattr(scores, "codes", None)
    if codes is None:
        values = scores[rows] if rows.size else np.zeros(valid.shape)
        return top_per_row(values, valid, k), values
    if codes.values is None:
        return _top_rows_by_chunks(scores, codes, rows, valid, k)
    # A cell can be among a row's k best only if its upper bound reaches the k-th best
    # lower bound: with code c for that, its code q has q + 2 >= c - 1.
    q = np.where(valid, codes.values[rows].astype(np.int32), -1)
    n_m = q.shape[1]
    if k == 1:
        kth = q.max(axis=1, initial=-1)
    elif k < n_m:
        kth = np.partition(q, n_m - k, axis=1)[:, n_m - k]
    else:
        kth = np.full(q.shape[0], -1)
    reach = np.where(kth <= 0, 0, kth - 3)
    near = valid & (q >= reach[:, None])
    i, j = np.nonzero(near)
    values = np.full(valid.shape, -np.inf)
    values[i, j] = scores.scores_at(rows[i], j)
    return top_per_row(values, near, k), values


def _top_rows_by_chunks(scores, codes, rows, valid, k):
    """:func:`top_rows` from the chunk maxima alone: each row's ``k`` highest chunks are
    scored exactly, which gives a floor for its ``k``-th best cell, and then every chunk
    whose upper bound reaches that floor. A cell elsewhere lies below the floor."""
    n, n_m = valid.shape
    n_c = codes.chunk_max.shape[1]
    values = np.full(valid.shape, -np.inf)
    if n == 0 or n_m == 0:
        return np.zeros(valid.shape, bool), values
    padded = np.zeros((n, n_c * CHUNK), bool)
    padded[:, :n_m] = valid
    open_chunk = padded.reshape(n, n_c, CHUNK).any(axis=2)
    upper = np.where(open_chunk, codes.upper(codes.chunk_max[rows]), -np.inf)
    first = open_chunk.copy()
    if k < n_c:
        first &= upper >= np.partition(upper, n_c - k, axis=1)[:, n_c - k, None]
    _score_chunks(scores, rows, first, values)
    mine = np.where(valid, values, -np.inf)
    floor = np.partition(mine, n_m - k, axis=1)[:, n_m - k] if k <= n_m else np.full(n, -np.inf)
    rest = open_chunk & ~first & (upper >= floor[:, None])
    _score_chunks(scores, rows, rest, values)
    near = valid & (values > -np.inf)
    return top_per_row(values, near, k), values


def _score_chunks(scores, rows: np.ndarray, pick: np.ndarray, values: np.ndarray) -> None:
    """Write the exact scores of the picked chunks (bool (rows, n_chunks)) into ``values``."""
    r, c = np.nonzero(pick)
    if r.size == 0:
        return
    block = scores.chunk_scores(rows[r], c)
    cols = c[:, None] * CHUNK + np.arange(CHUNK)
    inside = cols < values.shape[1]
    values[np.broadcast_to(r[:, None], cols.shape)[inside], cols[inside]] = block[inside]
