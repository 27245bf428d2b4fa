"""check(): who is paired, the hard rules, capacities and pinned pairs; per concern a
tiny valid and a tiny invalid result (the cohort is described in check_helpers).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from check_helpers import POLICY, cohort, pair, result

from matcher.checker import check
from matcher.model import DepartmentRule, ExternalScores, SeniorityRule
from matcher.results import Pair, Status, Unmatched


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


def test_duplicate_pair_is_reported_once():
    bad = result([pair("E1", "M2"), pair("E1", "M2"), pair("E1", "M2"), pair("E2", "M1")])
    found = check(cohort(), POLICY, bad)
    assert found.count("pair (E1, M2) appears more than once") == 1
    assert "mentee E1 has 3 mentors but wants 1" in found


def test_mentee_gets_more_mentors_than_wanted():
    bad = result([pair("E1", "M1"), pair("E1", "M2")], unmatched=[Unmatched("E2", 1)])
    assert check(cohort(), POLICY, bad) == ["mentee E1 has 2 mentors but wants 1"]
    wants_two = cohort(E1={"capacity": 2})
    ok = result([pair("E1", "M1"), pair("E1", "M2")], [Unmatched("E2", 1)], of=wants_two)
    assert check(wants_two, POLICY, ok) == []


def test_mentor_over_capacity():
    bad = result([pair("E1", "M1"), pair("E2", "M1")])
    assert check(cohort(), POLICY, bad) == ["mentor M1 has 2 mentees, capacity 1"]


def test_capacity_zero_sits_out_on_either_side():
    e3 = Pair("E3", "M2", 0.0, components=(("skills", 0.0),))
    res = result([pair("E1", "M2"), pair("E2", "M1"), e3])
    assert check(cohort(), POLICY, res) == [
        "mentee E3 sits this round out (capacity 0) but has 1 mentor"
    ]
    resting = cohort(M1={"capacity": 0})
    res = result([pair("E1", "M2"), pair("E2", "M1")], of=resting)
    assert check(resting, POLICY, res) == [
        "mentor M1 sits this round out (capacity 0) but has 1 mentee"
    ]


def test_mentor_below_minimum_only_when_feasible_is_claimed():
    c = cohort(M2={"min_capacity": 1})
    assert check(c, POLICY, result(of=c)) == []
    bad = result([pair("E2", "M1")], of=c)
    assert check(c, POLICY, bad) == ["mentor M2 has 0 mentees, below the minimum 1"]
    infeasible = result(
        [], [Unmatched("E1", 1), Unmatched("E2", 1)], of=c, status=Status.INFEASIBLE,
        conflicts=("M2's minimum cannot be met",), bound=None, gap=None,
    )  # fmt: skip
    assert check(c, POLICY, infeasible) == []


# ----------------------------------------------------------------- hard rules


def test_forbidden_pair():
    policy = replace(POLICY, forbidden_pairs=(("E1", "M2"),))
    assert check(cohort(), policy, result()) == ["pair (E1, M2) breaks the forbidden_pair rule"]
    elsewhere = replace(POLICY, forbidden_pairs=(("E1", "M1"),))
    assert check(cohort(), elsewhere, result()) == []


@pytest.mark.parametrize("who, ids", [("E1", ("M2",)), ("M2", ("E1",))])
def test_exclude_list_either_side(who, ids):
    c = cohort(**{who: {"exclude": ids}})
    assert check(c, POLICY, result()) == ["pair (E1, M2) breaks the exclude rule"]
    assert check(c, replace(POLICY, honour_exclude=False), result()) == []


def test_reporting_chain_through_an_outside_manager_in_the_org_chart():
    c = replace(cohort(E1={"manager_id": "X"}), org_chart=(("X", "M2"),))
    assert check(c, POLICY, result()) == ["pair (E1, M2) breaks the reporting_chain rule"]
    assert check(c, replace(POLICY, no_reporting_chain=False), result()) == []


def test_reporting_chain_mentee_above_mentor_at_depth_three():
    c = cohort(M1={"manager_id": "Y"})
    c = replace(c, org_chart=(("Y", "Z"), ("Z", "E2")))  # E2 manages Z, Z manages Y...
    assert check(c, POLICY, result()) == ["pair (E2, M1) breaks the reporting_chain rule"]
    assert check(cohort(M1={"manager_id": "Y"}), POLICY, result()) == []


def test_reporting_chain_with_a_cycle_ends_and_still_finds_the_chain():
    c = replace(cohort(E1={"manager_id": "X"}), org_chart=(("X", "Y"), ("Y", "X"), ("Y", "M2")))
    assert check(c, POLICY, result()) == ["pair (E1, M2) breaks the reporting_chain rule"]
    loop = replace(cohort(E1={"manager_id": "X"}), org_chart=(("X", "Y"), ("Y", "X")))
    assert check(loop, POLICY, result()) == []


def test_shared_language():
    c = cohort(E1={"languages": ("english",)}, M2={"languages": ("german",)})
    policy = replace(POLICY, require_shared_language=True)
    assert check(c, policy, result()) == ["pair (E1, M2) breaks the language rule"]
    both = cohort(E1={"languages": ("English ",)}, M2={"languages": ("german", "english")})
    assert check(both, policy, result()) == []
    unknown = cohort(E1={"languages": ("english",)})  # M2 lists none: allowed
    assert check(unknown, policy, result()) == []


def test_timezone_is_measured_around_the_clock():
    policy = replace(POLICY, max_timezone_diff_hours=2)
    far = cohort(E1={"utc_offset_minutes": 0}, M2={"utc_offset_minutes": 300})
    assert check(far, policy, result()) == ["pair (E1, M2) breaks the timezone rule"]
    near = cohort(E1={"utc_offset_minutes": 720}, M2={"utc_offset_minutes": -660})  # 1h
    assert check(near, policy, result()) == []


@pytest.mark.parametrize(
    "rule, broken",
    [
        (SeniorityRule(min_gap=2), ["E1, M2", "E2, M1"]),  # gaps 1 and 1
        (SeniorityRule(min_gap=1), []),
        (SeniorityRule(max_gap=0), ["E1, M2", "E2, M1"]),
        (SeniorityRule(min_gap=-3, max_gap=1), []),
    ],
)
def test_seniority_gap(rule, broken):
    found = check(cohort(), replace(POLICY, seniority=rule), result())
    assert found == [f"pair ({p}) breaks the seniority_gap rule" for p in broken]


def test_seniority_gap_with_an_unknown_seniority_is_allowed():
    policy = replace(POLICY, seniority=SeniorityRule(min_gap=5))
    c = cohort(E1={"seniority": None}, E2={"seniority": None})
    assert check(c, policy, result()) == []


def test_department_rule():
    same = replace(POLICY, department_rule=DepartmentRule.SAME)
    assert check(cohort(), same, result()) == ["pair (E1, M2) breaks the department rule"]
    different = replace(POLICY, department_rule=DepartmentRule.DIFFERENT)
    assert check(cohort(), different, result()) == ["pair (E2, M1) breaks the department rule"]
    c = cohort(M1={"department": "Sales"}, M2={"department": "ENG"})  # normalised: E2-M1 ok
    assert check(c, different, result()) == ["pair (E1, M2) breaks the department rule"]


def test_max_per_department():
    res = result([pair("E1", "M2"), pair("E2", "M2")])
    assert check(cohort(), replace(POLICY, max_per_department=1), res) == [
        "mentor M2 has 2 mentees from department 'eng', more than max_per_department 1"
    ]
    assert check(cohort(), replace(POLICY, max_per_department=2), res) == []


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


def test_pinned_pair_present_or_missing():
    policy = replace(POLICY, pinned_pairs=(("E1", "M1"),))
    assert check(cohort(), policy, result()) == ["pinned pair (E1, M1) is missing"]
    policy = replace(POLICY, pinned_pairs=(("E1", "M2"),))
    marked = result([pair("E1", "M2", pinned=True), pair("E2", "M1")])
    assert check(cohort(), policy, marked) == []


def test_pinned_flag_must_match_the_policy():
    res = result([pair("E1", "M2", pinned=True), pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == ["pair (E1, M2) is marked pinned but is not"]
    policy = replace(POLICY, pinned_pairs=(("E1", "M2"),))
    assert check(cohort(), policy, result()) == ["pair (E1, M2) is pinned but not marked so"]
