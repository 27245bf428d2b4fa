"""Fair (max-min) matching: brute-forced optima on tiny cases, and the sparse path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.encode.instance import Instance
from matcher.results import Status
from matcher.solvers.fair import solve_fair
from matcher.solvers.flow import solve_total, total_score


def brute_force(inst: Instance) -> tuple[int, float | None, float]:
    """(places, worst non-pinned score, total) of the lexicographic best by enumeration."""
    pinned = set(inst.pinned)
    open_pairs = [p for p in zip(*np.nonzero(inst.eligible), strict=True) if p not in pinned]
    best = None
    for size in range(len(open_pairs) + 1):
        for chosen in itertools.combinations(open_pairs, size):
            pairs = list(pinned) + list(chosen)
            rows = np.array([i for i, _ in pairs], np.int64)
            cols = np.array([j for _, j in pairs], np.int64)
            if (np.bincount(rows, minlength=inst.shape[0]) > inst.wanted).any():
                continue
            if (np.bincount(cols, minlength=inst.shape[1]) > inst.capacity).any():
                continue
            worst = min((inst.scores[p] for p in chosen), default=np.inf)
            key = (size, worst, round(total_score(inst, pairs), 9))
            best = key if best is None or key > best else best
    places, worst, total = best
    return places, (None if worst == np.inf else worst), total


def worst_open(inst: Instance, pairs) -> float | None:
    scores = [inst.scores[p] for p in pairs if p not in set(inst.pinned)]
    return min(scores) if scores else None


def test_fair_gives_up_total_to_raise_the_worst_score():
    # Total: (0,0) + (1,1) = 1.2 with worst 0.2. Fair: (0,1) + (1,0) = 0.9 with worst 0.4.
    inst = Instance.from_matrix([[1.0, 0.4], [0.5, 0.2]])
    assert solve_total(inst).pairs == ((0, 0), (1, 1))
    sol = solve_fair(inst)
    assert sol.pairs == ((0, 1), (1, 0))
    assert sol.status is Status.OPTIMAL and sol.certified
    assert sol.bound == pytest.approx(0.9)
    assert sol.notes[0].startswith("fair: worst matched score 0.4 ")


def test_fair_keeps_the_places_first():
    # Matching both mentees forces the 0.1 pair; one place at 0.9 would be fairer.
    eligible = [[True, True], [False, True]]
    inst = Instance.from_matrix([[0.9, 0.1], [0.0, 0.1]], eligible=eligible)
    assert solve_fair(inst).pairs == ((0, 0), (1, 1))


def test_fair_then_maximises_the_total():
    # Worst score 0.5 is forced by e1; among such solutions e0 takes m1 (0.9).
    inst = Instance.from_matrix([[0.6, 0.9, 0.7], [0.5, 0.1, 0.1]], capacity=[1, 1, 1])
    sol = solve_fair(inst)
    assert sol.pairs == ((0, 1), (1, 0))
    assert sol.bound == pytest.approx(1.4)


def test_pinned_low_score_does_not_count_as_worst():
    inst = Instance.from_matrix([[0.05, 0.4], [0.5, 0.2]], pinned=((0, 0),))
    sol = solve_fair(inst)
    assert sol.pairs == ((0, 0), (1, 1))
    assert worst_open(inst, sol.pairs) == 0.2


@st.composite
def tiny_instances(draw):
    n_e, n_m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    cells = n_e * n_m
    scores = np.array(draw(st.lists(st.integers(0, 5), min_size=cells, max_size=cells))) / 5
    eligible = np.array(draw(st.lists(st.booleans(), min_size=cells, max_size=cells)))
    wanted = draw(st.lists(st.integers(0, 2), min_size=n_e, max_size=n_e))
    capacity = draw(st.lists(st.integers(0, 2), min_size=n_m, max_size=n_m))
    return Instance.from_matrix(
        scores.reshape(n_e, n_m), eligible.reshape(n_e, n_m), wanted, capacity
    )


@settings(max_examples=40, deadline=None)
@given(tiny_instances())
def test_fair_matches_brute_force(inst):
    places, worst, total = brute_force(inst)
    for sol in (solve_fair(inst), solve_fair(inst, dense_limit=0)):
        assert sol.status is Status.OPTIMAL
        assert len(sol.pairs) == places
        assert worst_open(inst, sol.pairs) == worst
        assert total_score(inst, sol.pairs) == pytest.approx(total, abs=1e-9)


def test_sparse_fair_equals_dense_fair():
    rng = np.random.default_rng(3)
    popularity = rng.random(40) ** 3
    scores = 0.4 * rng.random((200, 40)) + 0.6 * popularity[None, :]
    inst = Instance.from_matrix(scores, rng.random((200, 40)) < 0.7, capacity=np.full(40, 5))
    dense, sparse = solve_fair(inst), solve_fair(inst, dense_limit=0)
    assert len(sparse.pairs) == len(dense.pairs) == 200
    assert worst_open(inst, sparse.pairs) == worst_open(inst, dense.pairs)
    assert worst_open(inst, dense.pairs) > worst_open(inst, solve_total(inst).pairs)
    assert sparse.bound == pytest.approx(dense.bound)
    assert sparse.certified


def test_fair_reads_no_score_of_an_ineligible_pair():
    eligible = np.array([[True, True, False], [True, False, True], [False, True, True]])
    scores = np.where(eligible, [[0.9, 0.3, 0], [0.4, 0, 0.8], [0, 0.6, 0.5]], np.nan)
    for dense_limit in (0, 100):
        sol = solve_fair(Instance.from_matrix(scores, eligible), dense_limit=dense_limit)
        # Only two full matchings: (0,1) (1,0) (2,2), worst 0.3, and this one, worst 0.6.
        assert sol.pairs == ((0, 0), (1, 2), (2, 1))
        assert sol.bound == pytest.approx(2.3)
