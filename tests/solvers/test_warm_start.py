"""Warm starts: a neighbouring solve's candidate graph gives the same certified optimum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.encode.instance import Instance
from matcher.solvers import integers
from matcher.solvers.bounded_flow import solve_bounded
from matcher.solvers.flow import solve_total


def value(instance: Instance, pairs) -> tuple[int, int]:
    scores = np.array([instance.scores[p] for p in pairs])
    return len(pairs), int(integers.to_int(scores).sum())


def _instance(seed: int, **extra) -> Instance:
    rng = np.random.default_rng(seed)
    n_e, n_m = 90, 25
    return Instance.from_matrix(
        rng.random((n_e, n_m)).round(3),
        eligible=rng.random((n_e, n_m)) < 0.7,
        capacity=rng.integers(1, 4, n_m),
        **extra,
    )


def _changes(instance: Instance) -> dict[str, Instance]:
    eligible = instance.eligible.copy()
    eligible[:, :5] = True
    capacity = instance.capacity.copy()
    capacity[3] += 1
    i, j = map(int, np.argwhere(instance.eligible)[7])
    return {
        "pinned": replace(instance, pinned=((i, j),)),
        "opened": replace(instance, eligible=eligible),
        "capacity": replace(instance, capacity=capacity),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_warm_flow_equals_a_cold_one(seed):
    base = solve_total(_instance(seed), dense_limit=0)
    assert base.certified and base.graph is not None
    for name, changed in _changes(_instance(seed)).items():
        warm = solve_total(changed, dense_limit=0, start=base.graph)
        cold = solve_total(changed)
        assert warm.certified, name
        assert any("warm start" in note for note in warm.notes), name
        assert value(changed, warm.pairs) == value(changed, cold.pairs), name


@pytest.mark.parametrize("seed", [4, 5])
def test_a_warm_bounded_flow_equals_a_cold_one(seed):
    rng = np.random.default_rng(seed)
    extra = dict(
        min_load=(rng.random(25) < 0.2).astype(np.int64),
        mentee_group=rng.integers(-1, 3, 90),
        max_per_group=2,
    )
    base = solve_bounded(_instance(seed, **extra), dense_limit=0)
    assert base.certified and base.graph is not None
    for name, changed in _changes(_instance(seed, **extra)).items():
        warm = solve_bounded(changed, dense_limit=0, start=base.graph)
        cold = solve_bounded(changed)
        assert warm.status is cold.status, name
        if cold.pairs:
            assert warm.certified, name
            assert value(changed, warm.pairs) == value(changed, cold.pairs), name


def test_start_pairs_that_are_no_longer_open_are_dropped():
    instance = _instance(6)
    base = solve_total(instance, dense_limit=0)
    i, j = base.pairs[0]
    pinned = replace(instance, pinned=((i, j),))
    warm = solve_total(pinned, dense_limit=0, start=base.graph)
    assert warm.pairs.count((i, j)) == 1  # the pinned pair is not an arc as well
    assert value(pinned, warm.pairs) == value(pinned, solve_total(pinned).pairs)
