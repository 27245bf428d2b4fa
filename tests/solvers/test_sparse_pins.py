"""Pinned pairs read by index: the same conflicts and usable pairs as the full matrices."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.encode.instance import Instance
from matcher.solvers.candidates import pin_conflicts, pin_conflicts_at
from matcher.solvers.preferences import pinned_matrix
from matcher.solvers.side_rules import usable_pairs


def _instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    n_e, n_m = 30, 8
    pinned = {(int(rng.integers(n_e)), int(rng.integers(n_m))) for _ in range(12)}
    return Instance.from_matrix(
        rng.random((n_e, n_m)),
        eligible=rng.random((n_e, n_m)) < 0.6,
        wanted=rng.integers(0, 3, n_e),
        capacity=rng.integers(0, 3, n_m),
        pinned=tuple(sorted(pinned)),
    )


def _dense_usable(instance: Instance) -> np.ndarray:
    """The definition: open pairs once pins are placed, and pinned pairs with places."""
    pinned = pinned_matrix(instance)
    want_left = instance.wanted - pinned.sum(axis=1)
    cap_left = instance.capacity - pinned.sum(axis=0)
    open_ = instance.eligible & (want_left > 0)[:, None] & (cap_left > 0)[None, :]
    wants = (instance.wanted > 0)[:, None] & (instance.capacity > 0)[None, :]
    return open_ | (pinned & instance.eligible & wants)


@pytest.mark.parametrize("seed", range(6))
def test_conflicts_by_index_equal_conflicts_by_matrix(seed):
    instance = _instance(seed)
    rows, cols = np.array(sorted(set(instance.pinned)), np.int64).T
    assert pin_conflicts_at(instance, rows, cols) == pin_conflicts(
        instance, pinned_matrix(instance)
    )


@pytest.mark.parametrize("seed", range(6))
def test_usable_pairs_of_some_mentors_are_those_columns(seed):
    instance = _instance(seed)
    dense = _dense_usable(instance)
    assert np.array_equal(usable_pairs(instance), dense)
    for columns in ([], [0], [1, 4, 7], list(range(8))):
        assert np.array_equal(usable_pairs(instance, columns), dense[:, columns])
    assert np.array_equal(
        usable_pairs(replace(instance, pinned=())), _dense_usable(replace(instance, pinned=()))
    )
