"""Hard rules: a feasible and a forbidden small case per rule, org chains, masks by rows."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.encode.orgchart import chain_pairs
from matcher.encode.prepare import prepare
from matcher.encode.rules import RULES, eligible_matrix, rule_masks
from matcher.model import (
    Cohort,
    DepartmentRule,
    ExternalScores,
    InputError,
    Mentee,
    Mentor,
    Policy,
    SeniorityRule,
)

OFF = Policy(honour_exclude=False, no_reporting_chain=False)


def forbids(rule, mentee, mentor, policy, **cohort_kw):
    """Whether ``rule`` forbids the one pair, and that no other rule does."""
    cohort = Cohort(mentors=(mentor,), mentees=(mentee,), **cohort_kw)
    masks = rule_masks(prepare(cohort, policy).rules)
    assert all(not masks[r].any() for r in RULES if r != rule)
    assert bool(eligible_matrix(prepare(cohort, policy).rules)[0, 0]) is not bool(masks[rule][0, 0])
    return bool(masks[rule][0, 0])


def test_rules_order_and_every_mask_present():
    assert RULES == (
        "forbidden_pair",
        "exclude",
        "reporting_chain",
        "seniority_gap",
        "language",
        "timezone",
        "department",
        "unlisted_score",
        "attribute",
        "history",
    )
    cohort = Cohort(mentors=(Mentor("M1"), Mentor("M2")), mentees=(Mentee("E1"),))
    masks = rule_masks(prepare(cohort, Policy()).rules)
    assert tuple(masks) == RULES
    assert all(m.shape == (1, 2) and m.dtype == bool and not m.any() for m in masks.values())


def test_forbidden_pair():
    policy = Policy(forbidden_pairs=(("E1", "M1"),))
    assert forbids("forbidden_pair", Mentee("E1"), Mentor("M1"), policy)
    assert not forbids("forbidden_pair", Mentee("E1"), Mentor("M2"), Policy())


def test_exclude_either_side_and_switch():
    assert forbids("exclude", Mentee("E1", exclude=("M1",)), Mentor("M1"), Policy())
    assert forbids("exclude", Mentee("E1"), Mentor("M1", exclude=("E1",)), Policy())
    assert not forbids("exclude", Mentee("E1", exclude=("M2",)), Mentor("M1"), Policy())
    assert not forbids("exclude", Mentee("E1", exclude=("M1",)), Mentor("M1"), OFF)


def test_reporting_chain_both_directions_and_through_outside_managers():
    # mentor is the mentee's manager's manager; X1 is outside the cohort
    assert forbids(
        "reporting_chain",
        Mentee("E1", manager_id="X1"),
        Mentor("M1"),
        Policy(),
        org_chart=(("X1", "M1"),),
    )
    # mentee is above the mentor, via two outside managers
    mentor = Mentor("M1", manager_id="X2")
    assert forbids(
        "reporting_chain", Mentee("E1"), mentor, Policy(), org_chart=(("X2", "X3"), ("X3", "E1"))
    )
    # siblings under one manager are not in one chain
    assert not forbids(
        "reporting_chain", Mentee("E1", manager_id="X1"), Mentor("M1", manager_id="X1"), Policy()
    )
    assert not forbids("reporting_chain", Mentee("E1", manager_id="M1"), Mentor("M1"), OFF)


def test_chain_pairs_with_a_cycle_in_the_chart():
    mentees = (Mentee("E1", manager_id="X1"), Mentee("E2"))
    mentors = (Mentor("M1", manager_id="E1"), Mentor("M2"), Mentor("M3", manager_id="X9"))
    cohort = Cohort(mentors=mentors, mentees=mentees, org_chart=(("X1", "M1"), ("E2", "E2")))
    e, m = chain_pairs(cohort)
    assert list(zip(e.tolist(), m.tolist(), strict=True)) == [(0, 0)]


def test_seniority_gap_bounds_and_unknown():
    policy = Policy(seniority=SeniorityRule(min_gap=1, max_gap=3))
    assert forbids("seniority_gap", Mentee("E1", seniority=4), Mentor("M1", seniority=4), policy)
    assert forbids("seniority_gap", Mentee("E1", seniority=1), Mentor("M1", seniority=5), policy)
    assert not forbids(
        "seniority_gap", Mentee("E1", seniority=1), Mentor("M1", seniority=4), policy
    )
    assert not forbids("seniority_gap", Mentee("E1"), Mentor("M1", seniority=9), policy)
    lower_only = Policy(seniority=SeniorityRule(min_gap=0))
    assert not forbids(
        "seniority_gap", Mentee("E1", seniority=1), Mentor("M1", seniority=9), lower_only
    )
    assert forbids(
        "seniority_gap", Mentee("E1", seniority=3), Mentor("M1", seniority=2), lower_only
    )


def test_language_requires_a_shared_one_when_both_have_some():
    policy = Policy(require_shared_language=True)
    assert forbids(
        "language", Mentee("E1", languages=("fr",)), Mentor("M1", languages=("en",)), policy
    )
    assert not forbids(
        "language", Mentee("E1", languages=("fr", "en")), Mentor("M1", languages=("en",)), policy
    )
    assert not forbids("language", Mentee("E1"), Mentor("M1", languages=("en",)), policy)
    assert not forbids(
        "language", Mentee("E1", languages=("fr",)), Mentor("M1", languages=("en",)), Policy()
    )


def test_timezone_limit_is_circular():
    policy = Policy(max_timezone_diff_hours=3)
    # +13:00 and -11:00 are 0 h apart
    assert not forbids(
        "timezone",
        Mentee("E1", utc_offset_minutes=780),
        Mentor("M1", utc_offset_minutes=-660),
        policy,
    )
    assert not forbids(
        "timezone", Mentee("E1", utc_offset_minutes=0), Mentor("M1", utc_offset_minutes=180), policy
    )
    assert forbids(
        "timezone",
        Mentee("E1", utc_offset_minutes=0),
        Mentor("M1", utc_offset_minutes=-181),
        policy,
    )
    assert not forbids("timezone", Mentee("E1"), Mentor("M1", utc_offset_minutes=600), policy)


@pytest.mark.parametrize(
    ("rule", "mentee_dept", "mentor_dept", "forbidden"),
    [
        (DepartmentRule.SAME, "eng", "ops", True),
        (DepartmentRule.SAME, "eng", "Eng", False),
        (DepartmentRule.SAME, None, "ops", False),
        (DepartmentRule.DIFFERENT, "eng", "eng", True),
        (DepartmentRule.DIFFERENT, "eng", "ops", False),
        (DepartmentRule.ANY, "eng", "ops", False),
    ],
)
def test_department_rule(rule, mentee_dept, mentor_dept, forbidden):
    policy = Policy(department_rule=rule)
    mentee, mentor = Mentee("E1", department=mentee_dept), Mentor("M1", department=mentor_dept)
    assert forbids("department", mentee, mentor, policy) is forbidden


def test_unlisted_score_only_with_scores_only():
    scores = ExternalScores(np.array([0]), np.array([1]), np.array([-1.0]))
    cohort = Cohort(
        mentors=(Mentor("M1"), Mentor("M2")), mentees=(Mentee("E1"),), external_scores=scores
    )
    masks = rule_masks(prepare(cohort, Policy(scores_only=True)).rules)
    assert masks["unlisted_score"].tolist() == [[True, False]]
    assert not rule_masks(prepare(cohort, Policy()).rules)["unlisted_score"].any()


def test_rows_by_array_and_slice_and_blocks_agree():
    mentees = tuple(Mentee(f"E{i}", seniority=i, exclude=(f"M{i % 3}",)) for i in range(7))
    mentors = tuple(Mentor(f"M{j}", seniority=j + 2, manager_id=f"E{j}") for j in range(3))
    cohort = Cohort(mentors=mentors, mentees=mentees)
    policy = Policy(seniority=SeniorityRule(min_gap=0), forbidden_pairs=(("E6", "M2"),))
    full = rule_masks(prepare(cohort, policy).rules)
    ctx = prepare(cohort, policy).rules
    picked = rule_masks(ctx, np.array([6, 0, 3]))
    sliced = rule_masks(ctx, slice(1, 7, 2))
    for rule in RULES:
        assert np.array_equal(picked[rule], full[rule][[6, 0, 3]]), rule
        assert np.array_equal(sliced[rule], full[rule][1:7:2]), rule
    assert full["reporting_chain"][:3].tolist() == np.eye(3, dtype=bool).tolist()
    assert full["forbidden_pair"][6].tolist() == [False, False, True]
    expected = ~np.any([full[r] for r in RULES], axis=0)
    assert np.array_equal(eligible_matrix(ctx), expected)


def test_unknown_ids_in_forbidden_pairs_are_input_errors():
    cohort = Cohort(mentors=(Mentor("M1"),), mentees=(Mentee("E1"),))
    policy = Policy(forbidden_pairs=(("E1", "M1"), ("M1", "E1")))
    with pytest.raises(InputError) as caught:
        rule_masks(prepare(cohort, policy).rules)
    problems = caught.value.problems
    assert [(p.source, p.column, p.row, p.value) for p in problems] == [
        ("policy", "rules.forbidden_pairs", 1, "M1"),
        ("policy", "rules.forbidden_pairs", 1, "E1"),
    ]
    assert "expected the id of a mentee" in problems[0].message
