"""Property tests: on small random cohorts, every solver's result passes check(), and the
total objective equals an independent optimum (scipy's linear_sum_assignment on mentor
columns replicated per place, with a bonus per matched place so that places come first).

Eligibility for the independent optimum comes from check.rule_violations (plain Python,
pair by pair), not from matcher.encode.rules.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matcher.checker import chain_parents, check, rule_violations
from matcher.encode.prepare import prepare
from matcher.encode.scoring import pair_scores
from matcher.model import (
    Cohort,
    DepartmentRule,
    Mentee,
    Mentor,
    Objective,
    Policy,
    SeniorityRule,
    Skill,
    SolverChoice,
    Weights,
)
from matcher.results import Status
from matcher.solve import solve

SKILLS = ("python", "sql", "go", "design")
GOALS = ("leadership", "craft")
LANGUAGES = ("english", "french")
DEPARTMENTS = (None, "eng", "sales")
OFFSETS = (None, 0, 60, 330, -480)
PROPERTY = settings(max_examples=30, deadline=None)


@st.composite
def people(draw, cls, prefix, n, max_capacity):
    out = []
    for k in range(n):
        out.append(
            cls(
                f"{prefix}{k}",
                skills=tuple(Skill(s) for s in draw(st.sets(st.sampled_from(SKILLS), max_size=3))),
                goals=tuple(sorted(draw(st.sets(st.sampled_from(GOALS))))),
                seniority=draw(st.one_of(st.none(), st.integers(0, 6))),
                capacity=draw(st.integers(0, max_capacity)),
                department=draw(st.sampled_from(DEPARTMENTS)),
                utc_offset_minutes=draw(st.sampled_from(OFFSETS)),
                languages=tuple(sorted(draw(st.sets(st.sampled_from(LANGUAGES))))),
            )
        )
    return tuple(out)


@st.composite
def cohorts(draw, max_wanted=2):
    n_e, n_m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    mentees = draw(people(Mentee, "E", n_e, max_wanted))
    mentors = draw(people(Mentor, "M", n_m, 3))
    if draw(st.booleans()):  # one exclude list and one manager link
        e, m = draw(st.integers(0, n_e - 1)), draw(st.integers(0, n_m - 1))
        mentees = (*mentees[:e], replace(mentees[e], exclude=(f"M{m}",)), *mentees[e + 1 :])
        m2 = draw(st.integers(0, n_m - 1))
        mentors = (*mentors[:m2], replace(mentors[m2], manager_id="E0"), *mentors[m2 + 1 :])
    return Cohort(mentors=mentors, mentees=mentees)


@st.composite
def policies(draw):
    weights = Weights(
        skills=draw(st.sampled_from([0.0, 0.5, 1.0])),
        goals=draw(st.sampled_from([0.0, 0.3])),
        seniority=draw(st.sampled_from([0.0, 0.2])),
        timezone=draw(st.sampled_from([0.0, 0.1])),
    )
    return Policy(
        weights=weights,
        seniority=SeniorityRule(min_gap=draw(st.sampled_from([None, 0, 1]))),
        require_shared_language=draw(st.booleans()),
        max_timezone_diff_hours=draw(st.sampled_from([None, 3.0])),
        department_rule=draw(st.sampled_from(list(DepartmentRule))),
        forbidden_pairs=draw(st.sampled_from([(), (("E0", "M0"),)])),
        pinned_pairs=draw(st.sampled_from([(), (("E0", "M0"),), (("E0", "M0"), ("E0", "M1"))])),
    )


@PROPERTY
@given(cohorts(), policies(), st.sampled_from(list(Objective)))
def test_every_objective_passes_the_checker(cohort, policy, objective):
    fair_by = "department" if objective is Objective.GROUP_FAIR else None  # its groups
    policy = replace(policy, objective=objective, fair_by=fair_by)
    policy = replace(policy, pinned_pairs=policy.pinned_pairs[: len(cohort.mentors)])
    result = solve(cohort, policy)
    if result.status is Status.INFEASIBLE:  # only a pinned pair can cause it here
        assert policy.pinned_pairs and result.conflicts and result.pairs == ()
    assert check(cohort, policy, result) == []


@PROPERTY
@given(cohorts(), policies(), st.data())
def test_cpsat_with_a_min_load_passes_the_checker(cohort, policy, data):
    j = data.draw(st.integers(0, len(cohort.mentors) - 1))
    mentor = cohort.mentors[j]
    mentors = list(cohort.mentors)
    mentors[j] = replace(mentor, capacity=max(1, mentor.capacity), min_capacity=1)
    cohort = replace(cohort, mentors=tuple(mentors))
    policy = replace(policy, solver=SolverChoice.CPSAT, time_limit_seconds=10.0)
    policy = replace(policy, pinned_pairs=policy.pinned_pairs[: len(cohort.mentors)])
    result = solve(cohort, policy)
    assert result.solver == "cpsat"
    if result.status is Status.INFEASIBLE:
        assert result.conflicts and result.pairs == ()
    assert check(cohort, policy, result) == []


def independent_optimum(cohort: Cohort, policy: Policy) -> tuple[int, float]:
    """(places, total score) of the best matching, mentees wanting at most one mentor."""
    assert all(e.capacity <= 1 for e in cohort.mentees)
    parents = chain_parents(cohort)
    n_e, n_m = len(cohort.mentees), len(cohort.mentors)
    features = prepare(cohort, policy).tables
    rows, cols = np.divmod(np.arange(n_e * n_m), n_m)
    # (With every weight 0, pair_scores returns a scalar 0: broadcast it.)
    scores = np.broadcast_to(pair_scores(features, rows, cols), rows.shape).reshape(n_e, n_m)
    bonus = float(n_e + 1)  # scores are in [0, 1]: one more place always pays
    columns = [j for j, m in enumerate(cohort.mentors) for _ in range(m.capacity)]
    if not columns:
        return 0, 0.0
    gain = np.zeros((n_e, len(columns)))
    for i, mentee in enumerate(cohort.mentees):
        for c, j in enumerate(columns):
            ok = mentee.capacity > 0 and not rule_violations(
                mentee, cohort.mentors[j], policy, parents
            )
            gain[i, c] = bonus + scores[i, j] if ok else 0.0
    r, c = linear_sum_assignment(gain, maximize=True)
    used = gain[r, c] > 0
    chosen = zip(r[used], c[used], strict=True)
    return int(used.sum()), float(sum(scores[i, columns[k]] for i, k in chosen))


@PROPERTY
@given(cohorts(max_wanted=1), policies())
def test_total_equals_an_independent_optimum(cohort, policy):
    policy = replace(policy, pinned_pairs=())
    result = solve(cohort, policy)
    places, total = independent_optimum(cohort, policy)
    assert result.metrics.matched_places == places
    assert abs(result.objective - total) <= 1e-6 * max(1, places)
    assert check(cohort, policy, result) == []
