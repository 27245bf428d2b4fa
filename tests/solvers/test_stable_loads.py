"""Stable objective with minimum loads and department caps: stable when possible, else the
fewest blocking pairs, against brute force."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from matcher.checker import check
from matcher.encode.instance import Instance
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import Cohort, Mentee, Mentor, Objective, Skill
from matcher.results import Status
from matcher.solve import solve
from matcher.solvers.preferences import blocking_pairs
from matcher.solvers.side_rules import breaks_rules
from matcher.solvers.stable_loads import solve_stable_loads

POLICY = replace(preset("coaching"), objective=Objective.STABLE, time_limit_seconds=20)


def fewest_by_brute_force(instance: Instance) -> int | None:
    """The fewest blocking pairs over every matching meeting the rules (None: none does)."""
    n_e, n_m = instance.shape
    options = []
    for i in range(n_e):
        ok = [j for j in range(n_m) if instance.eligible[i, j]]
        subsets = [()]
        for size in range(1, int(instance.wanted[i]) + 1):
            subsets += list(itertools.combinations(ok, size))
        options.append(subsets)
    best = None
    for choice in itertools.product(*options):
        pairs = [(i, j) for i, subset in enumerate(choice) for j in subset]
        if breaks_rules(instance, pairs):
            continue
        count = len(blocking_pairs(instance, pairs))
        best = count if best is None else min(best, count)
    return best


def count_in(notes) -> int:
    (note,) = [n for n in notes if n.startswith("blocking pairs: ")]
    return int(note.split(": ")[1])


@pytest.mark.parametrize("seed", range(20))
def test_fewest_blocking_pairs_agree_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m = 5, 3
    grouped = seed % 2 == 1
    instance = Instance.from_matrix(
        rng.integers(0, 10, (n_e, n_m)) / 10,
        rng.random((n_e, n_m)) < 0.85,
        wanted=rng.integers(1, 3, n_e) if seed % 3 == 0 else None,
        capacity=rng.integers(1, 4, n_m),
        min_load=rng.integers(0, 3, n_m) * (rng.random(n_m) < 0.6),
        mentee_group=rng.integers(0, 2, n_e) if grouped else None,
        max_per_group=1 if grouped else None,
        pinned=((0, 0),) if seed % 4 == 0 else (),
    )
    instance = replace(instance, eligible=instance.eligible | (np.arange(n_e)[:, None] == 0))
    expected = fewest_by_brute_force(instance)
    solution = solve_stable_loads(instance, POLICY)
    if expected is None:
        assert solution.status is Status.INFEASIBLE and solution.conflicts
        return
    assert solution.status is Status.FEASIBLE
    assert not breaks_rules(instance, solution.pairs)
    assert count_in(solution.notes) == len(blocking_pairs(instance, solution.pairs)) == expected
    if expected:
        assert any("cp-sat: optimal" in n for n in solution.notes)


def test_a_minimum_load_no_stable_matching_meets_costs_one_blocking_pair():
    # Both mentees prefer M1 (2 places) and M1 prefers both: the only stable matching
    # leaves M2 empty, but M2 must take one; moving either mentee makes one blocking pair.
    cohort = Cohort(
        mentees=(Mentee("E1", skills=(Skill("go"),)), Mentee("E2", skills=(Skill("go"),))),
        mentors=(
            Mentor("M1", skills=(Skill("go"),), capacity=2),
            Mentor("M2", capacity=1, min_capacity=1),
        ),
    )
    result = solve(cohort, POLICY)
    assert result.solver == "stable" and check(cohort, POLICY, result) == []
    assert sorted(p.mentor_id for p in result.pairs) == ["M1", "M2"]
    assert "blocking pairs: 1" in result.notes
    assert any(n.startswith("no stable matching meets the minimum loads") for n in result.notes)


def test_stable_with_minimum_loads_on_a_generated_cohort_passes_the_checker():
    cohort = generate_cohort(24, 6, 5)
    mentors = tuple(replace(m, min_capacity=min(m.capacity, 2)) for m in cohort.mentors)
    cohort = replace(cohort, mentors=mentors)
    policy = replace(POLICY, max_per_department=2)
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
    assert any(n.startswith("blocking pairs: ") for n in result.notes)


def test_minimum_loads_that_cannot_hold_are_an_infeasible_result():
    cohort = Cohort(
        mentees=(Mentee("E1"),),
        mentors=(Mentor("M1", min_capacity=1), Mentor("M2", min_capacity=1)),
    )
    result = solve(cohort, POLICY)
    assert result.status is Status.INFEASIBLE and result.conflicts
