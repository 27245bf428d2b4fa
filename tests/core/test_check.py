"""check(): one hand-built bad MatchResult per kind of violation, and a clean one.

Cohort (skills weight only, no levels, so a skill score is the share of the mentee's
wanted skills the mentor teaches):

    E1 wants python, sql   E2 wants python   E3 sits out
    M1 teaches python (1 place)   M2 teaches sql (2 places)

    E1-M1 0.5   E1-M2 0.5   E2-M1 1.0   E2-M2 0.0
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.check import check
from matcher.model import (
    Alternate,
    Cohort,
    DepartmentRule,
    ExternalScores,
    MatchResult,
    Mentee,
    Mentor,
    Pair,
    Policy,
    SeniorityRule,
    Skill,
    Status,
    Unmatched,
    Weights,
)

SCORE = {("E1", "M1"): 0.5, ("E1", "M2"): 0.5, ("E2", "M1"): 1.0, ("E2", "M2"): 0.0}


def cohort(**changes) -> Cohort:
    """The module cohort; ``changes`` maps an id to field overrides."""
    mentees = (
        Mentee("E1", skills=(Skill("python"), Skill("sql")), seniority=1, department="eng"),
        Mentee("E2", skills=(Skill("python"),), seniority=2, department="eng"),
        Mentee("E3", capacity=0),
    )
    mentors = (
        Mentor("M1", skills=(Skill("python"),), seniority=3, department="eng"),
        Mentor("M2", skills=(Skill("sql"),), capacity=2, seniority=2, department="sales"),
    )
    mentees = tuple(replace(p, **changes.get(p.id, {})) for p in mentees)
    mentors = tuple(replace(p, **changes.get(p.id, {})) for p in mentors)
    return Cohort(mentors=mentors, mentees=mentees)


POLICY = Policy(weights=Weights(skills=1.0))


def pair(e, m, score=None, **kw) -> Pair:
    score = SCORE[(e, m)] if score is None else score
    return Pair(e, m, score, components=(("skills", score),), **kw)


def result(pairs=None, unmatched=None, **kw) -> MatchResult:
    """A MatchResult with the given pairs; by default objective and unmatched fit them."""
    pairs = (pair("E1", "M2"), pair("E2", "M1")) if pairs is None else tuple(pairs)
    total = sum(p.score for p in pairs)
    if unmatched is None:
        got = {e: sum(p.mentee_id == e for p in pairs) for e in ("E1", "E2")}
        unmatched = tuple(Unmatched(e, 1 - n) for e, n in got.items() if n < 1)
    fields = dict(solver="test", status=Status.OPTIMAL, objective=total, bound=total, gap=0.0)
    fields.update(kw)
    return MatchResult(pairs=pairs, unmatched=tuple(unmatched), **fields)


def test_a_valid_result_has_no_violation():
    assert check(cohort(), POLICY, result()) == []


def test_a_valid_partial_result_with_unmatched_mentees():
    res = result([pair("E2", "M1")])
    assert res.unmatched == (Unmatched("E1", 1),)
    assert check(cohort(), POLICY, res) == []


# ----------------------------------------------------------------- ids, roles, counts


def test_unknown_mentee_id():
    bad = result([Pair("E9", "M1", 0.0)], unmatched=[Unmatched("E1", 1), Unmatched("E2", 1)])
    assert check(cohort(), POLICY, bad) == ["pair (E9, M1): mentee E9 is not in the cohort"]


def test_roles_swapped():
    bad = result([Pair("M1", "E1", 0.0)], unmatched=[Unmatched("E1", 1), Unmatched("E2", 1)])
    assert check(cohort(), POLICY, bad) == [
        "pair (M1, E1): mentee M1 is a mentor, not a mentee",
        "pair (M1, E1): mentor E1 is a mentee, not a mentor",
    ]


def test_duplicate_pair():
    bad = result([pair("E1", "M2"), pair("E1", "M2"), pair("E2", "M1")])
    assert "pair (E1, M2) appears more than once" in check(cohort(), POLICY, bad)


def test_mentee_gets_more_mentors_than_wanted():
    bad = result([pair("E1", "M1"), pair("E1", "M2")], unmatched=[Unmatched("E2", 1)])
    assert check(cohort(), POLICY, bad) == ["mentee E1 has 2 mentors but wants 1"]


def test_mentor_over_capacity():
    bad = result([pair("E1", "M1"), pair("E2", "M1")])
    assert check(cohort(), POLICY, bad) == ["mentor M1 has 2 mentees, capacity 1"]


def test_mentor_below_minimum_only_when_feasible_is_claimed():
    c = cohort(M2={"min_capacity": 1})
    bad = result([pair("E2", "M1")])
    assert check(c, POLICY, bad) == ["mentor M2 has 0 mentees, below the minimum 1"]
    infeasible = result(
        [], [Unmatched("E1", 1), Unmatched("E2", 1)], status=Status.INFEASIBLE,
        conflicts=("M2's minimum cannot be met",), bound=None, gap=None,
    )  # fmt: skip
    assert check(c, POLICY, infeasible) == []


# ----------------------------------------------------------------- hard rules


def test_forbidden_pair():
    policy = replace(POLICY, forbidden_pairs=(("E1", "M2"),))
    assert check(cohort(), policy, result()) == ["pair (E1, M2) breaks the forbidden_pair rule"]


@pytest.mark.parametrize("who, ids", [("E1", ("M2",)), ("M2", ("E1",))])
def test_exclude_list_either_side(who, ids):
    c = cohort(**{who: {"exclude": ids}})
    assert check(c, POLICY, result()) == ["pair (E1, M2) breaks the exclude rule"]
    assert check(c, replace(POLICY, honour_exclude=False), result()) == []


def test_reporting_chain_through_an_outside_manager_in_the_org_chart():
    c = replace(cohort(E1={"manager_id": "X"}), org_chart=(("X", "M2"),))
    assert check(c, POLICY, result()) == ["pair (E1, M2) breaks the reporting_chain rule"]
    assert check(c, replace(POLICY, no_reporting_chain=False), result()) == []


def test_reporting_chain_mentee_above_mentor():
    c = cohort(M1={"manager_id": "Y"})
    c = replace(c, org_chart=(("Y", "E2"),))  # E2 manages Y, who manages M1
    assert check(c, POLICY, result()) == ["pair (E2, M1) breaks the reporting_chain rule"]


def test_shared_language():
    c = cohort(E1={"languages": ("english",)}, M2={"languages": ("german",)})
    policy = replace(POLICY, require_shared_language=True)
    assert check(c, policy, result()) == ["pair (E1, M2) breaks the language rule"]
    both = cohort(E1={"languages": ("english",)}, M2={"languages": ("german", "english")})
    assert check(both, policy, result()) == []


def test_timezone_is_measured_around_the_clock():
    policy = replace(POLICY, max_timezone_diff_hours=2)
    far = cohort(E1={"utc_offset_minutes": 0}, M2={"utc_offset_minutes": 300})
    assert check(far, policy, result()) == ["pair (E1, M2) breaks the timezone rule"]
    near = cohort(E1={"utc_offset_minutes": 720}, M2={"utc_offset_minutes": -660})  # 1h
    assert check(near, policy, result()) == []


def test_seniority_gap():
    policy = replace(POLICY, seniority=SeniorityRule(min_gap=2))
    # E1 (1) - M2 (2): gap 1 < 2; E2 (2) - M1 (3): gap 1 < 2.
    assert check(cohort(), policy, result()) == [
        "pair (E1, M2) breaks the seniority_gap rule",
        "pair (E2, M1) breaks the seniority_gap rule",
    ]


def test_department_rule():
    same = replace(POLICY, department_rule=DepartmentRule.SAME)
    assert check(cohort(), same, result()) == ["pair (E1, M2) breaks the department rule"]
    different = replace(POLICY, department_rule=DepartmentRule.DIFFERENT)
    assert check(cohort(), different, result()) == ["pair (E2, M1) breaks the department rule"]


def test_max_per_department():
    policy = replace(POLICY, max_per_department=1)
    res = result([pair("E1", "M2"), pair("E2", "M2")])
    assert check(cohort(), policy, res) == [
        "mentor M2 has 2 mentees from department 'eng', more than max_per_department 1"
    ]


def test_scores_only_pairs_must_be_listed_and_score_their_value():
    ext = ExternalScores(np.array([0]), np.array([1]), np.array([7.5]))  # only E1-M2
    c = replace(cohort(), external_scores=ext)
    policy = replace(POLICY, scores_only=True)
    # Components keep the positive-weight ones (skills) and add external.
    good = Pair("E1", "M2", 7.5, components=(("skills", 0.5), ("external", 7.5)))
    assert check(c, policy, result([good], [Unmatched("E2", 1)])) == []
    unlisted = Pair("E2", "M1", 0.0, components=(("skills", 1.0), ("external", 0.0)))
    bad = result([good, unlisted])
    assert check(c, policy, bad) == [
        "pair (E2, M1) breaks the unlisted_score rule",
        "pair (E2, M1) has score 0.0, recomputed nan",
    ]


# ----------------------------------------------------------------- pinned pairs


def test_pinned_pair_missing():
    policy = replace(POLICY, pinned_pairs=(("E1", "M1"),))
    assert check(cohort(), policy, result()) == ["pinned pair (E1, M1) is missing"]


def test_pair_marked_pinned_that_is_not():
    res = result([pair("E1", "M2", pinned=True), pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == ["pair (E1, M2) is marked pinned but is not"]


# ----------------------------------------------------------------- scores, objective


def test_wrong_pair_score():
    res = result([pair("E1", "M2", score=0.9), pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == [
        "pair (E1, M2) has score 0.9, recomputed 0.5",
        "pair (E1, M2) has skills 0.9, recomputed 0.5",
    ]


def test_score_within_tolerance_passes():
    res = result([pair("E1", "M2", score=0.5 + 4e-7), pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == []


def test_wrong_component_list():
    extra = Pair("E1", "M2", 0.5, components=(("skills", 0.5), ("goals", 0.0)))
    res = result([extra, pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == [
        "pair (E1, M2) lists components ['goals', 'skills'], expected ['skills']"
    ]


def test_objective_is_not_the_sum():
    res = result(objective=2.0, bound=2.0)
    assert check(cohort(), POLICY, res) == ["objective 2.0 differs from the sum of pair scores 1.5"]


# ----------------------------------------------------------------- unmatched entries


def test_unmatched_missing_count_wrong():
    res = result([pair("E2", "M1")], unmatched=[Unmatched("E1", 2)])
    assert check(cohort(), POLICY, res) == ["mentee E1 is missing 1, result says 2"]


def test_short_mentee_not_listed():
    res = result([pair("E2", "M1")], unmatched=[])
    assert check(cohort(), POLICY, res) == [
        "mentee E1 has 0 of 1 mentors but is not listed as unmatched"
    ]


def test_unmatched_entry_for_a_full_mentee_a_stranger_and_twice():
    res = result(
        [pair("E2", "M1")],
        unmatched=[Unmatched("E1", 1), Unmatched("E1", 1), Unmatched("E2", 1), Unmatched("M1", 1)],
    )
    assert check(cohort(), POLICY, res) == [
        "mentee E1 is listed as unmatched more than once",
        "mentee E2 is listed as unmatched but has every place",
        "unmatched entry for M1, who is not a mentee",
    ]


def test_alternate_that_is_an_assigned_pair():
    res = replace(result(), alternates=(Alternate("E1", "M2", 0.5), Alternate("E1", "M1", 0.5)))
    assert check(cohort(), POLICY, res) == ["alternate (E1, M2) is an assigned pair"]


# ----------------------------------------------------------------- status, bound, gap


def test_optimal_with_a_gap():
    res = result(bound=2.0, gap=0.25)
    assert check(cohort(), POLICY, res) == ["status is optimal but the gap is 0.25"]


def test_feasible_gap_must_match_bound_and_objective():
    ok = result(status=Status.FEASIBLE, bound=2.0, gap=0.25)
    assert check(cohort(), POLICY, ok) == []
    bad = result(status=Status.FEASIBLE, bound=2.0, gap=0.1)
    assert check(cohort(), POLICY, bad) == ["gap 0.1 does not match bound and objective (0.25)"]


def test_bound_below_objective():
    res = result(status=Status.FEASIBLE, bound=1.0, gap=None)
    assert check(cohort(), POLICY, res) == ["bound 1.0 is below the objective 1.5"]


def test_infeasible_needs_conflicts_and_no_pairs():
    res = result(status=Status.INFEASIBLE, bound=None, gap=None)
    assert check(cohort(), POLICY, res) == [
        "status is infeasible but no conflict is given",
        "status is infeasible but 2 pairs are given",
    ]


def test_conflicts_on_a_feasible_result():
    res = result(conflicts=("something",))
    assert check(cohort(), POLICY, res) == ["status is optimal but conflicts are given"]
