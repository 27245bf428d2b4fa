"""Both block passes (numpy and compiled) equal the plain numpy steps, cell for cell.

Blocks with ties (scores on a coarse grid), rows with fewer open cells than ``k``, empty
masks, ``k = 0``, scores outside the code range and mentor floors of every kind.
"""

import numpy as np
import pytest

from matcher.encode.lazy_scores import CHUNK, CODE_TOP, COMPILED_CELLS, chunk_maxima, quantise
from matcher.solvers import block_scan, sweep_kernel
from matcher.solvers.top_k import top_indices


def _numpy_pass(block, mask, k, floor, lo, step):
    codes = np.empty(block.shape, np.uint16)
    quantise(block, lo, 1.0 / step, codes)
    maxima = np.empty((block.shape[0], -(-block.shape[1] // CHUNK)), np.uint16)
    chunk_maxima(codes, maxima)
    i, j = top_indices(block, mask, k)
    hit_i, hit_j = np.nonzero((block > floor[None, :]) & mask)
    return codes, maxima, set(zip(i.tolist(), j.tolist(), strict=True)), (hit_i, hit_j)


def _kernel_pass(scan_block, block, mask, k, floor, lo, step):
    n, m = block.shape
    codes = np.empty(block.shape, np.uint16)
    maxima = np.empty((n, -(-m // CHUNK)), np.uint16)
    top = (np.empty(n * k, np.int64), np.empty(n * k, np.int64), np.empty(n * k))
    hits = (np.empty(n * m, np.int64), np.empty(n * m), np.empty(n * m, np.int64))
    found = scan_block(block, mask, k, floor, (lo, 1.0 / step), (codes, maxima), top, hits)
    return codes, maxima, found, top, hits


PASSES = [block_scan.scan_block, sweep_kernel.scan_block]


@pytest.mark.parametrize("scan_block", PASSES, ids=["numpy", "compiled"])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [0, 1, 3, 12, 40])
def test_scan_block_equals_the_numpy_steps(scan_block, seed, k):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 9)), int(rng.integers(1, 3 * CHUNK + 5))
    block = rng.integers(-3, 12, (n, m)) / 10.0  # ties, and values beyond [0, 1]
    mask = rng.random((n, m)) < rng.choice([0.0, 0.3, 0.9, 1.0])
    floor = rng.choice([-np.inf, np.inf, 0.2, 0.5], m)
    lo, step = 0.0, 1.0 / (CODE_TOP - 1)
    codes, maxima, chosen, (hit_i, hit_j) = _numpy_pass(block, mask, k, floor, lo, step)
    k_codes, k_maxima, found, top, hits = _kernel_pass(scan_block, block, mask, k, floor, lo, step)
    n_top, n_hits, n_open, open_min, open_max, cell_max = found

    assert np.array_equal(k_codes, codes)
    assert np.array_equal(k_maxima, maxima)
    assert n_open == np.count_nonzero(mask)
    assert cell_max == block.max()
    if n_open:
        assert (open_min, open_max) == (block[mask].min(), block[mask].max())
    else:
        assert (open_min, open_max) == (np.inf, -np.inf)
    top_i, top_j, top_v = (part[:n_top] for part in top)
    assert set(zip(top_i.tolist(), top_j.tolist(), strict=True)) == chosen
    assert np.array_equal(top_v, block[top_i, top_j])
    if scan_block is sweep_kernel.scan_block:
        for r in range(n):  # each row's list is best first
            assert np.all(np.diff(top_v[top_i == r]) <= 0)
    assert np.array_equal(hits[2][:n_hits], hit_i) and np.array_equal(hits[0][:n_hits], hit_j)
    assert np.array_equal(hits[1][:n_hits], block[hit_i, hit_j])


@pytest.mark.parametrize("scan_block", PASSES, ids=["numpy", "compiled"])
def test_scan_block_without_codes_leaves_them_alone(scan_block):
    block = np.array([[0.5, 0.9, 0.1], [0.3, 0.3, 0.3]])
    mask = np.array([[True, False, True], [True, True, True]])
    none = (np.zeros((0, 0), np.uint16),) * 2
    top = (np.empty(4, np.int64), np.empty(4, np.int64), np.empty(4))
    hits = (np.empty(6, np.int64), np.empty(6), np.empty(6, np.int64))
    n_top, n_hits, n_open, lo, hi, cell_max = scan_block(
        block, mask, 2, np.full(3, 0.4), (0.0, 1.0), none, top, hits
    )
    assert (n_top, n_hits, n_open, lo, hi, cell_max) == (4, 1, 5, 0.1, 0.5, 0.9)
    chosen = sorted(zip(top[0][:4].tolist(), top[1][:4].tolist(), strict=True))
    assert chosen == [(0, 0), (0, 2), (1, 0), (1, 1)]  # row 1's tie goes to the lower mentors


def test_the_compiled_pass_is_for_the_largest_cohorts():
    assert block_scan.block_scanner(COMPILED_CELLS) is sweep_kernel.scan_block
    assert block_scan.block_scanner(COMPILED_CELLS - 1) is block_scan.scan_block
