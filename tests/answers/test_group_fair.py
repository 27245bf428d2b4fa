"""Group-fair (max-min over groups, then the total): exact against brute force."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from answers_helpers import with_min_loads, without_min_loads

from matcher.answers.audit import groups_by
from matcher.answers.group_fair import solve_group_fair
from matcher.checker import check
from matcher.encode.instance import Instance
from matcher.io.generate import generate_cohort
from matcher.io.policy import load_policy, preset
from matcher.model import InputError, Objective
from matcher.results import Status
from matcher.solve import solve

SCALE = 1_000_000


def _key(instance, groups, pairs):
    """(places, worst group mean, total) in integer scores, as the objective orders them."""
    ints = np.rint(instance.scores * SCALE).astype(np.int64)
    per = np.zeros(instance.shape[0], np.int64)
    for i, j in pairs:
        per[i] += ints[i, j]
    worst = min(Fraction(int(per[g].sum()), g.size) for g in groups)
    return len(pairs), worst, int(sum(ints[i, j] for i, j in pairs))


def _brute(instance, groups):
    """The best key over every matching that keeps the places and capacities."""
    n_e, n_m = instance.shape
    pairs = [(i, j) for i in range(n_e) for j in range(n_m) if instance.eligible[i, j]]
    best = None
    for mask in range(1 << len(pairs)):
        chosen = [p for k, p in enumerate(pairs) if mask >> k & 1]
        got = np.bincount([i for i, _ in chosen], minlength=n_e)
        load = np.bincount([j for _, j in chosen], minlength=n_m)
        if (got > instance.wanted).any() or (load > instance.capacity).any():
            continue
        if (load < instance.min_load).any():
            continue
        if instance.max_per_group is not None:
            per = {}
            for i, j in chosen:
                key = (j, int(instance.mentee_group[i]))
                per[key] = per.get(key, 0) + 1
            if any(n > instance.max_per_group for n in per.values()):
                continue
        if not all(p in chosen for p in instance.pinned):
            continue
        key = _key(instance, groups, chosen)
        best = key if best is None or key > best else best
    return best


@pytest.mark.parametrize("seed", range(12))
def test_group_fair_equals_brute_force_on_tiny_instances(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m = int(rng.integers(3, 6)), int(rng.integers(2, 4))
    scores = np.round(rng.random((n_e, n_m)), 3)
    eligible = rng.random((n_e, n_m)) < 0.7
    wanted = rng.integers(1, 3, n_e)
    capacity = rng.integers(1, 3, n_m)
    while sum(eligible.flatten()) > 13:  # brute force stays small
        eligible[rng.integers(n_e), rng.integers(n_m)] = False
    instance = Instance.from_matrix(scores, eligible, wanted, capacity)
    cut = int(rng.integers(1, n_e))
    groups = [np.arange(cut), np.arange(cut, n_e)]
    policy = replace(preset("coaching"), time_limit_seconds=20.0)
    solution = solve_group_fair(instance, groups, ["a", "b"], policy)
    assert solution.status is Status.OPTIMAL
    assert _key(instance, groups, solution.pairs) == _brute(instance, groups)


def test_group_fair_on_a_cohort_passes_the_checker_and_costs_no_place():
    cohort = without_min_loads(generate_cohort(30, 10, 5))
    plain_policy = preset("coaching")
    policy = replace(plain_policy, objective=Objective.GROUP_FAIR, fair_by="department")
    result = solve(cohort, policy)
    assert result.status is Status.OPTIMAL, result.notes
    assert check(cohort, policy, result) == []
    plain = solve(cohort, plain_policy)
    assert len(result.pairs) == len(plain.pairs)
    assert result.objective <= plain.objective + 1e-9
    scores = {}
    for p in result.pairs:
        scores[p.mentee_id] = scores.get(p.mentee_id, 0.0) + p.score
    plain_scores = {}
    for p in plain.pairs:
        plain_scores[p.mentee_id] = plain_scores.get(p.mentee_id, 0.0) + p.score
    groups = groups_by(cohort, "department")

    def worst(per):
        ids = cohort.mentee_ids
        return min(sum(per.get(ids[i], 0.0) for i in m) / len(m) for _, m in groups)

    assert worst(scores) >= worst(plain_scores) - 1e-6
    assert any("cost against the plain optimum" in n for n in result.notes)


@pytest.mark.parametrize("seed", range(6))
def test_group_fair_with_side_rules_equals_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n_e, n_m = 5, 3
    scores = np.round(rng.random((n_e, n_m)), 3)
    eligible = rng.random((n_e, n_m)) < 0.8
    while sum(eligible.flatten()) > 12:
        eligible[rng.integers(n_e), rng.integers(n_m)] = False
    min_load = np.array([1, 0, 0])
    group = rng.integers(0, 2, n_e)
    instance = Instance.from_matrix(
        scores,
        eligible,
        np.ones(n_e, np.int64),
        np.full(n_m, 2),
        min_load=min_load,
        mentee_group=group,
        max_per_group=1,
    )
    groups = [np.arange(2), np.arange(2, n_e)]
    policy = replace(preset("coaching"), time_limit_seconds=20.0)
    solution = solve_group_fair(instance, groups, ["a", "b"], policy)
    best = _brute(instance, groups)
    if solution.status is Status.INFEASIBLE:
        assert best is None
        return
    assert solution.status is Status.OPTIMAL
    assert _key(instance, groups, solution.pairs) == best


def test_group_fair_on_a_sample_with_minimum_loads_passes_the_checker():
    cohort = with_min_loads(without_min_loads(generate_cohort(30, 10, 7)))
    policy = replace(preset("coaching"), objective=Objective.GROUP_FAIR, fair_by="location")
    result = solve(cohort, policy)
    assert result.status is Status.OPTIMAL, result.notes
    assert check(cohort, policy, result) == []


def test_group_fair_names_the_group_dimensions_it_knows():
    cohort = without_min_loads(generate_cohort(20, 6, 6))
    unknown = replace(preset("coaching"), objective=Objective.GROUP_FAIR, fair_by="shoe size")
    with pytest.raises(InputError) as error:
        solve(cohort, unknown)
    assert "department, location, seniority" in error.value.problems[0].message


def test_the_policy_file_takes_objective_group_fair_with_by(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('program = "coaching"\n[solver]\nobjective = "group-fair"\nby = "location"\n')
    policy = load_policy(path)
    assert policy.objective is Objective.GROUP_FAIR and policy.fair_by == "location"
    path.write_text('program = "coaching"\n[solver]\nobjective = "group-fair"\n')
    with pytest.raises(InputError, match="policy"):
        load_policy(path)
    path.write_text('program = "coaching"\n[solver]\nby = "location"\n')
    with pytest.raises(InputError):
        load_policy(path)


def test_the_brute_force_orders_worst_group_before_the_total():
    # Two mentees in two groups, one mentor of capacity 1: either way one group gets 0,
    # so the worst mean ties at 0 and the total decides; with a second place the
    # fair answer gives mentee 1 the better of its pairs, though mentee 0 twice scores more.
    instance = Instance.from_matrix([[0.9], [0.2]])
    groups = [np.array([0]), np.array([1])]
    assert _brute(instance, groups) == (1, Fraction(0), 900_000)
    two = Instance.from_matrix([[0.9, 0.8], [0.2, 0.1]], wanted=[2, 1], capacity=[1, 1])
    assert _brute(two, groups) == (2, Fraction(200_000), 1_000_000)
    fair = solve_group_fair(two, groups, ["a", "b"], preset("coaching"))
    assert sorted(fair.pairs) == [(0, 1), (1, 0)]
    assert _key(two, groups, fair.pairs) == (2, Fraction(200_000), 1_000_000)


def test_without_a_certified_bound_nothing_is_claimed_proven(monkeypatch):
    import matcher.answers.group_fair as module

    monkeypatch.setattr(module, "make_certificate", lambda *args, **kwargs: "no potentials")
    instance = Instance.from_matrix([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]], capacity=[1, 2])
    groups = [np.array([0]), np.array([1, 2])]
    solution = solve_group_fair(instance, groups, ["a", "b"], preset("coaching"))
    assert solution.status is Status.FEASIBLE and not solution.certified
    assert any("bound none" in note for note in solution.notes)
    assert len(solution.pairs) == 3  # the plain optimum's places are kept
