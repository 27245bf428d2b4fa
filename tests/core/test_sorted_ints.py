"""Sorted integer sets equal numpy's unique/union1d, whatever the input."""

import numpy as np
import pytest

from matcher.sorted_ints import union_sorted, unique_rows, unique_sorted


@pytest.mark.parametrize("seed", range(5))
def test_unique_and_union_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-5, 40, int(rng.integers(0, 60)))
    b = rng.integers(0, 1_000, int(rng.integers(0, 60)))
    kept = a.copy()
    assert np.array_equal(unique_sorted(a), np.unique(a))
    assert np.array_equal(a, kept)  # the input is left as it was
    assert np.array_equal(union_sorted(a, b), np.union1d(a, b))
    assert unique_sorted(a).dtype == a.dtype


def test_empty_and_single_values():
    assert unique_sorted(np.zeros(0, np.int64)).size == 0
    assert union_sorted().size == 0
    assert unique_sorted(np.array([7, 7, 7])).tolist() == [7]


@pytest.mark.parametrize("seed", range(6))
def test_unique_rows_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    keys = rng.integers(0, 4, (n, int(rng.integers(1, 4)))).astype(np.uint64)
    keys[:, 0] |= np.uint64(1) << np.uint64(63) if seed % 2 else np.uint64(0)  # the top bit
    kept = keys.copy()
    _, first, code = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    mine_first, mine_code = unique_rows(keys)
    assert np.array_equal(mine_first, first)
    assert np.array_equal(mine_code, code.reshape(-1))
    assert np.array_equal(keys[mine_first][mine_code], keys)
    assert np.array_equal(keys, kept)
