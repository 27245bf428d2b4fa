"""The checker's independent scorer: each component by hand, then agreement with the
production pipeline (every pair of the coaching sample; solve() on both sample cohorts
under every objective; random small cohorts with every feature the scorer reads).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.checker import check
from matcher.checker.scores import components, scoring, total
from matcher.io.cohort_csv import read_cohort
from matcher.io.policy import load_policy
from matcher.model import (
    WEIGHT_KEYS,
    Cohort,
    DepartmentRule,
    ExternalScores,
    Mentee,
    Mentor,
    Objective,
    Policy,
    SeniorityRule,
    Skill,
    Weights,
)
from matcher.results import Status
from matcher.solve import solve

DATA = Path(__file__).resolve().parents[2] / "data"
ALL = Weights(**dict.fromkeys(WEIGHT_KEYS, 1.0))


def parts(mentee, mentors, policy=None, **cohort_kw) -> list[dict[str, float]]:
    """Every component of ``mentee`` with each of ``mentors``, by the checker's scorer."""
    cohort = Cohort(mentors=tuple(mentors), mentees=(mentee,), **cohort_kw)
    ctx = scoring(cohort, policy or Policy(weights=ALL))
    return [components(mentee, m, ctx) for m in mentors]


def column(name, mentee, mentors, policy=None, **cohort_kw) -> list[float]:
    return [p[name] for p in parts(mentee, mentors, policy, **cohort_kw)]


# --------------------------------------------------------------------------- by hand


def test_skills_levels_repeats_and_missing():
    mentors = [
        Mentor("M1", skills=(Skill("python", 4),)),  # above level 3: full credit
        Mentor("M2", skills=(Skill("python", 3),)),  # equal: half
        Mentor("M3", skills=(Skill("python", 1), Skill("Python"))),  # an unstated level wins
        Mentor("M4", skills=(Skill("sql", 5),)),  # lacks it
    ]
    wants = Mentee("E1", skills=(Skill("python", 3), Skill("python", 5)))  # keeps 3
    assert column("skills", wants, mentors) == [1.0, 0.5, 1.0, 0.0]
    assert column("skills", Mentee("E2"), mentors) == [0.0] * 4


def test_skills_related_credit_both_ways_aliases_and_the_mean():
    policy = Policy(
        weights=ALL,
        aliases=(("js", "javascript"),),
        related_skills=(("TypeScript", "js", 0.8), ("javascript", "typescript", 0.6)),
    )
    mentee = Mentee("E1", skills=(Skill("typescript"), Skill("go")))
    mentors = [
        Mentor("M1", skills=(Skill("JS"),)),  # related to typescript: best credit 0.8
        Mentor("M2", skills=(Skill("typescript", 1),)),  # has it (no wanted level): 1
        Mentor("M3", skills=(Skill("go"), Skill("javascript"))),  # 1 + 0.8
    ]
    assert column("skills", mentee, mentors, policy) == [0.4, 0.5, 0.9]
    back = Mentee("E2", skills=(Skill("js", 2),))
    helper = [Mentor("M1", skills=(Skill("typescript", 1),))]  # related works both ways
    assert column("skills", back, helper, policy) == [0.8]


def test_a_held_skill_at_a_low_level_earns_half_even_when_a_related_one_earns_more():
    policy = Policy(weights=ALL, related_skills=(("react", "typescript", 0.8),))
    mentee = Mentee("E1", skills=(Skill("react", 4),))
    mentor = Mentor("M1", skills=(Skill("react", 2), Skill("typescript", 5)))
    assert column("skills", mentee, [mentor], policy) == [0.5]


def test_goals_share_of_the_mentees_distinct_goals():
    mentee = Mentee("E1", goals=("Leadership", "leadership ", "craft", "promotion"))
    mentors = [Mentor("M1", goals=("LEADERSHIP", "craft")), Mentor("M2")]
    assert column("goals", mentee, mentors) == [2 / 3, 0.0]
    assert column("goals", Mentee("E2"), mentors) == [0.0, 0.0]


def test_seniority_around_the_ideal_within_the_tolerance():
    mentee = Mentee("E1", seniority=2)
    mentors = [Mentor(f"M{s}", seniority=s) for s in (4, 6, 9, 0)] + [Mentor("MX")]
    policy = Policy(weights=ALL, seniority=SeniorityRule(ideal_gap=2, tolerance=4))
    assert column("seniority", mentee, mentors, policy) == [1.0, 0.5, 0.0, 0.0, 0.5]
    exact = Policy(weights=ALL, seniority=SeniorityRule(ideal_gap=2, tolerance=0))
    assert column("seniority", mentee, mentors, exact) == [1.0, 0.0, 0.0, 0.0, 0.5]


def test_timezone_closeness_around_the_clock():
    mentee = Mentee("E1", utc_offset_minutes=720)
    offsets = (720, 360, -720, 0, -660, None)
    mentors = [Mentor(f"M{k}", utc_offset_minutes=o) for k, o in enumerate(offsets)]
    assert column("timezone", mentee, mentors) == [1.0, 0.5, 1.0, 0.0, 1 - 60 / 720, 0.5]


def test_language_location_and_department():
    mentee = Mentee("E1", languages=("English",), location="Paris", department="Eng")
    mentors = [
        Mentor("M1", languages=("english", "fr"), location="paris ", department="eng"),
        Mentor("M2", languages=("german",), location="Berlin", department="Sales"),
        Mentor("M3"),
    ]
    assert column("language", mentee, mentors) == [1.0, 0.0, 0.5]
    assert column("location", mentee, mentors) == [1.0, 0.0, 0.5]
    assert column("department", mentee, mentors) == [0.0, 0.0, 0.0]  # preference "any"
    for wish, expected in ((DepartmentRule.SAME, 1.0), (DepartmentRule.DIFFERENT, 0.0)):
        policy = Policy(weights=ALL, department_preference=wish)
        assert column("department", mentee, mentors, policy) == [expected, 1 - expected, 0.5]


def test_preference_ranks_keep_the_other_roles_ids_first_mention_and_the_better_side():
    mentee = Mentee("E1", prefer=("M2", "E9", "M1", "M2", "X"))  # ranked: M2, M1
    mentors = [Mentor("M1", prefer=("E1",)), Mentor("M2"), Mentor("M3", prefer=("M1", "E1"))]
    assert column("preference", mentee, mentors) == [1.0, 1.0, 1.0]
    assert column("preference", replace(mentee, id="E2"), mentors[:2]) == [0.5, 1.0]
    assert column("preference", Mentee("E3"), mentors) == [0.0, 0.0, 0.0]


def test_external_value_last_listing_wins_and_totals():
    ext = ExternalScores(np.array([0, 0]), np.array([0, 0]), np.array([3.0, -2.5]))
    mentee, mentors = Mentee("E1"), [Mentor("M1"), Mentor("M2")]
    assert column("external", mentee, mentors, external_scores=ext) == [-2.5, 0.0]
    cohort = Cohort(mentors=tuple(mentors), mentees=(mentee,), external_scores=ext)
    only = Policy(weights=Weights(skills=1.0), scores_only=True)
    ctx = scoring(cohort, only)
    first, second = (components(mentee, m, ctx) for m in mentors)
    assert first == {"skills": 0.0, "external": -2.5}
    assert total(mentee, mentors[0], ctx, first) == -2.5
    assert math.isnan(total(mentee, mentors[1], ctx, second))  # unlisted: never matched


def test_total_is_the_weighted_mean_over_positive_weights():
    mentee = Mentee("E1", skills=(Skill("go"),), seniority=0)
    mentor = Mentor("M1", skills=(Skill("go"),), seniority=6)  # skills 1, seniority 0
    cohort = Cohort(mentors=(mentor,), mentees=(mentee,))
    for weights, expected in (
        (Weights(skills=3.0, seniority=1.0), 0.75),
        (Weights(skills=1.0, seniority=0.0), 1.0),
        (Weights(), 0.0),
    ):
        ctx = scoring(cohort, Policy(weights=weights))
        got = components(mentee, mentor, ctx)
        assert list(got) == [c for c in ("skills", "seniority") if getattr(weights, c) > 0]
        assert total(mentee, mentor, ctx, got) == expected


# --------------------------------------------------------------------------- production


def test_every_pair_of_the_coaching_sample_agrees_with_the_production_scorer():
    from matcher.encode.prepare import prepare
    from matcher.encode.scoring import pair_components, pair_scores

    cohort = read_cohort(DATA / "coaching-sample.csv")
    for wish in DepartmentRule:
        policy = replace(load_policy(DATA / "coaching.toml"), weights=ALL)
        policy = replace(policy, department_preference=wish)
        features, ctx = prepare(cohort, policy).tables, scoring(cohort, policy)
        n_e, n_m = features.shape
        rows, cols = np.divmod(np.arange(n_e * n_m), n_m)
        theirs, totals = pair_components(features, rows, cols), pair_scores(features, rows, cols)
        for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            e, m = cohort.mentees[i], cohort.mentors[j]
            ours = components(e, m, ctx)
            assert ours == pytest.approx({c: v[k] for c, v in theirs.items()}, abs=1e-12)
            assert total(e, m, ctx, ours) == pytest.approx(totals[k], abs=1e-12)


SAMPLES = [("coaching-sample.csv", "coaching.toml"), ("mentoring-500.csv", "mentoring.toml")]


@pytest.mark.parametrize("sheet, policy_file", SAMPLES)
@pytest.mark.parametrize("objective", list(Objective))
def test_solve_on_the_sample_cohorts_passes_the_checker(sheet, policy_file, objective):
    cohort = read_cohort(DATA / sheet)
    policy = replace(load_policy(DATA / policy_file), objective=objective)
    if objective is Objective.GROUP_FAIR:  # the worst group's mean, groups by department
        policy = replace(policy, fair_by="department")
    if objective is not Objective.TOTAL:  # minimum loads need the total objective (cpsat)
        cohort = replace(cohort, mentors=tuple(replace(m, min_capacity=0) for m in cohort.mentors))
    result = solve(cohort, policy)
    assert result.status is not Status.INFEASIBLE and result.pairs
    assert check(cohort, policy, result) == []


# --------------------------------------------------------------------------- random cohorts

SKILLS = ("Python", "python", "js", "javascript", "sql", "postgres")
TAGS = ("a", "B", "b ", "c")
RICH = settings(max_examples=25, deadline=None)


@st.composite
def people(draw, cls, prefix, n, others):
    maybe = st.one_of(st.none(), st.integers(1, 5))
    return tuple(
        cls(
            f"{prefix}{k}",
            skills=tuple(
                Skill(s, draw(maybe)) for s in draw(st.lists(st.sampled_from(SKILLS), max_size=3))
            ),
            goals=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3))),
            seniority=draw(st.one_of(st.none(), st.integers(0, 8))),
            capacity=draw(st.integers(0, 2)),
            location=draw(st.sampled_from([None, "Paris", "paris", "NYC"])),
            department=draw(st.sampled_from([None, "eng", "Eng ", "sales"])),
            utc_offset_minutes=draw(st.sampled_from([None, 0, 330, -480, 720, -720])),
            languages=tuple(draw(st.lists(st.sampled_from(["en", "EN", "fr"]), max_size=2))),
            prefer=tuple(draw(st.lists(st.sampled_from(others), max_size=3))),
        )
        for k in range(n)
    )


@st.composite
def rich_cases(draw):
    n_e, n_m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    ids = [f"E{k}" for k in range(n_e)] + [f"M{k}" for k in range(n_m)]
    cohort = Cohort(
        mentors=draw(people(Mentor, "M", n_m, ids)), mentees=draw(people(Mentee, "E", n_e, ids))
    )
    scores_only = draw(st.booleans()) and draw(st.booleans())
    if scores_only or draw(st.booleans()):
        listed = draw(st.lists(st.tuples(st.integers(0, n_e - 1), st.integers(0, n_m - 1))))
        values = draw(st.lists(st.floats(-2, 2), min_size=len(listed), max_size=len(listed)))
        ext = [np.array(x, dtype=t) for x, t in ((listed, np.int64), (values, np.float64))]
        rows, cols = (ext[0][:, 0], ext[0][:, 1]) if listed else (ext[0], ext[0])
        cohort = replace(cohort, external_scores=ExternalScores(rows, cols, ext[1]))
    objective = draw(st.sampled_from(list(Objective)))
    capped = objective is Objective.TOTAL and draw(st.booleans())  # caps need cpsat
    weights = Weights(**{c: draw(st.sampled_from([0.0, 0.0, 0.3, 1.0])) for c in WEIGHT_KEYS})
    policy = Policy(
        weights=weights,
        seniority=SeniorityRule(
            ideal_gap=draw(st.integers(0, 3)), tolerance=draw(st.integers(0, 4))
        ),
        aliases=(("js", "javascript"), ("postgres", "postgresql")),
        related_skills=(("javascript", "python", 0.4), ("postgresql", "sql", 0.7)),
        department_preference=draw(st.sampled_from(list(DepartmentRule))),
        department_rule=draw(st.sampled_from(list(DepartmentRule))),
        require_shared_language=draw(st.booleans()),
        max_per_department=1 if capped else None,
        scores_only=scores_only,
        objective=objective,
        fair_by="department" if objective is Objective.GROUP_FAIR else None,
    )
    return cohort, policy


@RICH
@given(rich_cases())
def test_random_cohorts_solved_by_solve_pass_the_checker(case):
    cohort, policy = case
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
