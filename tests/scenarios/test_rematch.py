"""Rematch: fewest changes, exact against brute force, the moves and their reasons."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from scenario_helpers import POLICY, brute_force, cohort_of, person, without_min_loads

from matcher.checker import check
from matcher.encode.prepare import prepare
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import Cohort, InputError, Mentee, Mentor, Objective, Skill
from matcher.results import Status
from matcher.solve import solve
from matcher.solvers.integers import to_int
from matcher.whatif.rematch import kept_bonus, previous_pairs, rematch, rematch_to_dict


def _pairs(outcome):
    return {(p.mentee_id, p.mentor_id) for p in outcome.result.pairs}


@pytest.fixture
def four_mentors():
    """Two mentors with free places: a leaver's mentees fit elsewhere."""
    return cohort_of(
        person("A", "mentor", "python; sql", capacity=2),
        person("B", "mentor", "python", capacity=3),
        person("C", "mentor", "sql; design", capacity=3),
        person("D", "mentor", "design", capacity=2),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "sql"),
        person("e3", "mentee", "design"),
        person("e4", "mentee", "python; sql"),
        person("e5", "mentee", "design"),
    )


def test_the_leaver_moves_only_their_mentees(four_mentors):
    previous = [("e1", "B"), ("e2", "A"), ("e3", "D"), ("e4", "A"), ("e5", "D")]
    outcome = rematch(four_mentors, POLICY, previous, {"remove_mentors": ["A"]})
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    pairs = _pairs(outcome)
    assert {("e1", "B"), ("e3", "D"), ("e5", "D")} <= pairs  # untouched
    assert len(pairs) == 5 and outcome.kept == 3 and outcome.keepable == 3
    moved = {m.mentee_id: m for m in outcome.moves}
    assert set(moved) == {"e2", "e4"}
    assert moved["e2"].from_mentor == "A" and moved["e2"].to_mentor == "C"
    assert all(m.reason == "mentor A left" for m in moved.values())
    explained = {p.mentee_id: p.explanation for p in outcome.result.pairs}
    assert explained["e1"].startswith("kept;")
    assert explained["e2"].startswith("moved from A (mentor A left);")


def test_a_late_joiner_takes_a_free_place_and_nobody_moves(four_mentors):
    previous = [("e1", "A"), ("e2", "A"), ("e3", "D"), ("e4", "B"), ("e5", "C")]
    joiner = person("e6", "mentee", "python")
    outcome = rematch(four_mentors, POLICY, previous, {"add": [joiner]})
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    assert set(previous) <= _pairs(outcome)
    assert [(m.mentee_id, m.from_mentor, m.reason) for m in outcome.moves] == [
        ("e6", None, "joined the programme")
    ]
    assert outcome.moves[0].to_mentor == "B"  # python, free place, best score


def test_places_come_before_kept_pairs():
    """The joiner can only go to A; A's mentee moves to B so that both are matched."""
    cohort = cohort_of(
        person("A", "mentor", "python; sql"),
        person("B", "mentor", "sql"),
        person("e1", "mentee", "sql"),
        person("e2", "mentee", "python", exclude="B"),
    )
    outcome = rematch(cohort, POLICY, [("e1", "A")], {"remove_mentees": []})
    assert _pairs(outcome) == {("e1", "B"), ("e2", "A")}
    move = next(m for m in outcome.moves if m.mentee_id == "e1")
    assert move.reason == "moved to free a place so that more mentees are matched"
    assert check(outcome.cohort, outcome.policy, outcome.result) == []


def test_kept_pairs_come_before_score():
    cohort = cohort_of(
        person("A", "mentor", "python"),
        person("B", "mentor", "sql"),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "sql"),
    )
    bad = [("e1", "B"), ("e2", "A")]  # scores 0: a fresh solve would swap both
    assert rematch(cohort, POLICY, bad).kept == 2
    traded = rematch(cohort, POLICY, bad, move_cost=0.4)
    assert _pairs(traded) == {("e1", "A"), ("e2", "B")}
    assert {m.reason for m in traded.moves} == {
        "better overall: the score gain outweighs the move cost 0.4"
    }
    assert rematch(cohort, POLICY, bad, move_cost=1.5).kept == 2


def test_broken_pair_capacity_and_rule_reasons():
    cohort = cohort_of(
        person("A", "mentor", "python", capacity=2),
        person("B", "mentor", "python", capacity=2),
        person("C", "mentor", "python", capacity=2),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "python"),
        person("e3", "mentee", "python"),
        person("e4", "mentee", "python"),
    )
    previous = [("e1", "A"), ("e2", "A"), ("e3", "B"), ("e4", "C")]
    changes = {
        "break": [["e3", "B"]],
        "capacity": {"mentors": {"A": 1}},
        "forbid": [["e4", "C"]],
    }
    outcome = rematch(cohort, POLICY, previous, changes)
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    pairs = _pairs(outcome)
    assert ("e3", "B") not in pairs and ("e4", "C") not in pairs
    assert len(pairs) == 4 and outcome.kept == 1 and outcome.keepable == 2
    reasons = {m.mentee_id: m.reason for m in outcome.moves}
    assert reasons["e3"] == "the pair broke up"
    assert reasons["e4"] == "no longer allowed: ruled out by the policy's forbidden pairs"
    assert "capacity fell to 1" in next(r for e, r in reasons.items() if e in ("e1", "e2"))


def test_a_leaver_whose_mentee_cannot_be_placed():
    cohort = cohort_of(
        person("A", "mentor", "python"),
        person("B", "mentor", "python"),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "python"),
    )
    outcome = rematch(cohort, POLICY, [("e1", "A"), ("e2", "B")], {"remove_mentors": ["A"]})
    assert _pairs(outcome) == {("e2", "B")}
    (move,) = outcome.moves
    assert move.to_mentor is None
    assert move.reason == "mentor A left; no eligible mentor had a free place"
    assert [u.mentee_id for u in outcome.result.unmatched] == ["e1"]
    data = rematch_to_dict(outcome)
    assert data["kept"] == 1 and data["moves"][0]["from_mentor"] == "A"


def test_a_leaving_mentee_is_reported():
    cohort = cohort_of(
        person("A", "mentor", "python"),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "x"),
    )
    outcome = rematch(cohort, POLICY, [("e1", "A")], {"remove_mentees": ["e1"]})
    assert (
        outcome.moves[0].mentee_id == "e1"
        and outcome.moves[0].reason == "mentee left the programme"
    )
    assert _pairs(outcome) == {("e2", "A")}


def _random_case(seed):
    rng = random.Random(seed)
    cohort = without_min_loads(generate_cohort(rng.randint(4, 6), rng.randint(2, 3), seed))
    mentors = tuple(replace(m, capacity=rng.randint(1, 2)) for m in cohort.mentors)
    cohort = replace(cohort, mentors=mentors)
    previous = [(e.id, rng.choice(cohort.mentor_ids)) for e in cohort.mentees if rng.random() < 0.8]
    changes = {}
    kind = seed % 4
    if kind == 0:
        changes = {"remove_mentors": [cohort.mentor_ids[0]]} if len(mentors) > 2 else {}
    elif kind == 1:
        changes = {"capacity": {"mentors": {cohort.mentor_ids[-1]: 1}}}
    elif kind == 2 and previous:
        changes = {"break": [list(previous[0])]}
    return cohort, previous, changes


@pytest.mark.parametrize("seed", range(16))
def test_rematch_is_optimal_against_brute_force(seed):
    cohort, previous, changes = _random_case(seed)
    policy = preset("coaching")
    outcome = rematch(cohort, policy, previous, changes)
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    places, kept, score = brute_force(outcome.cohort, outcome.policy, previous)
    assert len(outcome.result.pairs) == places
    assert outcome.kept == kept
    assert outcome.result.objective == pytest.approx(score, abs=1e-5)


@pytest.mark.parametrize("seed", range(6))
def test_move_cost_is_optimal_against_brute_force(seed):
    cohort, previous, changes = _random_case(100 + seed)
    policy = preset("coaching")
    outcome = rematch(cohort, policy, previous, changes, move_cost=0.05)
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    places, value = brute_force(outcome.cohort, outcome.policy, previous, move_cost=0.05)
    assert len(outcome.result.pairs) == places
    assert outcome.result.objective + 0.05 * outcome.kept == pytest.approx(value, abs=1e-5)


def test_rematch_with_min_loads_is_exact_and_passes_the_checker():
    cohort = generate_cohort(30, 8, 4)
    first = replace(cohort.mentors[0], min_capacity=1)
    cohort = replace(cohort, mentors=(first, *cohort.mentors[1:]))
    policy = replace(preset("mentoring"), time_limit_seconds=5)
    base = solve(cohort, policy)
    previous = [(p.mentee_id, p.mentor_id) for p in base.pairs]
    leaver = next(m.id for m in cohort.mentors if m.min_capacity == 0)
    outcome = rematch(cohort, policy, previous, {"remove_mentors": [leaver]})
    assert outcome.result.solver == "flow" and outcome.result.certified
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
    left = {e for e, m in previous if m == leaver}
    assert outcome.kept == len(previous) - len(left)


def test_unchanged_cohort_keeps_every_pair_of_a_solve():
    cohort = without_min_loads(generate_cohort(40, 10, 2))
    policy = preset("mentoring")
    base = solve(cohort, policy)
    outcome = rematch(
        cohort,
        policy,
        previous_pairs([{"mentee_id": p.mentee_id, "mentor_id": p.mentor_id} for p in base.pairs]),
    )
    assert outcome.kept == len(base.pairs) and outcome.moves == ()
    assert outcome.result.objective == pytest.approx(base.objective)


def test_fair_objective_is_noted_not_applied():
    cohort = cohort_of(person("A", "mentor", "python"), person("e1", "mentee", "python"))
    outcome = rematch(cohort, replace(POLICY, objective=Objective.FAIR), [("e1", "A")])
    assert outcome.kept == 1 and "fair objective does not apply" in outcome.result.notes[0]


def test_bad_previous_pairs_are_reported_with_rows(four_mentors):
    with pytest.raises(InputError) as caught:
        rematch(four_mentors, POLICY, [("e1", "A"), ("e9", "A"), ("e2", "AA"), ("e1", "A"), "x"])
    text = caught.value.report()
    assert "previous, record 2, column 'mentee_id': no mentee with this id" in text
    assert "record 3, column 'mentor_id'" in text and "did you mean 'A'?" in text
    assert "record 4: the pair is listed twice" in text
    assert "record 5: expected a (mentee_id, mentor_id) pair" in text


def test_bad_move_cost_and_bad_changes(four_mentors):
    with pytest.raises(InputError, match="rematch options"):
        rematch(four_mentors, POLICY, [], move_cost=-1)
    with pytest.raises(InputError) as caught:
        rematch(four_mentors, POLICY, [], {"remove_mentor": ["A"]})
    assert "did you mean 'remove_mentors'?" in caught.value.report()


def test_conflicting_pins_give_an_infeasible_result_like_solve(four_mentors):
    changes = {"pin": [["e1", "A"], ["e2", "A"], ["e3", "A"]]}
    outcome = rematch(four_mentors, POLICY, [], changes)
    assert outcome.result.status is Status.INFEASIBLE and outcome.moves == ()
    assert outcome.result.pairs == () and outcome.result.conflicts
    assert any("pinned to 3 mentees" in c for c in outcome.result.conflicts)


def test_kept_bonus_dominates_every_exchange():
    cohort = generate_cohort(12, 4, 1)
    instance = prepare(cohort, preset("coaching")).instance
    rows, cols = np.array([0]), np.array([0])
    open_pairs = instance.eligible & (instance.capacity > 0)[None, :]
    values = to_int(instance.scores[open_pairs])
    hi, lo = max(0, int(values.max())), min(0, int(values.min()))
    k = min(int(instance.wanted.sum()), int(instance.capacity.sum()), 12, 4)
    assert kept_bonus(instance, rows, cols, None) == k * (hi - lo + 2) + 1
    assert kept_bonus(instance, rows, cols, 0.25) == 250_000
    assert kept_bonus(instance, rows[:0], cols[:0], None) == 0


def test_a_leaver_stays_in_the_management_chain():
    # E1 reports to M2, who reports to M1: after M2 leaves, M1 is still E1's skip-level.
    mentors = (
        Mentor("M1", skills=(Skill("go"),), capacity=2),
        Mentor("M2", skills=(Skill("go"),), manager_id="M1"),
        Mentor("M3", capacity=2),
    )
    mentees = (Mentee("E1", skills=(Skill("go"),), manager_id="M2"), Mentee("E2"))
    cohort = Cohort(mentors=mentors, mentees=mentees)
    outcome = rematch(cohort, POLICY, [("E2", "M2")], {"remove_mentors": ["M2"]})
    assert ("E1", "M1") not in {(p.mentee_id, p.mentor_id) for p in outcome.result.pairs}
    assert ("M2", "M1") in outcome.cohort.org_chart
    assert check(outcome.cohort, outcome.policy, outcome.result) == []


def test_a_rematch_too_large_to_keep_pairs_exactly_says_what_to_do(monkeypatch):
    from matcher.solvers import integers

    monkeypatch.setattr(integers, "_INT64_SAFE", 10**9)  # as if the cohort were huge
    cohort = without_min_loads(generate_cohort(40, 10, 2))
    base = solve(cohort, POLICY)
    previous = [(p.mentee_id, p.mentor_id) for p in base.pairs]
    with pytest.raises(InputError) as caught:
        rematch(cohort, POLICY, previous, {"remove_mentors": [cohort.mentors[0].id]})
    (problem,) = caught.value.problems
    assert problem.column == "move_cost" and "give a move cost" in problem.message
    outcome = rematch(
        cohort, POLICY, previous, {"remove_mentors": [cohort.mentors[0].id]}, move_cost=0.2
    )
    assert check(outcome.cohort, outcome.policy, outcome.result) == []
