"""Scores on demand (LazyScores) give what the dense matrix gives, block by block.

Small generated cohorts, several seeds, blocks forced small so that many blocks (and two
threads) occur: the one-pass sweep equals ``pool_bonus`` + ``candidate_pairs`` on the
matrix, the certificate's code screen finds exactly the float screen's violations, the
code-based top-k equals ``top_per_row``, and whole solves are equal and pass the checker.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import matcher.encode.prepare as prepare_module
from matcher.checker import check
from matcher.encode import lazy_scores
from matcher.encode.instance import Instance
from matcher.encode.lazy_scores import CHUNK, CODE_TOP, Codes, LazyScores, chunk_maxima, quantise
from matcher.encode.prepare import prepare
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.solve import solve
from matcher.solvers import block_scan
from matcher.solvers.bounded_flow import solve_bounded
from matcher.solvers.candidates import candidate_pairs, make_pool, top_per_row
from matcher.solvers.certify import violations
from matcher.solvers.flow import pool_bonus, solve_total
from matcher.solvers.sweep import sweep, swept, top_rows

SEEDS = [1, 2, 3, 4]


@pytest.fixture(autouse=True, params=["numpy", "compiled"])
def passes(request, monkeypatch):
    """Each test with the numpy block passes and with the compiled ones (numba)."""
    limit = 0 if request.param == "compiled" else 10**12
    monkeypatch.setattr(lazy_scores, "COMPILED_CELLS", limit)
    monkeypatch.setattr(block_scan, "COMPILED_CELLS", limit)
    return request.param


def pair_of_instances(seed: int, n_e: int = 600, n_m: int = 90, program: str = "coaching"):
    """The same cohort's instance with a dense matrix and with LazyScores."""
    cohort = generate_cohort(n_e, n_m, seed=seed)
    prepared = prepare(cohort, preset(program))
    dense = prepared.instance
    assert isinstance(dense.scores, np.ndarray)
    lazy = dataclasses.replace(dense, scores=LazyScores(prepared.tables))
    return dense, lazy


@pytest.mark.parametrize("seed", SEEDS)
def test_lazy_indexing_equals_the_matrix(seed):
    dense, lazy = pair_of_instances(seed, 300, 40)
    m, s = dense.scores, lazy.scores
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, 300, 500), rng.integers(0, 40, 500)
    assert np.array_equal(s[17:93], m[17:93])
    assert np.array_equal(s[5:9, 3], m[5:9, 3])
    assert np.array_equal(s[rows, cols], m[rows, cols])
    assert s[7, 11] == m[7, 11]
    assert np.array_equal(s[np.ix_(rows[:20], cols[:7])], m[np.ix_(rows[:20], cols[:7])])
    assert np.array_equal(s[np.array([4, 2, 250])], m[[4, 2, 250]])
    assert np.array_equal(np.asarray(s), m)
    assert np.array_equal(s * 3.0, m * 3.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("block_rows", [1, 7])
def test_sweep_equals_the_dense_candidates(seed, block_rows, monkeypatch, passes):
    monkeypatch.setenv("MENTORMATCH_THREADS", "2")
    dense, lazy = pair_of_instances(seed)
    k, l_cols = 6, 2 * make_pool(dense).cap_left + 3
    want = candidate_pairs(make_pool(dense), k, l_cols)
    n_open, bonus = pool_bonus(make_pool(dense))
    found = sweep(make_pool(lazy), k, l_cols, block_rows=block_rows)
    assert (found.n_open, found.bonus) == (n_open, bonus)
    assert np.array_equal(found.rows, want[0]) and np.array_equal(found.cols, want[1])
    codes = lazy.scores.codes
    exact = dense.scores
    values = np.empty(exact.shape, np.uint16)
    quantise(exact, codes.lo, 1.0 / codes.step, values)
    if passes == "compiled":  # chunks are scored exactly instead of kept as codes
        assert codes.values is None and lazy.scores.chunked
    else:
        assert codes.values.dtype == np.uint16 and np.array_equal(codes.values, values)
    assert (codes.lower(values) <= exact).all() and (exact <= codes.upper(values)).all()
    n_m = dense.shape[1]
    for c in range(-(-n_m // CHUNK)):  # the chunk maxima, 90 mentors: the last chunk is short
        chunk = values[:, c * CHUNK : (c + 1) * CHUNK]
        assert np.array_equal(codes.chunk_max[:, c], chunk.max(axis=1))


def test_a_second_opening_of_the_same_pool_takes_the_first_sweep():
    dense, lazy = pair_of_instances(1)
    l_cols = 2 * make_pool(lazy).cap_left + 3
    first = swept(make_pool(lazy), 6, l_cols)
    assert swept(make_pool(lazy), 6, l_cols) is first  # an equal pool, made afresh
    for k, pool in [
        (5, make_pool(lazy)),
        (6, make_pool(dataclasses.replace(lazy, capacity=[1] * 90))),
    ]:
        other = swept(pool, k, l_cols)
        fresh = sweep(pool, k, l_cols)
        assert other is not first and np.array_equal(other.rows, fresh.rows)
        assert (other.n_open, other.bonus) == (fresh.n_open, fresh.bonus)


@pytest.mark.parametrize("seed", SEEDS)
def test_chunk_screen_under_department_potentials(seed):
    # Several rows of head potentials (per-department sub-nodes), chunked code screen.
    dense, lazy = pair_of_instances(seed)
    pool_d, pool_l = make_pool(dense), make_pool(lazy)
    _, bonus = pool_bonus(pool_d)
    found = sweep(pool_l, 4, 2 * pool_l.cap_left + 1)
    assert lazy.scores.codes.chunk_max is not None
    linear = found.rows * dense.shape[1] + found.cols
    rng = np.random.default_rng(seed + 7)
    n_e, n_m = dense.shape
    d_e = rng.integers(-1_000_000, 1_000_001, n_e)
    d_head = -bonus - 600_000 + rng.integers(-1_000_000, 1_000_001, (3, n_m))
    code = rng.integers(0, 3, n_e)
    want = violations(pool_d, bonus, linear, d_e, d_head, code, 4)
    got = violations(pool_l, bonus, linear, d_e, d_head, code, 4)
    assert want[2] > 0 and got[2] == want[2]
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


@pytest.mark.parametrize("seed", SEEDS)
def test_code_screen_finds_the_same_violations(seed):
    dense, lazy = pair_of_instances(seed)
    pool_d, pool_l = make_pool(dense), make_pool(lazy)
    _, bonus = pool_bonus(pool_d)
    found = sweep(pool_l, 4, 2 * pool_l.cap_left + 1)
    linear = found.rows * dense.shape[1] + found.cols
    rng = np.random.default_rng(seed)
    n_e, n_m = dense.shape
    for spread in (0, 300_000, 3_000_000):  # from no violation to many
        d_e = rng.integers(-spread, spread + 1, n_e)
        d_head = -bonus - 600_000 + rng.integers(-spread, spread + 1, (1, n_m))
        code = np.zeros(n_e, np.int64)
        want = violations(pool_d, bonus, linear, d_e, d_head, code, 3)
        got = violations(pool_l, bonus, linear, d_e, d_head, code, 3)
        assert got[2] == want[2]
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert want[2] > 0  # the last spread did find violations


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 3, 8])
@pytest.mark.parametrize("n_m", [90, 330])  # 3 and 11 chunks of mentors
def test_top_rows_from_codes_equals_top_per_row(seed, k, n_m):
    dense, lazy = pair_of_instances(seed, 600 if n_m == 90 else 200, n_m)
    sweep(make_pool(lazy), 4, np.full(dense.shape[1], 3))
    rng = np.random.default_rng(seed + 100)
    rows = np.sort(rng.choice(dense.shape[0], 50, replace=False))
    valid = dense.eligible[rows] & (rng.random((50, dense.shape[1])) < 0.7)
    want = top_per_row(dense.scores[rows], valid, k)
    chosen, values = top_rows(lazy.scores, rows, valid, k)
    assert np.array_equal(chosen, want)
    assert np.array_equal(values[chosen], dense.scores[rows][chosen])


def test_scores_beyond_the_code_range_are_still_found():
    dense, lazy = pair_of_instances(5, 200, 30)
    # Codes spanning only [0.1, 0.2]: higher scores get the top code, lower ones code 0.
    values = np.empty(dense.shape, np.uint16)
    quantise(dense.scores, 0.1, 1.0 / (0.1 / (CODE_TOP - 1)), values)
    assert (values == CODE_TOP).any() and (values == 0).any()
    lazy.scores.codes = Codes(values, 0.1, 0.1 / (CODE_TOP - 1))
    valid = dense.eligible.copy()
    for k in (1, 2, 5):
        chosen, _ = top_rows(lazy.scores, np.arange(200), valid, k)
        assert np.array_equal(chosen, top_per_row(dense.scores, valid, k))
    pool_d, pool_l = make_pool(dense), make_pool(lazy)
    _, bonus = pool_bonus(pool_d)
    d_head = np.full((1, 30), -bonus - 150_000)
    args = (bonus, np.zeros(0, np.int64), np.zeros(200, np.int64), d_head, np.zeros(200, np.int64))
    want = violations(pool_d, args[0], args[1], args[2], args[3], args[4], 2)
    got = violations(pool_l, args[0], args[1], args[2], args[3], args[4], 2)
    assert want[2] > 0 and got[2] == want[2] and np.array_equal(got[0], want[0])
    # The same through the chunk maxima: a chunk holding the top code always passes.
    maxima = np.empty((200, -(-30 // CHUNK)), np.uint16)
    chunk_maxima(values, maxima)
    lazy.scores.codes = Codes(values, 0.1, 0.1 / (CODE_TOP - 1), True, maxima)
    got = violations(pool_l, args[0], args[1], args[2], args[3], args[4], 2)
    assert got[2] == want[2] and np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    if lazy.scores.chunked:  # the chunk maxima alone, the chunks scored exactly
        lazy.scores.codes = Codes(None, 0.1, 0.1 / (CODE_TOP - 1), True, maxima)
        got = violations(pool_l, args[0], args[1], args[2], args[3], args[4], 2)
        assert got[2] == want[2] and np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])
        for k in (1, 2, 5):
            chosen, _ = top_rows(lazy.scores, np.arange(200), valid, k)
            assert np.array_equal(chosen, top_per_row(dense.scores, valid, k))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", [solve_total, solve_bounded])
def test_certified_sparse_solves_are_equal(seed, solver):
    dense, lazy = pair_of_instances(seed, program="mentoring")
    want = solver(dense, dense_limit=0)
    got = solver(lazy, dense_limit=0)
    assert got.certified and want.certified
    assert (got.pairs, got.status, got.bound, got.notes) == (
        want.pairs,
        want.status,
        want.bound,
        want.notes,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_whole_results_are_equal_and_pass_the_checker(seed, monkeypatch):
    cohort = generate_cohort(800, 120, seed=seed)
    policy = preset("coaching")
    want = solve(cohort, policy)
    monkeypatch.setattr(prepare_module, "DENSE_CELLS", 0)
    assert isinstance(prepare(cohort, policy).instance.scores, LazyScores)
    got = solve(cohort, policy)
    assert check(cohort, policy, got) == []
    assert dataclasses.replace(got, timings=()) == dataclasses.replace(want, timings=())


@pytest.mark.parametrize("seed", SEEDS)
def test_sweep_of_a_matrix_with_negative_scores_and_ties(seed):
    rng = np.random.default_rng(seed)
    scores = np.round(rng.normal(-0.2, 0.5, (300, 40)), 1)  # many ties, many below 0
    eligible = rng.random((300, 40)) < 0.8
    wanted, capacity = rng.integers(0, 3, 300), rng.integers(0, 6, 40)
    eligible[3, 5], wanted[3], capacity[5] = True, 2, 3
    instance = Instance.from_matrix(scores, eligible, wanted, capacity, pinned=((3, 5),))
    pool = make_pool(instance)
    l_cols = 2 * pool.cap_left + 1
    found = sweep(pool, 3, l_cols, block_rows=5)
    assert (found.n_open, found.bonus) == pool_bonus(pool)
    want = candidate_pairs(pool, 3, l_cols)
    assert np.array_equal(found.rows, want[0]) and np.array_equal(found.cols, want[1])
