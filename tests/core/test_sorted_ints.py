"""Sorted integer sets equal numpy's unique/union1d, whatever the input."""

import numpy as np
import pytest

from matcher.sorted_ints import union_sorted, unique_sorted


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
