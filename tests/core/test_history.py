"""Pairing history across cycles: avoid is a hard rule, prefer a score bonus, both checked.

Hand-checked cases first (skills weight only, so a pair's score is the share of the
mentee's wanted skills the mentor teaches), then random tiny cohorts where a brute force
over every assignment, scored and ruled by the independent checker's own functions, must
agree with solve() and check() must pass.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from matcher.answers.why_not import why_not
from matcher.checker import check
from matcher.checker.rules import around, broken_rules
from matcher.checker.scores import components, scoring, total
from matcher.io.policy import policy_from_dict, policy_to_dict
from matcher.model import (
    Cohort,
    DepartmentRule,
    History,
    InputError,
    Mentee,
    Mentor,
    Policy,
    Skill,
    Weights,
)
from matcher.results import Status
from matcher.solve import solve

POLICY = Policy(weights=Weights(skills=1.0), honour_exclude=False, no_reporting_chain=False)


def skills(*names):
    return tuple(Skill(n) for n in names)


def cohort() -> Cohort:
    """E1-M1 1.0, E1-M2 0.5, E2-M1 0.5, E2-M2 0.5 (one place each)."""
    return Cohort(
        mentees=(
            Mentee("E1", skills=skills("python", "sql")),
            Mentee("E2", skills=skills("go", "rust")),
        ),
        mentors=(
            Mentor("M1", skills=skills("python", "sql", "go")),
            Mentor("M2", skills=skills("sql", "rust")),
        ),
    )


def pairs_of(result):
    return {(p.mentee_id, p.mentor_id) for p in result.pairs}


def test_ignore_is_the_default_and_changes_nothing_but_the_explanation():
    plain = solve(cohort(), POLICY)
    policy = replace(POLICY, previous_pairs=(("E1", "M1"),))
    result = solve(cohort(), policy)
    assert pairs_of(result) == pairs_of(plain) == {("E1", "M1"), ("E2", "M2")}
    assert result.objective == plain.objective
    first = next(p for p in result.pairs if p.mentee_id == "E1")
    assert first.explanation.startswith("paired last cycle, skills")
    assert check(cohort(), policy, result) == []


def test_avoid_forbids_an_earlier_pair_and_names_the_rule():
    policy = replace(POLICY, previous_pairs=(("E1", "M1"),), history=History.AVOID)
    result = solve(cohort(), policy)
    assert pairs_of(result) == {("E1", "M2"), ("E2", "M1")}
    assert check(cohort(), policy, result) == []
    answer = why_not(cohort(), policy, "E1", "M1")
    assert answer.rules == ("history",)
    assert "were paired in an earlier cycle" in answer.reasons[0]


def test_avoid_leaves_a_mentee_unmatched_with_the_history_reason():
    one = Cohort(mentees=cohort().mentees[:1], mentors=cohort().mentors[:1])
    policy = replace(POLICY, previous_pairs=(("E1", "M1"),), history=History.AVOID)
    result = solve(one, policy)
    assert result.pairs == ()
    (row,) = result.unmatched
    assert "pairing-history rule" in " ".join(row.reasons)
    assert check(one, policy, result) == []


def test_avoid_against_a_pin_is_infeasible_and_says_why():
    policy = replace(
        POLICY,
        previous_pairs=(("E1", "M1"),),
        history=History.AVOID,
        pinned_pairs=(("E1", "M1"),),
    )
    result = solve(cohort(), policy)
    assert result.status is Status.INFEASIBLE
    assert any("pairing-history rule" in c for c in result.conflicts)


def test_prefer_keeps_an_earlier_pair_with_its_bonus():
    # Without history the optimum is E1-M1 + E2-M2 (1.5); E1-M2 + E2-M1 is 1.0. A bonus
    # of 0.3 on both earlier pairs makes the second 1.6: kept.
    earlier = (("E1", "M2"), ("E2", "M1"))
    policy = replace(POLICY, previous_pairs=earlier, history=History.PREFER, history_bonus=0.3)
    result = solve(cohort(), policy)
    assert pairs_of(result) == set(earlier)
    assert result.objective == pytest.approx(1.6)
    assert all(p.score == pytest.approx(0.8) for p in result.pairs)
    assert all(dict(p.components)["skills"] == 0.5 for p in result.pairs)
    assert all(
        p.explanation.startswith("paired last cycle (+0.3 history bonus)") for p in result.pairs
    )
    assert check(cohort(), policy, result) == []
    smaller = replace(policy, history_bonus=0.2)  # 1.4 < 1.5: not worth keeping
    assert pairs_of(solve(cohort(), smaller)) == {("E1", "M1"), ("E2", "M2")}


def test_prefer_never_keeps_a_pair_a_rule_now_forbids():
    earlier = (("E1", "M2"), ("E2", "M1"))
    policy = replace(
        POLICY,
        previous_pairs=earlier,
        history=History.PREFER,
        history_bonus=1.0,
        forbidden_pairs=(("E1", "M2"),),
    )
    result = solve(cohort(), policy)
    assert ("E1", "M2") not in pairs_of(result)
    assert check(cohort(), policy, result) == []


def test_people_of_earlier_cycles_who_are_not_here_are_ignored():
    earlier = (("E9", "M1"), ("E1", "M9"), ("M1", "E1"), ("E1", "M1"))
    policy = replace(POLICY, previous_pairs=earlier, history=History.AVOID)
    result = solve(cohort(), policy)
    assert pairs_of(result) == {("E1", "M2"), ("E2", "M1")}
    assert check(cohort(), policy, result) == []


def test_the_checker_rederives_both_modes():
    avoid = replace(POLICY, previous_pairs=(("E1", "M1"),), history=History.AVOID)
    plain = solve(cohort(), POLICY)  # pairs E1-M1, which avoid forbids
    assert "pair (E1, M1) breaks the history rule" in check(cohort(), avoid, plain)
    prefer = replace(avoid, history=History.PREFER)
    # The plain result's E1-M1 score lacks the 0.1 bonus prefer gives it.
    assert any("E1, M1) has score 1.0, recomputed 1.1" in v for v in check(cohort(), prefer, plain))
    wrong = replace(plain, pairs=(replace(plain.pairs[0], score=1.1), *plain.pairs[1:]))
    assert not any("has score" in v for v in check(cohort(), prefer, wrong))


def test_policy_files_carry_the_history_section():
    data = {"history": {"mode": "prefer", "bonus": 0.25, "previous_pairs": [["E1", "M1"]]}}
    policy = policy_from_dict(data)
    assert policy.history is History.PREFER
    assert policy.history_bonus == 0.25
    assert policy.previous_pairs == (("E1", "M1"),)
    assert policy_from_dict(policy_to_dict(policy)) == policy
    # Without history the file form (and so a receipt's policy digest) is as before.
    assert "history" not in policy_to_dict(POLICY)
    assert "history" in policy_to_dict(replace(POLICY, history=History.AVOID))
    with pytest.raises(InputError) as caught:
        policy_from_dict({"history": {"mode": "sometimes", "bonus": 2, "pairs": []}})
    columns = sorted(p.column for p in caught.value.problems)
    assert columns == ["history.bonus", "history.mode", "history.pairs"]


# --------------------------------------------------------------------------- brute force


def random_case(seed: int):
    rng = random.Random(seed)
    tags = ["a", "b", "c", "d"]
    mentees = tuple(
        Mentee(
            f"E{k}",
            skills=skills(*rng.sample(tags, rng.randint(1, 3))),
            department=rng.choice(["x", "y"]),
        )
        for k in range(rng.randint(2, 4))
    )
    mentors = tuple(
        Mentor(
            f"M{k}",
            skills=skills(*rng.sample(tags, rng.randint(1, 3))),
            capacity=rng.randint(1, 2),
            department=rng.choice(["x", "y"]),
        )
        for k in range(rng.randint(1, 3))
    )
    c = Cohort(mentors=mentors, mentees=mentees)
    all_pairs = [(e.id, m.id) for e in mentees for m in mentors]
    earlier = tuple(rng.sample(all_pairs, rng.randint(1, len(all_pairs))))
    policy = replace(
        POLICY,
        weights=Weights(skills=1.0, department=0.5),
        department_preference=DepartmentRule.DIFFERENT,
        previous_pairs=earlier,
        history=rng.choice(list(History)),
        history_bonus=rng.choice([0.05, 0.3, 1.0]),
    )
    return c, policy


def brute_force(c: Cohort, policy: Policy) -> tuple[int, float]:
    """(places, total) of the best assignment: most places, then the highest total."""
    ctx, ruled = scoring(c, policy), around(c, policy)
    options = []
    for e in c.mentees:
        allowed = [
            (m, total(e, m, ctx, components(e, m, ctx)))
            for m in c.mentors
            if not broken_rules(e, m, policy, ruled)
        ]
        options.append([None, *allowed])
    best = (0, 0.0)
    for choice in itertools.product(*options):
        picked = [x for x in choice if x is not None]
        loads = {}
        for m, _ in picked:
            loads[m.id] = loads.get(m.id, 0) + 1
        if any(loads[m.id] > m.capacity for m, _ in picked):
            continue
        value = (len(picked), round(sum(s for _, s in picked), 9))
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_solve_agrees_with_a_brute_force_and_the_checker(seed):
    c, policy = random_case(seed)
    result = solve(c, policy)
    assert check(c, policy, result) == []
    places, best = brute_force(c, policy)
    assert len(result.pairs) == places
    assert result.objective == pytest.approx(best, abs=1e-5)
    if policy.history is History.AVOID:
        assert not pairs_of(result) & set(policy.previous_pairs)


def test_pair_explanations_never_mention_history_without_earlier_pairs():
    result = solve(cohort(), replace(POLICY, history=History.PREFER))
    assert result.pairs and all("last cycle" not in p.explanation for p in result.pairs)


def test_the_price_of_the_history_rule_is_what_repeating_would_gain():
    from matcher.answers.optimum import baseline
    from matcher.answers.prices import rule_prices

    policy = replace(POLICY, previous_pairs=(("E1", "M1"),), history=History.AVOID)
    (price,) = [p for p in rule_prices(baseline(cohort(), policy, "prices")) if p.rule == "history"]
    assert (price.switched_on, price.pairs_removed, price.pairs_only) == (True, 1, 1)
    # Without the rule the optimum is E1-M1 + E2-M2 (1.5) instead of 1.0.
    assert price.cost.score == pytest.approx(0.5)
