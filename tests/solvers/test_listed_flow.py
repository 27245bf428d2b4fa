"""The flow on listed pairs (bring-your-own scores, ``scores_only``) against the matrix flow."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.checker import check
from matcher.encode.instance import Instance
from matcher.encode.prepare import prepare
from matcher.io.policy import preset
from matcher.model import Cohort, ExternalScores, Mentee, Mentor
from matcher.results import Status
from matcher.solve import solve
from matcher.solvers.candidates import make_pool
from matcher.solvers.flow import solve_total, total_score
from matcher.solvers.listed_flow import solve_listed, solve_listed_total


def listed_instance(n_e: int, n_m: int, per_mentee: int, seed: int, pinned=()) -> Instance:
    """Popular mentors, each mentee listing ``per_mentee`` of them; unlisted pairs closed."""
    rng = np.random.default_rng(seed)
    popularity = rng.random(n_m) ** 3
    scores = 0.3 * rng.random((n_e, n_m)) + 0.7 * popularity[None, :]
    listed = np.zeros((n_e, n_m), bool)
    for i in range(n_e):
        listed[i, rng.choice(n_m, per_mentee, replace=False)] = True
    eligible = listed & (rng.random((n_e, n_m)) < 0.9)  # a hard rule closes some listed pairs
    for i, j in pinned:
        listed[i, j] = eligible[i, j] = True
    rows, cols = np.nonzero(listed)
    wanted, capacity = rng.integers(0, 3, n_e), rng.integers(0, 6, n_m)
    for i, j in pinned:  # room for the pins
        wanted[i], capacity[j] = max(wanted[i], 1), max(capacity[j], 2)
    return Instance.from_matrix(
        scores,
        eligible,
        wanted=wanted,
        capacity=capacity,
        pinned=tuple(pinned),
        listed=(rows.astype(np.int64), cols.astype(np.int64)),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_listed_candidates_reach_the_matrix_optimum(seed):
    inst = listed_instance(400, 50, 12, seed, pinned=((0, 3), (5, 3)))
    matrix = solve_total(replace(inst, listed=None))
    for sol in (solve_listed_total(inst, dense_limit=0, k=2), solve_listed_total(inst)):
        assert sol.status is Status.OPTIMAL and sol.certified
        assert set(inst.pinned) <= set(sol.pairs)
        assert len(sol.pairs) == len(matrix.pairs)
        assert total_score(inst, sol.pairs) == pytest.approx(total_score(inst, matrix.pairs))
        rows, cols = np.array(sol.pairs).T
        assert inst.eligible[rows, cols].all()
        assert (np.bincount(rows, minlength=400) <= inst.wanted).all()
        assert (np.bincount(cols, minlength=50) <= inst.capacity).all()


def test_a_poor_first_graph_is_repaired_by_the_certificate():
    inst = listed_instance(400, 50, 12, 4)
    # Each mentee's single best listed mentor and no mentor lists: far from optimal.
    options = dict(dense_limit=0, k=1, l_extra=-100, max_rounds=10, add_per_row=2)
    sol, graph = solve_listed(make_pool(inst), **options)
    assert any(note.startswith("round 1: ") for note in sol.notes)
    assert graph is not None and graph[0].size < inst.listed[0].size
    assert sol.notes[-1].startswith("certified against every open listed pair")
    assert sol.bound == pytest.approx(solve_total(replace(inst, listed=None)).bound)


def test_round_limit_solves_the_whole_list_certified():
    inst = listed_instance(400, 50, 12, 4)
    options = dict(dense_limit=0, k=1, l_extra=-100, max_rounds=1, add_per_row=1)
    sol, graph = solve_listed(make_pool(inst), **options)
    assert graph is None
    assert sol.certified and sol.notes[-1].startswith("fallback: all ")
    assert sol.bound == pytest.approx(solve_total(replace(inst, listed=None)).bound)


def test_scores_only_solve_uses_the_list_and_passes_the_checker():
    rng = np.random.default_rng(5)
    n_e, n_m = 300, 40
    i = np.repeat(np.arange(n_e), 8)
    j = np.concatenate([rng.choice(n_m, 8, replace=False) for _ in range(n_e)])
    cohort = Cohort(
        mentors=tuple(
            Mentor(id=f"M{k}", capacity=int(c)) for k, c in enumerate(rng.integers(1, 9, n_m))
        ),
        mentees=tuple(Mentee(id=f"E{k}") for k in range(n_e)),
        external_scores=ExternalScores(i, j, rng.normal(size=i.size)),
    )
    policy = replace(preset("coaching"), scores_only=True)
    listed = prepare(cohort, policy).instance.listed
    assert listed is not None and listed[0].size == i.size
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
    assert result.certified and any(n.startswith("listed pairs: ") for n in result.notes)
    plain = prepare(cohort, policy)
    matrix = solve_total(replace(plain.instance, listed=None))
    assert result.objective == pytest.approx(total_score(plain.instance, matrix.pairs), abs=1e-6)
