"""solve(): end to end on tiny hand-checked cohorts, one per objective and solver path.

Scores use the skills weight only and no levels, so a pair's score is the share of the
mentee's wanted skills that the mentor teaches.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.checker import check
from matcher.encode.instance import Instance
from matcher.model import (
    Cohort,
    Mentee,
    Mentor,
    Objective,
    Policy,
    Skill,
    SolverChoice,
    Weights,
)
from matcher.result.metrics import compute_metrics, skill_coverage
from matcher.results import Alternate, Metrics, Pair, Status, Unmatched
from matcher.solve import solve, solver_name

POLICY = Policy(weights=Weights(skills=1.0))


def skills(*names):
    return tuple(Skill(n) for n in names)


def cohort_a() -> Cohort:
    """E1-M1 0.5, E1-M2 1.0, E2-M1 1.0, E2-M2 1.0, E3-* 0; two places for three mentees."""
    return Cohort(
        mentees=(
            Mentee("E1", skills=skills("python", "sql")),
            Mentee("E2", skills=skills("python")),
            Mentee("E3", skills=skills("go")),
        ),
        mentors=(
            Mentor("M1", skills=skills("python")),
            Mentor("M2", skills=skills("sql", "python")),
        ),
    )


def pairs_of(result):
    return [(p.mentee_id, p.mentor_id, p.score) for p in result.pairs]


def test_total_objective_on_flow():
    cohort = cohort_a()
    result = solve(cohort, POLICY)
    assert result.solver == "flow" and result.status is Status.OPTIMAL
    assert pairs_of(result) == [("E1", "M2", 1.0), ("E2", "M1", 1.0)]
    assert result.objective == 2.0 and result.bound == 2.0 and result.gap == 0.0
    assert result.certified
    assert result.pairs[0].components == (("skills", 1.0),)
    assert result.pairs[0].explanation == "skills 100% (python, sql)"
    assert result.pairs[1].explanation == "skills 100% (python)"
    assert [stage for stage, _ in result.timings][0] == "build"
    assert [stage for stage, _ in result.timings][-1] == "explain"
    assert check(cohort, POLICY, result) == []


def test_capacity_caused_unmatched_reason_and_alternates():
    result = solve(cohort_a(), POLICY)
    assert result.unmatched == (
        Unmatched(
            "E3",
            1,
            (
                "2 eligible mentors are all at capacity; one more place at M1 (score 0.00) "
                "would match this mentee",
            ),
        ),
    )
    assert result.alternates == (
        Alternate("E1", "M1", 0.5, "full: all 1 place taken"),
        Alternate("E2", "M2", 1.0, "full: all 1 place taken"),
        Alternate("E3", "M1", 0.0, "full: all 1 place taken"),
        Alternate("E3", "M2", 0.0, "full: all 1 place taken"),
    )


def test_rule_caused_unmatched_reason():
    cohort = cohort_a()
    cohort = replace(
        cohort,
        mentees=(*cohort.mentees[:2], replace(cohort.mentees[2], languages=("french",))),
        mentors=tuple(replace(m, languages=("english",)) for m in cohort.mentors),
    )
    policy = replace(POLICY, require_shared_language=True, forbidden_pairs=(("E1", "M1"),))
    result = solve(cohort, policy)
    assert pairs_of(result) == [("E1", "M2", 1.0), ("E2", "M1", 1.0)]
    assert result.unmatched == (
        Unmatched(
            "E3", 1, ("no mentor is eligible: 2 mentors excluded by the shared-language rule",)
        ),
    )
    # E1's other mentor is forbidden, E3 has no eligible mentor at all.
    assert result.alternates == (Alternate("E2", "M2", 1.0, "full: all 1 place taken"),)
    assert check(cohort, policy, result) == []


def test_metrics_of_the_solve():
    result = solve(cohort_a(), POLICY)
    assert result.metrics == Metrics(
        mentees=3,
        mentors=2,
        wanted_places=3,
        matched_places=2,
        matched_mentees=2,
        fully_matched_mentees=2,
        mean_score=1.0,
        min_score=1.0,
        p10_score=1.0,
        median_score=1.0,
        p90_score=1.0,
        mentors_used=2,
        mean_load=1.0,
        max_load=1,
        skill_coverage=1.0,
    )


def test_compute_metrics_hand_checked():
    instance = Instance.from_matrix(np.zeros((5, 3)), wanted=[1, 2, 1, 1, 0], capacity=[2, 2, 1])
    pairs = [(0, 0), (1, 0), (1, 1), (2, 1)]
    m = compute_metrics(instance, pairs, [0.2, 0.4, 0.6, 0.8])
    # linear percentiles of 0.2, 0.4, 0.6, 0.8: p10 = 0.2 + 0.3 * 0.2, p90 = 0.6 + 0.7 * 0.2
    assert (m.mean_score, m.min_score, m.p10_score, m.median_score, m.p90_score) == (
        0.5,
        0.2,
        0.26,
        0.5,
        0.74,
    )
    assert (m.wanted_places, m.matched_places, m.matched_mentees, m.fully_matched_mentees) == (
        5,
        4,
        3,
        3,
    )
    assert (m.mentors_used, m.mean_load, m.max_load, m.skill_coverage) == (2, 2.0, 2, None)
    empty = compute_metrics(instance, [], [])
    assert empty.mean_score is None and empty.mean_load is None and empty.max_load == 0


def test_skill_coverage_counts_wanted_skills_of_matched_mentees():
    cohort = Cohort(
        mentees=(
            Mentee("E1", skills=skills("a", "b")),
            Mentee("E2", skills=skills("c")),
            Mentee("E3"),
        ),
        mentors=(Mentor("M1", skills=skills("a")), Mentor("M2", skills=skills("b"))),
    )
    assert skill_coverage(cohort, [(0, 0), (0, 1), (1, 0)]) == round(2 / 3, 6)
    assert skill_coverage(cohort, [(2, 0)]) is None


def cohort_fair() -> Cohort:
    """E1-M1 1.0, E1-M2 0.5, E2-M1 0.25, E2-M2 0.0."""
    return Cohort(
        mentees=(
            Mentee("E1", skills=skills("a", "b")),
            Mentee("E2", skills=skills("b", "x", "y", "z")),
        ),
        mentors=(Mentor("M1", skills=skills("a", "b")), Mentor("M2", skills=skills("a"))),
    )


def test_fair_raises_the_worst_score_where_total_does_not():
    cohort = cohort_fair()
    total = solve(cohort, POLICY)
    assert pairs_of(total) == [("E1", "M1", 1.0), ("E2", "M2", 0.0)]
    policy = replace(POLICY, objective=Objective.FAIR)
    fair = solve(cohort, policy)
    assert fair.solver == "fair"
    assert pairs_of(fair) == [("E1", "M2", 0.5), ("E2", "M1", 0.25)]
    assert fair.objective == 0.75
    assert check(cohort, policy, fair) == []


def cohort_stable() -> Cohort:
    """E1-M1 1.0, E1-M2 0.9, E2-M1 0.8, E2-M2 0.0: the total optimum is not stable."""
    letters = tuple("abcdefghij")
    return Cohort(
        mentees=(
            Mentee("E1", skills=skills(*letters)),
            Mentee("E2", skills=skills("x1", "x2", "x3", "a", "y")),
        ),
        mentors=(
            Mentor("M1", skills=skills(*letters, "x1", "x2", "x3")),
            Mentor("M2", skills=skills(*letters[1:])),
        ),
    )


def test_stable_differs_from_total():
    cohort = cohort_stable()
    assert pairs_of(solve(cohort, POLICY)) == [("E1", "M2", 0.9), ("E2", "M1", 0.8)]
    policy = replace(POLICY, objective=Objective.STABLE)
    stable = solve(cohort, policy)
    assert stable.solver == "stable" and stable.status is Status.FEASIBLE
    assert pairs_of(stable) == [("E1", "M1", 1.0), ("E2", "M2", 0.0)]
    assert stable.bound is None and stable.gap is None
    assert check(cohort, policy, stable) == []


def cohort_min_load() -> Cohort:
    """Both mentees score 1.0 with M1 (2 places), 0.0 with M2, who must take one."""
    return Cohort(
        mentees=(Mentee("E1", skills=skills("a")), Mentee("E2", skills=skills("a"))),
        mentors=(
            Mentor("M1", skills=skills("a"), capacity=2),
            Mentor("M2", capacity=1, min_capacity=1),
        ),
    )


def test_min_load_is_exact_in_the_flow():
    cohort = cohort_min_load()
    assert solver_name(cohort, POLICY) == "flow"
    result = solve(cohort, POLICY)
    assert result.solver == "flow" and result.status is Status.OPTIMAL and result.certified
    assert result.objective == 1.0
    assert sorted(p.mentor_id for p in result.pairs) == ["M1", "M2"]
    assert check(cohort, POLICY, result) == []


def test_cpsat_on_request_is_judged_against_the_flow():
    cohort = cohort_min_load()
    policy = replace(POLICY, solver=SolverChoice.CPSAT)
    result = solve(cohort, policy)
    assert result.solver == "cpsat" and result.status is Status.OPTIMAL
    assert result.objective == 1.0
    assert any(n.startswith("flow hint: ") for n in result.notes)
    assert check(cohort, policy, result) == []


def test_max_per_department_is_exact_in_the_flow():
    cohort = Cohort(
        mentees=tuple(Mentee(e, skills=skills("a"), department="eng") for e in ("E1", "E2")),
        mentors=(Mentor("M1", skills=skills("a"), capacity=2), Mentor("M2", capacity=2)),
    )
    policy = replace(POLICY, max_per_department=1)
    result = solve(cohort, policy)
    assert result.solver == "flow" and result.certified
    assert sorted(p.mentor_id for p in result.pairs) == ["M1", "M2"]
    assert check(cohort, policy, result) == []


def test_stable_with_side_rules_meets_them_with_the_fewest_blocking_pairs():
    policy = replace(POLICY, objective=Objective.STABLE)
    result = solve(cohort_min_load(), policy)
    assert result.solver == "stable" and check(cohort_min_load(), policy, result) == []
    # The only stable matching leaves M2 below its minimum; meeting it costs one pair.
    assert "blocking pairs: 1" in result.notes


def test_fair_with_side_rules_is_exact():
    policy = replace(POLICY, objective=Objective.FAIR)
    result = solve(cohort_min_load(), policy)
    assert result.solver == "fair" and result.status is Status.OPTIMAL
    assert check(cohort_min_load(), policy, result) == []


def test_side_rules_with_the_flow_forced_run_exactly():
    result = solve(cohort_min_load(), replace(POLICY, solver=SolverChoice.FLOW))
    assert result.solver == "flow" and result.certified


def test_pinned_pair_breaking_a_rule_is_an_infeasible_result():
    cohort = cohort_a()
    policy = replace(POLICY, forbidden_pairs=(("E1", "M1"),), pinned_pairs=(("E1", "M1"),))
    result = solve(cohort, policy)
    conflict = "pinned pair (E1, M1) is ruled out by the policy's forbidden pairs"
    assert result.status is Status.INFEASIBLE and result.conflicts == (conflict,)
    assert result.pairs == () and result.solver == "flow"
    assert result.unmatched == tuple(Unmatched(e, 1, (conflict,)) for e in ("E1", "E2", "E3"))
    assert result.metrics.wanted_places == 3
    assert check(cohort, policy, result) == []


def test_pinned_pair_is_kept_and_says_so():
    cohort = cohort_a()
    policy = replace(POLICY, pinned_pairs=(("E1", "M1"),))
    result = solve(cohort, policy)
    assert pairs_of(result) == [("E1", "M1", 0.5), ("E2", "M2", 1.0)]
    assert result.pairs[0] == Pair(
        "E1", "M1", 0.5, (("skills", 0.5),), True, "pinned by policy, skills 50% (python)"
    )
    assert check(cohort, policy, result) == []


def test_same_input_same_result_and_progress_stages():
    stages = []
    first = solve(cohort_a(), POLICY, progress=stages.append)
    second = solve(cohort_a(), POLICY)
    assert replace(first, timings=()) == replace(second, timings=())
    assert stages == ["building", "solving (flow)", "explaining"]
