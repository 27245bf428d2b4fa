"""CP-SAT side constraints: minimum loads, group caps, pins, hints, bounds, infeasibility."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers import integers
from matcher.solvers.cpsat import _score_bound, solve_cpsat
from matcher.solvers.side_rules import simple_conflicts

POLICY = Policy(time_limit_seconds=5.0, seed=3)
# Every mentee prefers m0; the unconstrained optimum gives m0 all three (total 2.4).
SCORES = [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]]


def total(instance: Instance, pairs) -> float:
    return sum(float(instance.scores[p]) for p in pairs)


# --------------------------------------------------------------------------- oracle


def feasible(instance: Instance, pairs) -> bool:
    """Every hard rule of the side-constraint model, checked by hand."""
    rows = np.bincount([i for i, _ in pairs], minlength=instance.shape[0])
    cols = np.bincount([j for _, j in pairs], minlength=instance.shape[1])
    if np.any(rows > instance.wanted) or np.any(cols > instance.capacity):
        return False
    if np.any(cols < instance.min_load) or not set(instance.pinned) <= set(pairs):
        return False
    if instance.max_per_group is not None:
        for i, j in pairs:
            group = instance.mentee_group[i]
            same = sum(1 for a, b in pairs if b == j and instance.mentee_group[a] == group)
            if group >= 0 and same > instance.max_per_group:
                return False
    return all(instance.eligible[p] for p in pairs)


def brute_best(instance: Instance):
    """(places, scaled score) of the lexicographic optimum, or None if infeasible."""
    eligible = [tuple(map(int, p)) for p in zip(*np.nonzero(instance.eligible), strict=True)]
    best = None
    for k in range(len(eligible) + 1):
        for pairs in itertools.combinations(eligible, k):
            if feasible(instance, pairs):
                scores = np.array([instance.scores[p] for p in pairs])
                value = (k, int(integers.to_int(scores).sum()))
                best = value if best is None or value > best else best
    return best


@st.composite
def tiny_instances(draw):
    n_e, n_m = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    eligible = rng.random((n_e, n_m)) < 0.75
    while eligible.sum() > 10:  # keep the enumeration small
        eligible[rng.integers(n_e), rng.integers(n_m)] = False
    capacity = rng.integers(0, 3, n_m)
    wanted = rng.integers(0, 3, n_e)
    grouped = draw(st.booleans())
    pinned = ()
    open_pairs = np.argwhere(eligible & (wanted > 0)[:, None] & (capacity > 0)[None, :])
    if draw(st.booleans()) and len(open_pairs):
        pinned = (tuple(int(v) for v in open_pairs[0]),)
    return Instance.from_matrix(
        rng.integers(0, 10, (n_e, n_m)) / 10.0,
        eligible=eligible,
        wanted=wanted,
        capacity=capacity,
        min_load=np.minimum(rng.choice([0, 0, 1, 2], n_m), capacity),
        mentee_group=rng.integers(-1, 2, n_e) if grouped else None,
        max_per_group=1 if grouped else None,
        pinned=pinned,
    )


# --------------------------------------------------------------------------- side constraints


def test_unconstrained_optimum_leaves_a_mentor_empty():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2])
    solution = solve_cpsat(instance, POLICY)
    assert solution.pairs == ((0, 0), (1, 0), (2, 0))
    assert solution.status is Status.OPTIMAL and solution.certified


def test_min_load_is_honoured():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 1]))
    solution = solve_cpsat(instance, POLICY)
    # m1 must take someone: e2 loses least (0.7 -> 0.3), total 0.9 + 0.8 + 0.3 = 2.0.
    assert solution.pairs == ((0, 0), (1, 0), (2, 1))
    assert solution.status is Status.OPTIMAL
    assert solution.certified is True
    assert solution.bound == pytest.approx(2.0)


def test_max_per_group_is_honoured():
    groups = np.array([0, 0, 1])
    instance = Instance.from_matrix(
        SCORES, capacity=[3, 2], mentee_group=groups, max_per_group=1
    )  # m0 may take only one of e0, e1: best is e0 + e2 on m0, e1 on m1 (1.8)
    solution = solve_cpsat(instance, POLICY)
    assert solution.pairs == ((0, 0), (1, 1), (2, 0))
    assert total(instance, solution.pairs) == pytest.approx(1.8)


def test_mentees_without_a_group_are_not_capped():
    instance = Instance.from_matrix(
        SCORES, capacity=[3, 2], mentee_group=np.array([-1, -1, -1]), max_per_group=1
    )
    assert solve_cpsat(instance, POLICY).pairs == ((0, 0), (1, 0), (2, 0))


def test_pinned_pair_is_kept():
    instance = Instance.from_matrix(
        SCORES, capacity=[3, 2], min_load=np.array([0, 1]), pinned=((0, 1),)
    )  # e0 pinned to m1 fills m1's minimum; e1 and e2 go to m0
    solution = solve_cpsat(instance, POLICY)
    assert solution.pairs == ((0, 1), (1, 0), (2, 0))


def test_places_come_before_score():
    # Matching both mentees (0.1 + 0.1) beats one mentee on its best pair (0.9).
    instance = Instance.from_matrix([[0.9, 0.1], [0.9, 0.0]], eligible=[[1, 1], [1, 0]])
    assert solve_cpsat(instance, POLICY).pairs == ((0, 1), (1, 0))


@settings(max_examples=60, deadline=None)
@given(tiny_instances())
def test_same_optimum_as_brute_force(instance):
    best = brute_best(instance)
    solution = solve_cpsat(instance, POLICY, num_workers=1)
    if best is None:
        assert solution.status is Status.INFEASIBLE and solution.conflicts
        return
    assert solution.status is Status.OPTIMAL and solution.certified
    assert feasible(instance, solution.pairs)
    scaled = integers.to_int(np.array([instance.scores[p] for p in solution.pairs])).sum()
    assert (len(solution.pairs), int(scaled)) == best
    assert solution.bound >= total(instance, solution.pairs)


# --------------------------------------------------------------------------- infeasibility


def test_min_load_above_capacity_is_named():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 3]))
    solution = solve_cpsat(instance, POLICY)
    assert solution.status is Status.INFEASIBLE and solution.pairs == ()
    assert solution.conflicts == ("mentor m1 needs at least 3 mentees but has capacity 2",)


def test_min_load_above_reachable_mentees_is_named():
    instance = Instance.from_matrix(
        SCORES, eligible=[[1, 1], [1, 0], [1, 0]], capacity=[3, 2], min_load=np.array([0, 2])
    )
    assert simple_conflicts(instance) == [
        "mentor m1 needs at least 2 mentees but only 1 eligible mentees who want a mentor "
        "can be placed with them",
        "mentors with minimum loads need 2 mentees in total, but the mentees eligible for "
        "them want only 1 places with them",
    ]


def test_min_loads_above_all_wanted_places_are_named():
    instance = Instance.from_matrix(np.ones((3, 2)), capacity=[2, 2], min_load=np.array([2, 2]))
    solution = solve_cpsat(instance, POLICY)
    assert solution.conflicts == (
        "mentors with minimum loads need 4 mentees in total, but the mentees eligible for "
        "them want only 3 places with them",
    )


def test_pinned_pairs_over_a_group_cap_are_named():
    instance = Instance.from_matrix(
        SCORES,
        capacity=[3, 2],
        mentee_group=np.array([4, 4, 1]),
        max_per_group=1,
        pinned=((0, 0), (1, 0)),
    )
    assert solve_cpsat(instance, POLICY).conflicts == (
        "mentor m0 has 2 pinned mentees of group 4 but at most 1 of one group are allowed",
    )


def test_clashing_min_loads_found_by_the_solver_name_the_mentors():
    # m0 and m1 need 2 each from the same three mentees; the totals alone look fine.
    eligible = np.zeros((5, 3), bool)
    eligible[:3, :2] = True
    eligible[3:, 2] = True
    instance = Instance.from_matrix(
        np.ones((5, 3)), eligible=eligible, capacity=[2, 2, 2], min_load=np.array([2, 2, 1])
    )
    assert simple_conflicts(instance) == []
    solution = solve_cpsat(instance, POLICY)
    assert solution.status is Status.INFEASIBLE
    assert solution.conflicts == ("minimum loads cannot all be met together: mentors m0, m1",)


# --------------------------------------------------------------------------- sparse model


def sparse_trap() -> Instance:
    """m2 needs 2 mentees, at most 1 per group; its top mentees are all of group 0 and
    e5 (group 1) ranks m2 last, so the sparse graph cannot meet m2's minimum."""
    scores = np.array(
        [
            [0.6, 0.5, 0.9],
            [0.5, 0.6, 0.8],
            [0.6, 0.5, 0.7],
            [0.5, 0.6, 0.6],
            [0.6, 0.5, 0.5],
            [0.5, 0.4, 0.0],
        ]
    )
    return Instance.from_matrix(
        scores,
        capacity=[1, 1, 2],
        min_load=np.array([0, 0, 2]),
        mentee_group=np.array([0, 0, 0, 0, 0, 1]),
        max_per_group=1,
    )


def test_infeasible_sparse_model_falls_back_to_every_eligible_pair():
    solution = solve_cpsat(sparse_trap(), POLICY, top_k=1, top_l=1)
    assert "sparse model infeasible: re-solved with every eligible pair" in solution.notes
    assert solution.status is Status.OPTIMAL and solution.certified
    assert (5, 2) in solution.pairs
    assert feasible(sparse_trap(), solution.pairs)


def test_sparse_only_says_infeasibility_is_not_proven():
    solution = solve_cpsat(sparse_trap(), POLICY, top_k=1, top_l=1, all_pairs=False)
    assert solution.status is Status.INFEASIBLE
    assert solution.conflicts == (
        "no assignment meets the side constraints among the 15 candidate pairs "
        "(not proven for all 18 eligible pairs)",
    )


def test_sparse_optimum_is_not_certified():
    rng = np.random.default_rng(5)
    instance = Instance.from_matrix(rng.random((30, 6)), capacity=np.full(6, 5))
    solution = solve_cpsat(instance, POLICY, top_k=1, top_l=1)
    assert solution.status is Status.OPTIMAL and solution.certified is False
    assert "sparse model: optimal and bound hold for the candidate pairs only" in solution.notes
    full = solve_cpsat(instance, POLICY, all_pairs=True)
    assert full.certified is True
    assert total(instance, full.pairs) >= total(instance, solution.pairs) - 1e-9


# --------------------------------------------------------------------------- hint, limits, bound


def test_solution_is_at_least_as_good_as_the_hint():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 1]))
    hint = Solution(((0, 1), (1, 0), (2, 0)), Status.FEASIBLE)  # feasible, total 1.6
    solution = solve_cpsat(instance, POLICY, hint=hint)
    assert total(instance, solution.pairs) >= total(instance, hint.pairs)
    assert solution.pairs == ((0, 0), (1, 0), (2, 1))


def test_out_of_time_returns_a_feasible_hint():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 1]))
    hint = Solution(((0, 1), (1, 0), (2, 0)), Status.FEASIBLE)
    solution = solve_cpsat(instance, POLICY, hint=hint, deterministic_time=0.0)
    assert solution.pairs == hint.pairs
    assert solution.status is Status.FEASIBLE and solution.bound is None
    assert "no solution within the time limit: returned the hint" in solution.notes


def test_out_of_time_without_a_usable_hint_raises():
    instance = Instance.from_matrix(SCORES, capacity=[3, 2], min_load=np.array([0, 1]))
    breaks_min_load = Solution(((0, 0), (1, 0), (2, 0)), Status.OPTIMAL)
    for hint in (None, breaks_min_load):
        with pytest.raises(RuntimeError, match="no solution within the time limit"):
            solve_cpsat(instance, POLICY, hint=hint, deterministic_time=0.0)


def test_score_bound_removes_the_bonus_and_adds_rounding_slack():
    # raw bound 3 * 1000 + 2_500_000 at 3 places with bonus 1000: score <= 2.5 (+1.5e-6)
    assert _score_bound(3_002_500_000.0, 1_000_000_000, 3, 2_400_000) == pytest.approx(
        2.5 + 1.5e-6, abs=1e-12
    )
    # never below the solution's own score
    assert _score_bound(0.0, 1, 2, 5_000_000) == pytest.approx(5.0 + 1e-6, abs=1e-12)


def test_same_input_and_seed_give_the_same_answer():
    rng = np.random.default_rng(11)
    instance = Instance.from_matrix(
        rng.random((40, 8)),
        capacity=np.full(8, 6),
        min_load=np.full(8, 3),
        mentee_group=rng.integers(0, 3, 40),
        max_per_group=3,
    )
    first = solve_cpsat(instance, POLICY)
    assert first.status is Status.OPTIMAL
    assert solve_cpsat(instance, POLICY).pairs == first.pairs
    assert first.bound >= total(instance, first.pairs)
