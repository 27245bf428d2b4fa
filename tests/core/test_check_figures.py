"""check(): scores, objective, unmatched rows, alternates, metrics and status; per
concern a tiny valid and a tiny invalid result (the cohort is described in check_helpers).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from check_helpers import POLICY, cohort, pair, result

from matcher.checker import check
from matcher.model import Policy, Weights
from matcher.results import Alternate, Metrics, Pair, Status, Unmatched

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


def test_wrong_component_list_and_order():
    extra = Pair("E1", "M2", 0.5, components=(("skills", 0.5), ("goals", 0.0)))
    res = result([extra, pair("E2", "M1")])
    assert check(cohort(), POLICY, res) == [
        "pair (E1, M2) lists components ['goals', 'skills'], expected ['skills']"
    ]
    policy = Policy(weights=Weights(skills=1.0, goals=1.0))  # no goals: totals halve
    swapped = Pair("E2", "M1", 0.5, components=(("goals", 0.0), ("skills", 1.0)))
    res = result([swapped], [Unmatched("E1", 1)])
    assert check(cohort(), policy, res) == [
        "pair (E2, M1) lists components in the order ['goals', 'skills'], "
        "expected ['skills', 'goals']"
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


# ----------------------------------------------------------------- alternates


def test_alternates_are_unassigned_eligible_and_scored():
    ok = replace(result(), alternates=(Alternate("E1", "M1", 0.5),))
    assert check(cohort(), POLICY, ok) == []
    res = replace(result(), alternates=(Alternate("E1", "M2", 0.5), Alternate("E1", "M1", 0.5)))
    assert check(cohort(), POLICY, res) == ["alternate (E1, M2) is an assigned pair"]
    policy = replace(POLICY, forbidden_pairs=(("E1", "M1"),))
    bad = replace(result(), alternates=(Alternate("E1", "M1", 0.7), Alternate("E9", "M1", 0.0)))
    assert check(cohort(), policy, bad) == [
        "alternate (E1, M1) breaks the forbidden_pair rule",
        "alternate (E1, M1) has score 0.7, recomputed 0.5",
        "alternate (E9, M1) does not name a mentee and a mentor of the cohort",
    ]


# ----------------------------------------------------------------- metrics


def test_metrics_must_follow_from_the_pairs():
    good = result()
    assert good.metrics.skill_coverage == pytest.approx(2 / 3)
    bad = replace(good, metrics=replace(good.metrics, matched_places=3, p90_score=0.8))
    assert check(cohort(), POLICY, bad) == [
        "metrics.matched_places is 3, the pairs give 2",
        "metrics.p90_score is 0.8, the pairs give 0.95",
    ]
    rounded = replace(good, metrics=replace(good.metrics, skill_coverage=0.666667))
    assert check(cohort(), POLICY, rounded) == []


def test_missing_metrics_are_reported():
    bare = replace(result([pair("E2", "M1")]), metrics=Metrics())
    found = check(cohort(), POLICY, bare)
    assert found[:2] == [
        "metrics.mentees is 0, the pairs give 3",
        "metrics.mentors is 0, the pairs give 2",
    ]
    assert "metrics.mean_score is None, the pairs give 1.0" in found


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
