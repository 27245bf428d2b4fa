"""Min-cost flow solver: hand-checked optima, an exact MILP oracle, the certified sparse path."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import LinearConstraint, milp

from matcher.encode.instance import Instance
from matcher.model import InfeasibleError
from matcher.results import Status
from matcher.solvers.candidates import make_pool, top_per_row
from matcher.solvers.flow import solve_total, total_score


def check_valid(instance: Instance, pairs) -> None:
    """Pairs are distinct, eligible, within capacities and include every pinned pair."""
    assert len(set(pairs)) == len(pairs)
    assert list(pairs) == sorted(pairs)
    assert set(instance.pinned) <= set(pairs)
    rows = np.array([i for i, _ in pairs], np.int64)
    cols = np.array([j for _, j in pairs], np.int64)
    assert instance.eligible[rows, cols].all()
    assert (np.bincount(rows, minlength=instance.shape[0]) <= instance.wanted).all()
    assert (np.bincount(cols, minlength=instance.shape[1]) <= instance.capacity).all()


def rounds(solution) -> int:
    """The number of candidate-graph solves, read from the notes."""
    for note in solution.notes:
        found = re.fullmatch(r"certify rounds: (\d+)", note)
        if found:
            return int(found.group(1))
    return 0


# --------------------------------------------------------------------------- hand-checked


def test_2x2_swaps_to_the_better_total():
    # (0,1) + (1,0) = 0.8 + 0.85 = 1.65 beats (0,0) + (1,1) = 1.0
    inst = Instance.from_matrix([[0.9, 0.8], [0.85, 0.1]])
    sol = solve_total(inst)
    assert sol.pairs == ((0, 1), (1, 0))
    assert sol.status is Status.OPTIMAL and sol.certified
    assert sol.bound == pytest.approx(1.65)
    assert [name for name, _ in sol.timings] == ["candidates", "flow", "certify"]


def test_3x2_with_capacities():
    # m1 (capacity 1) takes e1 (0.7); e0 and e2 share m0: 0.9 + 0.7 + 0.6 = 2.2
    inst = Instance.from_matrix([[0.9, 0.5], [0.8, 0.7], [0.6, 0.1]], capacity=[2, 1])
    sol = solve_total(inst)
    assert sol.pairs == ((0, 0), (1, 1), (2, 0))
    assert total_score(inst, sol.pairs) == pytest.approx(2.2)


def test_pinned_pair_is_kept_even_when_it_costs_score():
    inst = Instance.from_matrix([[0.9, 0.8], [0.85, 0.1]], pinned=((0, 0),))
    sol = solve_total(inst)
    assert sol.pairs == ((0, 0), (1, 1))
    assert sol.bound == pytest.approx(1.0)


def test_pinned_pair_counts_against_both_sides():
    # e0 wants 2 and is pinned to m0; m0 (capacity 1) is then full, so e1 gets m1.
    inst = Instance.from_matrix(
        [[0.1, 0.2], [0.9, 0.3]], wanted=[2, 1], capacity=[1, 2], pinned=((0, 0),)
    )
    assert solve_total(inst).pairs == ((0, 0), (0, 1), (1, 1))


def test_ineligible_pinned_pair_is_infeasible():
    eligible = [[False, True], [True, True]]
    inst = Instance.from_matrix([[0.5, 0.5]] * 2, eligible=eligible, pinned=((0, 0),))
    with pytest.raises(InfeasibleError, match=r"\(e0, m0\) breaks a hard rule"):
        solve_total(inst)


def test_overfilled_pinned_mentor_is_infeasible():
    inst = Instance.from_matrix([[0.5], [0.5]], pinned=((0, 0), (1, 0)))
    with pytest.raises(InfeasibleError, match=r"mentor m0 has 2 pinned mentees but capacity 1"):
        solve_total(inst)


def test_mentee_wanting_two_gets_two_different_mentors():
    # e1 -> m2 (0.8) leaves m0 + m1 to e0 (0.5 + 0.6): 1.9 beats 1.6 and 1.6.
    inst = Instance.from_matrix([[0.5, 0.6, 0.9], [0.1, 0.2, 0.8]], wanted=[2, 1])
    sol = solve_total(inst)
    assert sol.pairs == ((0, 0), (0, 1), (1, 2))
    assert sol.bound == pytest.approx(1.9)


def test_capacity_zero_and_wanted_zero_sit_out():
    inst = Instance.from_matrix([[0.9, 0.1], [0.9, 0.9]], wanted=[1, 0], capacity=[0, 1])
    assert solve_total(inst).pairs == ((0, 1),)


def test_more_places_beat_a_higher_total():
    # One place: (0,0) = 1.0. Two places: (0,1) + (1,0) = 0.2. Places come first.
    eligible = [[True, True], [True, False]]
    inst = Instance.from_matrix([[1.0, 0.1], [0.1, 0.0]], eligible=eligible)
    sol = solve_total(inst)
    assert sol.pairs == ((0, 1), (1, 0))
    assert sol.bound == pytest.approx(0.2)


def test_more_places_win_when_every_score_is_negative():
    # One place: -1. Two places: -200. The bonus must still make the second place pay.
    eligible = [[True, True], [True, False]]
    inst = Instance.from_matrix([[-1.0, -100.0], [-100.0, 0.0]], eligible=eligible)
    assert solve_total(inst).pairs == ((0, 1), (1, 0))


def test_nothing_eligible_gives_an_empty_optimum():
    inst = Instance.from_matrix(np.full((2, 3), np.nan), eligible=np.zeros((2, 3), bool))
    sol = solve_total(inst)
    assert sol.pairs == () and sol.status is Status.OPTIMAL and sol.bound == 0.0


def test_top_per_row_breaks_ties_by_lower_column():
    values = np.array([[0.5, 0.7, 0.5, 0.5, 0.1], [0.2, 0.2, 0.2, 0.9, 0.9]])
    valid = np.array([[True, True, False, True, True], [True] * 5])
    chosen = top_per_row(values, valid, np.array([2, 3]))
    assert chosen.tolist() == [
        [True, True, False, False, False],
        [True, False, False, True, True],
    ]


def test_pool_subtracts_pinned_places():
    inst = Instance.from_matrix(
        np.ones((2, 2)), wanted=[2, 1], capacity=[3, 1], pinned=((0, 1), (0, 1))
    )
    pool = make_pool(inst)
    assert pool.want_left.tolist() == [1, 1]
    assert pool.cap_left.tolist() == [3, 0]
    assert pool.mask(0, 2).tolist() == [[True, False], [True, False]]


# --------------------------------------------------------------------------- oracle


def milp_optimum(inst: Instance) -> tuple[int, float]:
    """(max places, max total among those) by two exact integer programs."""
    rows, cols = np.nonzero(inst.eligible)
    n = rows.size
    if n == 0:
        return 0, 0.0
    a_rows = (rows[None, :] == np.arange(inst.shape[0])[:, None]).astype(float)
    a_cols = (cols[None, :] == np.arange(inst.shape[1])[:, None]).astype(float)
    lower = np.zeros(n)
    for i, j in inst.pinned:
        lower[(rows == i) & (cols == j)] = 1
    limits = [
        LinearConstraint(a_rows, -np.inf, inst.wanted),
        LinearConstraint(a_cols, -np.inf, inst.capacity),
    ]
    opts = {"integrality": np.ones(n), "bounds": (lower, np.ones(n))}
    first = milp(-np.ones(n), constraints=limits, **opts)
    places = int(round(-first.fun))
    limits.append(LinearConstraint(np.ones((1, n)), places, places))
    second = milp(-inst.scores[rows, cols], constraints=limits, **opts)
    return places, float(-second.fun)


@st.composite
def small_instances(draw):
    n_e = draw(st.integers(1, 8))
    n_m = draw(st.integers(1, 6))
    ints = st.integers(0, 20)
    scores = np.array(draw(st.lists(ints, min_size=n_e * n_m, max_size=n_e * n_m))) / 20
    eligible = np.array(draw(st.lists(st.booleans(), min_size=n_e * n_m, max_size=n_e * n_m)))
    wanted = np.array(draw(st.lists(st.integers(0, 2), min_size=n_e, max_size=n_e)))
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=n_m, max_size=n_m)))
    eligible = eligible.reshape(n_e, n_m)
    want_left, cap_left, pinned = wanted.copy(), capacity.copy(), []
    for i, j in zip(*np.nonzero(eligible), strict=True):
        if draw(st.integers(0, 9)) == 0 and want_left[i] and cap_left[j]:
            pinned.append((int(i), int(j)))
            want_left[i] -= 1
            cap_left[j] -= 1
    return Instance.from_matrix(
        scores.reshape(n_e, n_m), eligible, wanted, capacity, pinned=tuple(pinned)
    )


@settings(max_examples=50, deadline=None)
@given(small_instances())
def test_dense_and_sparse_paths_match_the_milp_oracle(inst):
    places, total = milp_optimum(inst)
    for sol in (solve_total(inst), solve_total(inst, dense_limit=0, k=1, fallback_limit=0)):
        check_valid(inst, sol.pairs)
        assert sol.certified and sol.status is Status.OPTIMAL
        assert len(sol.pairs) == places
        assert total_score(inst, sol.pairs) == pytest.approx(total, abs=1e-9)
        assert sol.bound == pytest.approx(total, abs=1e-9)


# --------------------------------------------------------------------------- sparse path


def popular_instance(n_e: int = 300, n_m: int = 60, seed: int = 1) -> Instance:
    """Random scores plus a strong mentor popularity term, capacity 5, 80% eligible."""
    rng = np.random.default_rng(seed)
    popularity = rng.random(n_m) ** 3
    scores = 0.3 * rng.random((n_e, n_m)) + 0.7 * popularity[None, :]
    eligible = rng.random((n_e, n_m)) < 0.8
    return Instance.from_matrix(scores, eligible, capacity=np.full(n_m, 5))


def test_sparse_path_equals_dense_and_needed_a_resolve():
    inst = popular_instance()
    dense = solve_total(inst)
    sparse = solve_total(inst, dense_limit=0, k=2, fallback_limit=0)
    check_valid(inst, sparse.pairs)
    assert sparse.certified and sparse.status is Status.OPTIMAL
    assert len(sparse.pairs) == len(dense.pairs) == 300
    assert total_score(inst, sparse.pairs) == pytest.approx(total_score(inst, dense.pairs))
    assert rounds(sparse) > 1  # the first candidate graph was not optimal
    assert any(note.startswith("round 1: ") for note in sparse.notes)


def test_sparse_path_with_default_candidates_is_certified_and_deterministic():
    inst = popular_instance(seed=2)
    first = solve_total(inst, dense_limit=0, fallback_limit=0)
    again = solve_total(inst, dense_limit=0, fallback_limit=0)
    assert first.certified and first.pairs == again.pairs
    assert first.bound == pytest.approx(total_score(inst, solve_total(inst).pairs))


def test_round_limit_reports_an_honest_uncertified_result():
    inst = popular_instance()
    sol = solve_total(inst, dense_limit=0, k=1, max_rounds=1, fallback_limit=0)
    check_valid(inst, sol.pairs)
    assert sol.status is Status.FEASIBLE and not sol.certified and sol.bound is None
    assert "not certified: round limit 1 reached" in sol.notes


def test_failed_certificate_falls_back_to_every_pair():
    inst = popular_instance()
    sol = solve_total(inst, dense_limit=0, k=1, max_rounds=1)
    assert sol.certified and sol.status is Status.OPTIMAL
    assert sol.notes[-1].startswith("fallback: all ")
    assert sol.bound == pytest.approx(total_score(inst, solve_total(inst).pairs))


def test_unread_scores_of_ineligible_pairs_may_be_nan():
    inst = popular_instance(n_e=120, n_m=30, seed=4)
    holes = Instance.from_matrix(
        np.where(inst.eligible, inst.scores, np.nan), inst.eligible, capacity=inst.capacity
    )
    for sol in (solve_total(holes), solve_total(holes, dense_limit=0, fallback_limit=0)):
        check_valid(holes, sol.pairs)
        assert sol.certified
        assert sol.bound == pytest.approx(solve_total(inst).bound)


def test_empty_sides():
    assert solve_total(Instance.from_matrix(np.zeros((0, 3)))).pairs == ()
    assert solve_total(Instance.from_matrix(np.zeros((2, 0))), dense_limit=0).pairs == ()
