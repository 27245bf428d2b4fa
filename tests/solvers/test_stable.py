"""Stable matching: preference ranks, deferred acceptance, blocking pairs."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.encode.instance import Instance
from matcher.model import Policy, Proposer
from matcher.results import Status
from matcher.solvers.stable import UNACCEPTABLE, blocking_pairs, preference_ranks, solve_stable

BY_MENTEES = Policy(proposer=Proposer.MENTEE)
BY_MENTORS = Policy(proposer=Proposer.MENTOR)
U = UNACCEPTABLE


def classic(**extra) -> Instance:
    """Mentees A, B, C (0-2) and mentors X, Y, Z (0-2), stated lists only.

    A: X Y Z   B: Y X Z   C: X Y Z      X: B A C   Y: A B C   Z: A B C
    Mentee-optimal: A-X, B-Y, C-Z.  Mentor-optimal: A-Y, B-X, C-Z.
    """
    return Instance.from_matrix(
        np.zeros((3, 3)),
        mentee_prefs=((0, 1, 2), (1, 0, 2), (0, 1, 2)),
        mentor_prefs=((1, 0, 2), (0, 1, 2), (0, 1, 2)),
        **extra,
    )


# --------------------------------------------------------------------------- oracles


def brute_blocking(instance: Instance, pairs) -> list[tuple[int, int]]:
    """Blocking pairs by the definition, one pair at a time, from preference_ranks."""
    e_rank, m_rank = preference_ranks(instance)
    n_e, n_m = instance.shape
    matched, pinned = set(pairs), set(instance.pinned)
    found = []
    for i, j in itertools.product(range(n_e), range(n_m)):
        if not instance.eligible[i, j] or (i, j) in matched or (i, j) in pinned:
            continue
        mine = [b for a, b in matched if a == i]
        theirs = [a for a, b in matched if b == j]
        droppable_e = [e_rank[i, b] for b in mine if (i, b) not in pinned]
        droppable_m = [m_rank[a, j] for a in theirs if (a, j) not in pinned]
        e_wants = len(mine) < instance.wanted[i] or any(e_rank[i, j] < r for r in droppable_e)
        m_wants = len(theirs) < instance.capacity[j] or any(m_rank[i, j] < r for r in droppable_m)
        if e_wants and m_wants:
            found.append((i, j))
    return found


def assert_valid(instance: Instance, pairs) -> None:
    assert list(pairs) == sorted(set(pairs))
    assert set(instance.pinned) <= set(pairs)
    for i, j in pairs:
        assert instance.eligible[i, j]
    rows = np.bincount([i for i, _ in pairs], minlength=instance.shape[0])
    cols = np.bincount([j for _, j in pairs], minlength=instance.shape[1])
    assert np.all(rows <= instance.wanted)
    assert np.all(cols <= instance.capacity)


@st.composite
def instances(draw, max_e: int = 5, max_m: int = 4, one_to_one: bool = False):
    n_e = draw(st.integers(1, max_e))
    n_m = draw(st.integers(1, max_m))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, size=(n_e, n_m)) / 4.0  # few values: many ties
    eligible = rng.random((n_e, n_m)) < 0.8
    wanted = np.ones(n_e, np.int64) if one_to_one else rng.integers(0, 3, n_e)
    capacity = np.ones(n_m, np.int64) if one_to_one else rng.integers(0, 3, n_m)

    def lists(n_people, n_other):
        if not draw(st.booleans()):
            return ()
        return tuple(
            tuple(int(k) for k in rng.permutation(n_other)[: rng.integers(0, n_other + 1)])
            for _ in range(n_people)
        )

    pinned = []
    if not one_to_one and draw(st.booleans()):
        used_e, used_m = np.zeros(n_e, int), np.zeros(n_m, int)
        for i, j in zip(*np.nonzero(eligible & (rng.random((n_e, n_m)) < 0.2)), strict=True):
            if used_e[i] < wanted[i] and used_m[j] < capacity[j]:
                pinned.append((int(i), int(j)))
                used_e[i] += 1
                used_m[j] += 1
    return Instance.from_matrix(
        scores,
        eligible=eligible,
        wanted=wanted,
        capacity=capacity,
        pinned=tuple(pinned),
        mentee_prefs=lists(n_e, n_m),
        mentor_prefs=lists(n_m, n_e),
    )


# --------------------------------------------------------------------------- preference ranks


def test_preference_ranks_stated_first_then_score_then_lower_index():
    instance = Instance.from_matrix(
        [[0.5, 0.9, 0.5], [0.2, 0.2, 0.7], [0.5, 0.5, 0.0]],
        eligible=[[1, 1, 1], [1, 0, 1], [1, 1, 1]],
        mentee_prefs=((2,), ()),  # shorter than the cohort: the rest state nothing
        mentor_prefs=((), (), (1, 1, 0)),  # repeated entry counts once
    )
    mentee_rank, mentor_rank = preference_ranks(instance)
    assert mentee_rank.tolist() == [[2, 1, 0], [1, U, 0], [0, 1, 2]]
    assert mentor_rank.tolist() == [[0, 0, 1], [2, U, 0], [1, 1, 2]]


def test_preference_list_outside_the_cohort_is_rejected():
    instance = Instance.from_matrix(np.zeros((2, 2)), mentee_prefs=((0, 5), ()))
    with pytest.raises(ValueError, match="outside 0..1"):
        solve_stable(instance, BY_MENTEES)


# --------------------------------------------------------------------------- deferred acceptance


def test_classic_mentee_proposing_gives_mentee_optimal_matching():
    solution = solve_stable(classic(), BY_MENTEES)
    assert solution.pairs == ((0, 0), (1, 1), (2, 2))
    assert solution.status is Status.FEASIBLE
    assert solution.bound is None and solution.certified is False
    assert solution.notes == ("proposer: mentee", "rounds: 3")


def test_classic_mentor_proposing_differs_and_is_mentor_optimal():
    solution = solve_stable(classic(), BY_MENTORS)
    assert solution.pairs == ((0, 1), (1, 0), (2, 2))
    assert solution.notes == ("proposer: mentor", "rounds: 3")


def test_classic_results_have_no_blocking_pair_and_a_planted_one_is_found():
    instance = classic()
    for policy in (BY_MENTEES, BY_MENTORS):
        assert blocking_pairs(instance, solve_stable(instance, policy).pairs, policy) == []
    # A-X, B-Z, C-Y: B and Y prefer each other, and so do B and X.
    assert blocking_pairs(instance, [(0, 0), (1, 2), (2, 1)]) == [(1, 0), (1, 1)]


def test_mentor_capacity_keeps_its_best_proposals():
    instance = Instance.from_matrix(
        [[0.9, 0.5], [0.8, 0.4], [0.7, 0.6]], capacity=[2, 1]
    )  # every mentee prefers m0; m0 keeps e0 and e1, e2 falls back to m1
    for policy in (BY_MENTEES, BY_MENTORS):
        assert solve_stable(instance, policy).pairs == ((0, 0), (1, 0), (2, 1))


def test_mentee_wanting_two_mentors_proposes_to_two():
    instance = Instance.from_matrix(
        [[0.9, 0.8, 0.1], [0.85, 0.2, 0.3]], wanted=[2, 1], capacity=[1, 1, 1]
    )
    solution = solve_stable(instance, BY_MENTEES)
    assert solution.pairs == ((0, 0), (0, 1), (1, 2))
    assert blocking_pairs(instance, solution.pairs) == []


def test_stated_preferences_override_scores_and_skip_ineligible_entries():
    scores = [[0.9, 0.1], [0.8, 0.2]]
    assert solve_stable(Instance.from_matrix(scores), BY_MENTEES).pairs == ((0, 0), (1, 1))
    stated = Instance.from_matrix(scores, mentee_prefs=((1, 0), ()))
    assert solve_stable(stated, BY_MENTEES).pairs == ((0, 1), (1, 0))
    skipped = Instance.from_matrix(
        scores, eligible=[[1, 0], [1, 1]], mentee_prefs=((1, 0), ())
    )  # e0's first choice is ineligible, so its list starts at m0
    assert solve_stable(skipped, BY_MENTEES).pairs == ((0, 0), (1, 1))


def test_pinned_pair_is_kept_uses_places_and_cannot_block():
    instance = classic(pinned=((2, 0),))  # C-X fixed: X is full
    solution = solve_stable(instance, BY_MENTEES)
    assert solution.pairs == ((0, 1), (1, 2), (2, 0))
    # A and B both prefer X, but X cannot drop its pinned mentee.
    assert blocking_pairs(instance, solution.pairs) == []


def test_pinned_pairs_overfilling_a_mentor_are_infeasible():
    instance = Instance.from_matrix(np.zeros((2, 1)), pinned=((0, 0), (1, 0)))
    solution = solve_stable(instance, BY_MENTEES)
    assert solution.status is Status.INFEASIBLE
    assert solution.pairs == ()
    assert solution.conflicts == ("mentor m0 has 2 pinned mentees but capacity 1",)


def test_people_without_places_sit_out():
    instance = Instance.from_matrix(np.ones((2, 2)), wanted=[0, 1], capacity=[0, 2])
    assert solve_stable(instance, BY_MENTEES).pairs == ((1, 1),)
    assert solve_stable(instance, BY_MENTORS).pairs == ((1, 1),)


def test_blocking_pair_through_a_free_place():
    instance = Instance.from_matrix([[0.3, 0.9], [0.5, 0.1]], capacity=[1, 2])
    # e1 is unmatched and m1 has a free place: (1, 1) blocks even though scores are low.
    assert blocking_pairs(instance, [(0, 1)]) == [(1, 0), (1, 1)]


# --------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(instances())
def test_deferred_acceptance_is_valid_and_stable(instance):
    for policy in (BY_MENTEES, BY_MENTORS):
        solution = solve_stable(instance, policy)
        assert solution.status is Status.FEASIBLE
        assert_valid(instance, solution.pairs)
        assert blocking_pairs(instance, solution.pairs) == []
        assert brute_blocking(instance, solution.pairs) == []


@settings(max_examples=150, deadline=None)
@given(instances(), st.data())
def test_blocking_pairs_agrees_with_the_definition(instance, data):
    n_e, n_m = instance.shape
    chosen = data.draw(st.sets(st.tuples(st.integers(0, n_e - 1), st.integers(0, n_m - 1))))
    # Any eligible pairs, capacities may be overfilled; ineligible pairs are check()'s job.
    pairs = sorted({p for p in chosen if instance.eligible[p]} | set(instance.pinned))
    assert blocking_pairs(instance, pairs) == brute_blocking(instance, pairs)


def _stable_one_to_one(instance: Instance):
    """Every stable one-to-one matching, by enumeration."""
    n_e, n_m = instance.shape
    options = [[None] + [j for j in range(n_m) if instance.eligible[i, j]] for i in range(n_e)]
    for choice in itertools.product(*options):
        taken = [j for j in choice if j is not None]
        if len(taken) != len(set(taken)):
            continue
        pairs = [(i, j) for i, j in enumerate(choice) if j is not None]
        if not brute_blocking(instance, pairs):
            yield pairs


@settings(max_examples=60, deadline=None)
@given(instances(max_e=4, max_m=4, one_to_one=True))
def test_proposers_get_their_best_stable_partner(instance):
    e_rank, m_rank = preference_ranks(instance)
    stable = list(_stable_one_to_one(instance))
    assert stable  # a stable matching always exists
    for policy, rank, side in ((BY_MENTEES, e_rank, 0), (BY_MENTORS, m_rank.T, 1)):
        best = {p[side]: p[1 - side] for p in solve_stable(instance, policy).pairs}
        for pairs in stable:
            other = {p[side]: p[1 - side] for p in pairs}
            for person, partner in other.items():
                assert person in best and rank[person, best[person]] <= rank[person, partner]


# --------------------------------------------------------------------------- scale


def test_two_thousand_by_five_hundred_is_fast_and_stable():
    rng = np.random.default_rng(7)
    instance = Instance.from_matrix(
        rng.random((2000, 500)),
        eligible=rng.random((2000, 500)) < 0.9,
        wanted=rng.integers(0, 3, 2000),
        capacity=rng.integers(1, 5, 500),
    )
    started = time.perf_counter()
    solution = solve_stable(instance, BY_MENTEES)
    assert time.perf_counter() - started < 5.0
    assert len(solution.pairs) > 1000
    assert blocking_pairs(instance, solution.pairs) == []
    assert solve_stable(instance, BY_MENTEES).pairs == solution.pairs  # deterministic
