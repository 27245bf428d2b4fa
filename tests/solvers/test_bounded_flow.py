"""The bounded flow: minimum loads and department caps, exact and certified like the flow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from matcher.encode.instance import Instance
from matcher.results import Status
from matcher.solvers import integers
from matcher.solvers.bounded_flow import solve_bounded
from matcher.solvers.cpsat import solve_cpsat
from matcher.solvers.flow import solve_total
from tests.solvers.test_cpsat import POLICY, SCORES, brute_best, feasible, tiny_instances


def value(instance: Instance, pairs) -> tuple[int, int]:
    scores = np.array([instance.scores[p] for p in pairs])
    return len(pairs), int(integers.to_int(scores).sum())


def test_min_load_moves_the_mentee_who_loses_least():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 1]))
    solution = solve_bounded(instance)
    assert solution.pairs == ((0, 0), (1, 0), (2, 1))
    assert solution.status is Status.OPTIMAL and solution.certified
    assert solution.bound == pytest.approx(2.0)


def test_department_cap_goes_through_a_sub_node():
    groups = np.array([0, 0, 1])
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], mentee_group=groups, max_per_group=1)
    solution = solve_bounded(instance)
    assert solution.pairs == ((0, 0), (1, 1), (2, 0))
    assert solution.certified


def test_pinned_pairs_use_up_loads_and_department_places():
    groups = np.array([0, 0, 0])
    instance = Instance.from_matrix(
        SCORES,
        capacity=[3, 3],
        min_load=np.array([0, 1]),
        mentee_group=groups,
        max_per_group=2,
        pinned=((2, 1),),
    )
    solution = solve_bounded(instance)  # the pin meets m1's minimum; m0 takes the other two
    assert solution.pairs == ((0, 0), (1, 0), (2, 1))


def test_unmeetable_loads_are_infeasible_in_words():
    eligible = np.array([[True, False], [True, False], [True, False]])
    instance = Instance.from_matrix(
        SCORES, eligible=eligible, capacity=[3, 2], min_load=np.array([0, 1])
    )
    solution = solve_bounded(instance)
    assert solution.status is Status.INFEASIBLE and solution.pairs == ()
    assert any("m1 needs at least 1" in c for c in solution.conflicts)


def test_loads_that_only_fail_together_are_infeasible():
    # Each mentor alone can reach its minimum, but both need e0 and e1 (e2 sits out).
    instance = Instance.from_matrix(
        SCORES, wanted=[1, 1, 0], capacity=[2, 2], min_load=np.array([2, 1])
    )
    solution = solve_bounded(instance)
    assert solution.status is Status.INFEASIBLE and solution.conflicts


@settings(max_examples=150, deadline=None)
@given(tiny_instances())
def test_same_optimum_as_brute_force(instance):
    best = brute_best(instance)
    solution = solve_bounded(instance)
    if best is None:
        assert solution.status is Status.INFEASIBLE
        return
    assert solution.status is Status.OPTIMAL and solution.certified
    assert feasible(instance, solution.pairs)
    assert value(instance, solution.pairs) == best


def _random_instance(seed: int, n_e: int = 150, n_m: int = 40) -> Instance:
    rng = np.random.default_rng(seed)
    capacity = rng.integers(1, 6, n_m)
    return Instance.from_matrix(
        np.round(rng.random((n_e, n_m)), 3),
        eligible=rng.random((n_e, n_m)) < 0.8,
        wanted=rng.integers(0, 3, n_e),
        capacity=capacity,
        min_load=np.minimum(rng.integers(0, 3, n_m), capacity),
        mentee_group=rng.integers(-1, 4, n_e),
        max_per_group=2,
        pinned=(),
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_candidate_graph_is_certified_to_the_dense_optimum(seed):
    instance = _random_instance(seed)
    dense = solve_bounded(instance)
    sparse = solve_bounded(instance, dense_limit=0)
    if dense.status is Status.INFEASIBLE:
        assert sparse.status is Status.INFEASIBLE
        return
    assert sparse.certified and sparse.status is Status.OPTIMAL
    assert value(instance, sparse.pairs) == value(instance, dense.pairs)
    assert feasible(instance, sparse.pairs)


@pytest.mark.parametrize("seed", range(4))
def test_cpsat_with_every_pair_agrees(seed):
    instance = _random_instance(seed, 14, 5)
    flow = solve_bounded(instance)
    cpsat = solve_cpsat(instance, POLICY, all_pairs=True)
    assert flow.status is cpsat.status
    if flow.status is Status.OPTIMAL:
        assert value(instance, flow.pairs) == value(instance, cpsat.pairs)


def test_without_side_rules_it_is_the_plain_flow():
    rng = np.random.default_rng(5)
    instance = Instance.from_matrix(rng.random((30, 8)), capacity=rng.integers(1, 5, 8))
    plain, bounded = solve_total(instance), solve_bounded(instance)
    assert value(instance, plain.pairs) == value(instance, bounded.pairs)


def brute_fair(instance: Instance):
    """(places, worst non-pinned score, scaled total) of the fair optimum, or None."""
    from itertools import combinations

    eligible = [tuple(map(int, p)) for p in zip(*np.nonzero(instance.eligible), strict=True)]
    best = None
    for k in range(len(eligible) + 1):
        for pairs in combinations(eligible, k):
            if feasible(instance, pairs):
                free = [instance.scores[p] for p in pairs if p not in set(instance.pinned)]
                worst = integers.to_int(np.array([min(free)]))[0] if free else 0
                key = (k, int(worst), value(instance, pairs)[1])
                best = key if best is None or key > best else best
    return best


@settings(max_examples=100, deadline=None)
@given(tiny_instances())
def test_fair_under_side_rules_matches_brute_force(instance):
    from matcher.solvers.fair import solve_fair

    best = brute_fair(instance)
    solution = solve_fair(instance)
    if best is None:
        assert solution.status is Status.INFEASIBLE
        return
    free = [instance.scores[p] for p in solution.pairs if p not in set(instance.pinned)]
    worst = int(integers.to_int(np.array([min(free)]))[0]) if free else 0
    assert feasible(instance, solution.pairs)
    assert (len(solution.pairs), worst, value(instance, solution.pairs)[1]) == best
