"""The screened certificate and the tie-aware top-k against brute-force references.

:func:`matcher.solvers.certify.violations` screens cells with a float test and confirms
them with integers; :func:`matcher.solvers.candidates.top_per_row` runs its tie pass only
on rows that need it. Both must give exactly what the dense definitions give.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.encode.instance import Instance
from matcher.solvers.candidates import flow_candidates, make_pool, top_per_row
from matcher.solvers.certify import NEAR_PER_BAD, violations
from matcher.solvers.integers import to_int


def reference_top(values, valid, k):
    """Per row: valid columns sorted by value (desc) then column, the first k."""
    out = np.zeros(values.shape, bool)
    for r in range(values.shape[0]):
        cols = [c for c in range(values.shape[1]) if valid[r, c]]
        cols.sort(key=lambda c: (-values[r, c], c))
        out[r, cols[: max(0, int(np.broadcast_to(k, (values.shape[0],))[r]))]] = True
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 9),
    st.integers(0, 2**31),
    st.booleans(),
)
def test_top_per_row_equals_a_sort_with_ties_to_the_lower_column(n_rows, n_cols, seed, per_row):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, (n_rows, n_cols)).astype(float)  # many ties
    valid = rng.random((n_rows, n_cols)) < 0.7
    k = rng.integers(0, n_cols + 2, n_rows) if per_row else int(rng.integers(0, n_cols + 2))
    assert np.array_equal(top_per_row(values, valid, k), reference_top(values, valid, k))


def test_top_per_row_reads_a_transposed_view_like_a_copy():
    rng = np.random.default_rng(5)
    values = rng.integers(0, 4, (12, 5)).astype(float)
    valid = rng.random((12, 5)) < 0.8
    got = top_per_row(values.T, valid.T, 3)
    assert np.array_equal(got, top_per_row(values.T.copy(), valid.T.copy(), 3))
    assert np.array_equal(got, reference_top(values.T, valid.T, 3))


def reference_violations(pool, bonus, linear, d_e, d_m, per_row):
    """Every open non-candidate pair with a negative reduced cost, dense."""
    inst = pool.instance
    n_e, n_m = inst.shape
    open_ = pool.mask(0, n_e)
    open_.ravel()[linear] = False
    scores = to_int(np.where(open_, inst.scores, 0.0))
    reduced = -(bonus + scores) + d_e[:, None] - d_m[None, :]
    bad = open_ & (reduced < 0)
    rows, cols = [], []
    for i in range(n_e):
        js = sorted(np.flatnonzero(bad[i]).tolist(), key=lambda j: (reduced[i, j], j))[:per_row]
        rows += [i] * len(js)
        cols += sorted(js)
    return np.array(rows, np.int64), np.array(cols, np.int64), int(bad.sum())


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 10),
    st.integers(0, 2**31),
    st.sampled_from([3_000_000, 9_470_700_001, 2**50 + 1]),
)
def test_screened_violations_equal_the_dense_definition(n_e, n_m, seed, bonus):
    rng = np.random.default_rng(seed)
    # Scores on a coarse grid make reduced costs of exactly 0 and -1 common (edge cases).
    scores = rng.integers(0, 5, (n_e, n_m)) / 4
    eligible = rng.random((n_e, n_m)) < 0.8
    scores = np.where(eligible, scores, np.nan)  # unread cells may hold anything
    wanted = rng.integers(0, 3, n_e)
    capacity = rng.integers(0, 3, n_m)
    pinned = tuple(
        (int(i), int(j))
        for i, j in zip(*np.nonzero(eligible), strict=True)
        if rng.random() < 0.1 and wanted[i] > 1 and capacity[j] > 1
    )
    pinned = tuple(dict((i, (i, j)) for i, j in pinned).values())  # one per mentee
    pinned = tuple(dict((j, (i, j)) for i, j in pinned).values())  # one per mentor
    inst = Instance.from_matrix(scores, eligible, wanted, capacity, pinned=tuple(sorted(pinned)))
    pool = make_pool(inst)
    linear = np.unique(rng.choice(n_e * n_m, rng.integers(0, n_e * n_m + 1)))
    d_e = rng.integers(-2, 3, n_e) * 250_000 + bonus // 2
    d_m = rng.integers(-2, 3, n_m) * 250_000 - bonus // 2
    per_row = int(rng.integers(1, 4))
    got = violations(pool, bonus, linear, d_e, d_m[None, :], np.zeros(n_e, np.int64), per_row)
    want = reference_violations(pool, bonus, linear, d_e, d_m, per_row)
    assert got[2] == want[2]
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def reference_near(pool, bonus, linear, d_e, d_m, per_row, margin):
    """:func:`reference_violations` also returning pairs with reduced cost below ``margin``,
    at most NEAR_PER_BAD of those per violating pair returned, the lowest first."""
    inst = pool.instance
    n_e, n_m = inst.shape
    open_ = pool.mask(0, n_e)
    open_.ravel()[linear] = False
    reduced = -(bonus + to_int(np.where(open_, inst.scores, 0.0))) + d_e[:, None] - d_m[None, :]
    chosen = []  # (reduced, row, col) in row order, per row the lowest first
    for i in range(n_e):
        js = [j for j in range(n_m) if open_[i, j] and reduced[i, j] < margin]
        chosen += [(reduced[i, j], i, j) for j in sorted(js, key=lambda j: (reduced[i, j], j))][
            :per_row
        ]
    bad = [c for c in chosen if c[0] < 0]
    near = sorted((c for c in chosen if c[0] >= 0), key=lambda c: c[0])  # stable: row order
    kept = sorted((i, j) for _, i, j in bad + near[: NEAR_PER_BAD * len(bad)])
    rows = np.array([i for i, _ in kept], np.int64)
    cols = np.array([j for _, j in kept], np.int64)
    return rows, cols, int((open_ & (reduced < 0)).sum())


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 10), st.integers(0, 2**31), st.integers(0, 600_000))
def test_near_pairs_follow_the_dense_definition(n_e, n_m, seed, margin):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 5, (n_e, n_m)) / 4
    eligible = rng.random((n_e, n_m)) < 0.8
    inst = Instance.from_matrix(
        np.where(eligible, scores, np.nan),
        eligible,
        rng.integers(0, 3, n_e),
        rng.integers(0, 3, n_m),
    )
    pool = make_pool(inst)
    bonus = 3_000_000
    linear = np.unique(rng.choice(n_e * n_m, rng.integers(0, n_e * n_m + 1)))
    d_e = rng.integers(-2, 3, n_e) * 250_000 + bonus // 2
    d_m = rng.integers(-2, 3, n_m) * 250_000 - bonus // 2
    per_row = int(rng.integers(1, 4))
    one_code = np.zeros(n_e, np.int64)
    got = violations(pool, bonus, linear, d_e, d_m[None, :], one_code, per_row, margin)
    want = reference_near(pool, bonus, linear, d_e, d_m, per_row, margin)
    assert got[2] == want[2]
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_violations_of_a_screen_with_nothing_open_is_empty():
    inst = Instance.from_matrix(np.ones((3, 2)), wanted=np.zeros(3, np.int64))
    rows, cols, count = violations(
        make_pool(inst),
        10,
        np.zeros(0, np.int64),
        np.zeros(3, np.int64),
        np.zeros((1, 2), np.int64),
        np.zeros(3, np.int64),
        2,
    )
    assert count == 0 and rows.size == 0 and cols.size == 0


@pytest.mark.parametrize("threads", ["1", "2"])
def test_candidate_pairs_do_not_depend_on_threads(monkeypatch, threads):
    from matcher import parallel
    from matcher.solvers import candidates

    monkeypatch.setattr(parallel, "MIN_ROWS_PER_THREAD", 1)
    monkeypatch.setattr(candidates, "BLOCK_CELLS", 24)  # 2 mentees per block: many ranges
    monkeypatch.setattr(candidates, "STREAM_CELLS", 36)
    rng = np.random.default_rng(9)
    inst = Instance.from_matrix(
        rng.integers(0, 6, (40, 12)) / 5, rng.random((40, 12)) < 0.9, capacity=np.full(12, 3)
    )
    pool = make_pool(inst)
    monkeypatch.setenv("MENTORMATCH_THREADS", "1")
    one = flow_candidates(pool, 3, 2)
    monkeypatch.setenv("MENTORMATCH_THREADS", threads)
    other = flow_candidates(pool, 3, 2)
    assert np.array_equal(one[0], other[0]) and np.array_equal(one[1], other[1])
    by_row = top_per_row(inst.scores, pool.mask(0, 40), 3)
    by_col = top_per_row(inst.scores.T, pool.mask(0, 40).T, 2 * pool.cap_left + 2).T
    expected = np.flatnonzero((by_row | by_col).ravel())
    assert np.array_equal(one[0] * 12 + one[1], expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 8), st.integers(0, 2**31), st.integers(1, 30))
def test_streamed_top_per_column_equals_a_pass_over_each_column(n_e, n_m, seed, cells):
    from matcher.solvers import candidates

    rng = np.random.default_rng(seed)
    eligible = rng.random((n_e, n_m)) < 0.85
    scores = np.where(eligible, rng.integers(0, 4, (n_e, n_m)) / 3, np.nan)
    capacity = rng.integers(0, 3, n_m)
    pool = make_pool(Instance.from_matrix(scores, eligible, capacity=capacity))
    keep = np.where(capacity > 0, rng.integers(0, 5, n_m), 0)
    old = candidates.STREAM_CELLS
    candidates.STREAM_CELLS = cells  # tiny blocks: many merges with stale floors
    try:
        got = candidates.top_per_column(pool, keep)
        lo = int(rng.integers(0, n_e))
        part = candidates.top_per_column(pool, keep, lo, n_e)
    finally:
        candidates.STREAM_CELLS = old
    chosen = reference_top(pool.instance.scores.T, pool.mask(0, n_e).T, keep)
    j, i = np.nonzero(chosen)
    assert np.array_equal(got, np.sort(i * n_m + j))
    sub = reference_top(pool.instance.scores[lo:].T, pool.mask(lo, n_e).T, keep)
    j, i = np.nonzero(sub)
    assert np.array_equal(part, np.sort((i + lo) * n_m + j))


@pytest.mark.parametrize("k", [1, 3, 16])
def test_both_top_k_paths_choose_the_same_cells_under_ties(k):
    rng = np.random.default_rng(k)
    values = rng.integers(0, 4, (40, 30)).astype(float)  # many ties
    valid = rng.random((40, 30)) < 0.7
    small = top_per_row(values, valid, k)  # k argmax passes
    by_partition = top_per_row(values, valid, np.full(40, k))  # the partition path
    assert np.array_equal(small, by_partition)
    assert np.array_equal(small, reference_top(values, valid, k))
