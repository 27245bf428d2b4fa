"""Rematch's kept-pairs-first objective in two phases: exact, and beyond the old int64 limit."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from matcher.checker import check
from matcher.encode.instance import Instance
from matcher.encode.prepare import prepare
from matcher.io.policy import preset
from matcher.model import Cohort, ExternalScores, Mentee, Mentor
from matcher.solve import solve
from matcher.solvers.integers import SCALE, place_bonus, to_int
from matcher.whatif.kept_first import score_range, solve_kept_first
from matcher.whatif.rematch import kept_bonus, rematch


def brute(instance: Instance, keep: set) -> tuple[int, int, float]:
    """(places, kept, score) of the lexicographic optimum, every mentee wanting one."""
    n_e, n_m = instance.shape
    best = None
    for choice in itertools.product(*[[None, *range(n_m)] for _ in range(n_e)]):
        pairs = [(i, j) for i, j in enumerate(choice) if j is not None]
        if any(not instance.eligible[i, j] for i, j in pairs):
            continue
        load = np.bincount([j for _, j in pairs], minlength=n_m)
        if (load > instance.capacity).any():
            continue
        key = (
            len(pairs),
            sum(p in keep for p in pairs),
            round(sum(float(instance.scores[i, j]) for i, j in pairs), 9),
        )
        best = key if best is None or key > best else best
    return best


@pytest.mark.parametrize("seed", range(12))
def test_two_phases_agree_with_brute_force_even_from_a_tiny_first_bonus(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m = 5, 3
    instance = Instance.from_matrix(
        rng.integers(0, 10, (n_e, n_m)) / 10,
        rng.random((n_e, n_m)) < 0.8,
        capacity=rng.integers(1, 3, n_m),
    )
    open_pairs = np.argwhere(instance.eligible)
    chosen = open_pairs[rng.random(len(open_pairs)) < 0.4]
    rows, cols = chosen[:, 0].astype(np.int64), chosen[:, 1].astype(np.int64)
    keep = set(zip(rows.tolist(), cols.tolist(), strict=True))
    limit = kept_bonus(instance, rows, cols, None)
    policy = preset("coaching")
    for start in (None, 1):  # 1: the bonus must grow before it keeps enough pairs
        solution, (note,) = solve_kept_first(instance, policy, "flow", rows, cols, limit, start)
        places, kept, score = brute(instance, keep)
        assert len(solution.pairs) == places
        assert sum(p in keep for p in solution.pairs) == kept
        got = sum(float(instance.scores[i, j]) for i, j in solution.pairs)
        assert got == pytest.approx(score, abs=1e-9)
        assert note.startswith("kept pairs first: phase 1 found at most")


def test_a_too_small_first_bonus_grows_and_says_so():
    # e0 keeps m0 (score 0); moving e0 to m1 frees m0 for e1: +1 + 1 = 2 > a bonus of 1.
    instance = Instance.from_matrix([[0.0, 1.0], [1.0, 0.0]], capacity=[1, 1])
    rows, cols = np.array([0]), np.array([0])
    limit = kept_bonus(instance, rows, cols, None)
    solution, (note,) = solve_kept_first(
        instance, preset("coaching"), "flow", rows, cols, limit, start=SCALE
    )
    assert (0, 0) in solution.pairs and "(2 solves)" in note


def big_range_cohort(n_e: int, n_m: int, seed: int = 3) -> Cohort:
    """Bring-your-own scores from 0 to 10,000, 30 listed mentors per mentee, capacity 6."""
    rng = np.random.default_rng(seed)
    i = np.repeat(np.arange(n_e), 30)
    j = np.concatenate([rng.choice(n_m, 30, replace=False) for _ in range(n_e)])
    return Cohort(
        mentors=tuple(Mentor(id=f"M{k}", capacity=6) for k in range(n_m)),
        mentees=tuple(Mentee(id=f"E{k}") for k in range(n_e)),
        external_scores=ExternalScores(i, j, np.round(rng.random(i.size) * 10_000, 2)),
    )


def test_a_rematch_above_the_old_int64_limit_is_exact_and_checked():
    cohort = big_range_cohort(2_000, 400)
    policy = replace(preset("coaching"), scores_only=True)
    base = solve(cohort, policy)
    previous = [(p.mentee_id, p.mentor_id) for p in base.pairs]
    # The old single solve: a kept-pair bonus over every exchange, then a place bonus on
    # top; 2,000 places of this score range overflow int64.
    instance = prepare(cohort, policy).instance
    rows = np.array([cohort.mentee_ids.index(e) for e, _ in previous[:1]])
    cols = np.array([cohort.mentor_ids.index(m) for _, m in previous[:1]])
    old = kept_bonus(instance, rows, cols, None)
    assert old > 4 * score_range(instance)
    with pytest.raises(OverflowError):
        place_bonus(to_int(np.array([0.0, 10_000 + old / SCALE])), len(previous))
    leaver = cohort.mentor_ids[0]
    outcome = rematch(cohort, policy, previous, {"remove_mentors": [leaver]})
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    moved = sum(m == leaver for _, m in previous)
    assert len(outcome.result.pairs) == len(previous)  # room enough: everyone placed again
    assert outcome.kept == len(previous) - moved  # only the leaver's mentees move
    assert any(n.startswith("kept pairs first:") for n in outcome.result.notes)
