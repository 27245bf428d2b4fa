"""Prices: a rule costs what a solve without it says, one more place what a solve with it says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from answers_helpers import cases, close, solved, strict, with_min_loads, without_min_loads

from matcher.answers.optimum import baseline
from matcher.answers.prices import place_values, rule_price_to_dict, rule_prices
from matcher.answers.recruit import recruit_hint_to_dict, recruiting_hints
from matcher.checker import chain_parents, rule_violations
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import DepartmentRule


def _with_pairs(cohort, policy):
    """The strict policy plus a forbidden pair and a pinned pair of this cohort."""
    e, m = cohort.mentee_ids, cohort.mentor_ids
    return replace(policy, forbidden_pairs=((e[0], m[0]), (e[1], m[1])), pinned_pairs=())


CASES = [
    *cases(),
    (
        "strict with policy pairs",
        without_min_loads(generate_cohort(45, 12, 7)),
        _with_pairs(generate_cohort(45, 12, 7), strict("mentoring")),
    ),
]


def dropped(cohort, policy, rule):
    """The cohort and policy without one rule, said the way a coordinator would."""
    seniority = replace(policy.seniority, min_gap=None, max_gap=None)
    policies = {
        "forbidden_pair": replace(policy, forbidden_pairs=()),
        "exclude": replace(policy, honour_exclude=False),
        "reporting_chain": replace(policy, no_reporting_chain=False),
        "seniority_gap": replace(policy, seniority=seniority),
        "language": replace(policy, require_shared_language=False),
        "timezone": replace(policy, max_timezone_diff_hours=None),
        "department": replace(policy, department_rule=DepartmentRule.ANY),
        "max_per_department": replace(policy, max_per_department=None),
        "pinned_pairs": replace(policy, pinned_pairs=()),
    }
    if rule == "min_capacity":
        return without_min_loads(cohort), policy
    return cohort, policies[rule]


def assert_prices_match_solves(label, cohort, policy):
    base = baseline(cohort, policy)
    prices = rule_prices(base)
    assert prices, label
    for price in prices:
        expected = solved(*dropped(cohort, policy, price.rule))
        if price.optimum_without is None:  # nothing opened: nothing gained
            assert close(base.optimum, expected), (label, price.rule)
            assert (price.cost.places, price.cost.score) == (0, 0.0)
            continue
        assert close(price.optimum_without, expected), (label, price.rule)
        assert price.cost.places == expected[0] - base.optimum.places
        assert price.cost.score == pytest.approx(expected[1] - base.optimum.score, abs=1e-4)
    return prices


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_costs_what_a_solve_without_it_says(label, cohort, policy):
    assert_prices_match_solves(label, cohort, policy)


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_the_pairs_a_rule_removes_are_the_ones_the_checker_says_it_breaks(label, cohort, policy):
    prices = {p.rule: p for p in rule_prices(baseline(cohort, policy))}
    parents = chain_parents(cohort)
    broken = [
        rule_violations(e, m, policy, parents) for e in cohort.mentees for m in cohort.mentors
    ]
    for rule, price in prices.items():
        if rule in ("min_capacity", "max_per_department", "pinned_pairs"):
            continue
        assert price.pairs_removed == sum(rule in b for b in broken), (label, rule)
        assert price.pairs_only == sum(b == [rule] for b in broken), (label, rule)
        assert price.switched_on or price.pairs_removed


def test_the_side_rules_are_priced_when_the_inputs_hold_them():
    cohort = with_min_loads(generate_cohort(60, 15, 2))
    e, m = cohort.mentee_ids[3], cohort.mentor_ids[2]
    policy = replace(preset("coaching"), max_per_department=1, pinned_pairs=((e, m),))
    prices = assert_prices_match_solves("side rules", cohort, policy)
    assert [p.rule for p in prices][-3:] == ["min_capacity", "max_per_department", "pinned_pairs"]
    data = rule_price_to_dict(rule_prices(baseline(cohort, policy))[0])
    assert set(data) >= {"rule", "words", "pairs_removed", "cost", "optimum_without"}


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_one_more_place_is_worth_what_a_solve_with_it_says(label, cohort, policy):
    base = baseline(cohort, policy)
    values = place_values(base, top=4)
    for value in values:
        mentors = tuple(
            replace(x, capacity=x.capacity + 1) if x.id == value.mentor_id else x
            for x in cohort.mentors
        )
        places, score = solved(replace(cohort, mentors=mentors), policy)
        assert value.gain.places == places - base.optimum.places, (label, value.mentor_id)
        assert value.gain.score == pytest.approx(score - base.optimum.score, abs=1e-4)
        assert value.load == value.capacity  # only full mentors are worth a place
        if value.unmatched_eligible:  # the estimate is a lower bound on the gain
            assert value.gain.places == 1
            assert value.gain.score >= value.best_unmatched_score - 1e-6
    gains = [(v.gain.places, v.gain.score) for v in values]
    assert gains == sorted(gains, reverse=True)


def test_a_mentor_with_room_left_is_not_offered_a_place():
    cohort = without_min_loads(generate_cohort(20, 12, 8))
    base = baseline(cohort, strict("coaching"))
    load = np.bincount([j for _, j in base.solution.pairs], minlength=len(cohort.mentors))
    full = {cohort.mentor_ids[j] for j in np.flatnonzero(load >= base.instance.capacity)}
    assert {v.mentor_id for v in place_values(base, top=50)} <= full


def test_recruiting_hints_are_checked_by_an_independent_solve():
    cohort = without_min_loads(generate_cohort(80, 10, 9))
    policy = strict("coaching")
    base = baseline(cohort, policy)
    hints = recruiting_hints(base, hints=2, max_mentors=4)
    assert hints
    for hint in hints:
        assert 1 <= hint.mentors == len(hint.added) <= 4
        grown = replace(cohort, mentors=cohort.mentors + hint.added)
        expected = solved(grown, policy)
        assert close(hint.optimum_with, expected)
        assert hint.more_places == expected[0] - base.optimum.places >= 0
        assert hint.skill in dict(hint.profile)["skills"]
        assert f"{hint.mentors} more mentor(s) teaching {hint.skill}" in hint.text
        assert recruit_hint_to_dict(hint)["added"] == [m.id for m in hint.added]
