"""The candidate rounds' trial bonus and near pairs: exact whenever they are kept."""

from __future__ import annotations

import re

import numpy as np
import pytest

from matcher.encode.instance import Instance
from matcher.results import Status
from matcher.solvers.bounded_flow import solve_bounded
from matcher.solvers.certify import NEAR_PER_BAD
from matcher.solvers.flow import (
    TRIAL_PLACES,
    UNPROVEN_TRIAL,
    solve_total,
    total_score,
    trial_bonus,
)


def chain_instance(n: int = 12) -> Instance:
    """Mentee i may take mentor i (score 0) or mentor i + 1 (score 1), capacity 1 each.

    Every place filled scores 0; leaving mentee n-1 and mentor 0 out scores n - 1. A bonus
    below ``n - 1`` score spreads prefers the second: the trial bonus must not be kept.
    """
    eligible = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool)
    scores = np.where(np.eye(n, k=1, dtype=bool), 1.0, 0.0)
    return Instance.from_matrix(scores, eligible)


def test_trial_bonus_is_a_few_spreads_and_the_margin_a_share_of_one():
    spread, places = 925_000, 31_050
    trial, margin, need = trial_bonus(places * spread + 1, places)
    assert trial == TRIAL_PLACES * spread + 1
    assert 0 < margin < spread
    assert need == places  # kept only when it fills every place


@pytest.mark.parametrize(
    ("bonus", "places"), [(5 * 7 + 1, 5), (1, 3), (100, 0), (1_000_001 + 3, 1_000)]
)
def test_trial_bonus_keeps_the_full_bonus_when_it_cannot_be_smaller(bonus, places):
    # Few places, no places, or a bonus that is not places * spread + 1.
    assert trial_bonus(bonus, places) == (bonus, 0, 0)


@pytest.mark.parametrize("solve", [solve_total, solve_bounded])
def test_a_trial_that_gives_up_places_is_solved_again_with_the_full_bonus(solve):
    inst = chain_instance()
    dense, sparse = solve(inst), solve(inst, dense_limit=0)
    assert UNPROVEN_TRIAL in sparse.notes
    assert "not certified: the trial bonus filled 11 of 12 places" in sparse.notes
    assert sparse.status is Status.OPTIMAL and sparse.certified
    assert sparse.pairs == dense.pairs == tuple((i, i) for i in range(12))


@pytest.mark.parametrize("solve", [solve_total, solve_bounded])
def test_near_pairs_join_round_one_and_the_result_is_the_dense_optimum(solve):
    # Popular mentors fill every mentee's top 11: round 1 misses pairs of the optimum.
    rng = np.random.default_rng(0)
    popularity = rng.random(200) ** 3
    scores = np.round(0.3 * rng.random((400, 200)) + 0.7 * popularity[None, :], 3)
    inst = Instance.from_matrix(
        scores, rng.random((400, 200)) < 0.8, capacity=np.full(200, 2), min_load=np.full(200, 1)
    )
    dense, sparse = solve(inst), solve(inst, dense_limit=0)
    assert sparse.status is Status.OPTIMAL and sparse.certified
    assert UNPROVEN_TRIAL not in sparse.notes  # every mentor is filled: the trial is kept
    assert len(sparse.pairs) == len(dense.pairs)
    assert total_score(inst, sparse.pairs) == pytest.approx(total_score(inst, dense.pairs))
    first = next(n for n in sparse.notes if n.startswith("round 1: "))
    bad, added = map(int, re.findall(r"\d+", first)[1:])
    assert bad < added <= (1 + NEAR_PER_BAD) * bad  # near pairs came with the violating ones
