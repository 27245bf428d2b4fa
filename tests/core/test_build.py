"""build_instance: the Instance it fills, pinned-pair conflicts and unknown ids."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.encode.instance import Instance
from matcher.encode.prepare import prepare
from matcher.encode.score_tables import ScoreTables
from matcher.encode.scoring import pair_scores
from matcher.model import (
    Cohort,
    InfeasibleError,
    InputError,
    Mentee,
    Mentor,
    Policy,
    Skill,
    Weights,
)


def small_cohort():
    mentees = (
        Mentee("E1", skills=(Skill("python", 1),), department="eng", prefer=("M2", "E2", "M1")),
        Mentee("E2", skills=(Skill("sql"),), capacity=2, manager_id="M1"),
        Mentee("E3", capacity=0, department="ops"),
    )
    mentors = (
        Mentor("M1", skills=(Skill("python", 3),), capacity=2, min_capacity=1),
        Mentor("M2", skills=(Skill("sql", 2),), prefer=("E3",)),
    )
    return Cohort(mentors=mentors, mentees=mentees)


def test_instance_fields():
    cohort = small_cohort()
    policy = Policy(weights=Weights(skills=1), pinned_pairs=(("E2", "M2"), ("E1", "M1")))
    prepared = prepare(cohort, policy)
    instance, features = prepared.instance, prepared.tables
    assert isinstance(instance, Instance) and isinstance(features, ScoreTables)
    assert instance.mentee_ids == ("E1", "E2", "E3")
    assert instance.mentor_ids == ("M1", "M2")
    assert instance.scores.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    assert instance.eligible.tolist() == [[True, True], [False, True], [True, True]]
    assert instance.wanted.tolist() == [1, 2, 0]
    assert instance.capacity.tolist() == [2, 1]
    assert instance.min_load.tolist() == [1, 0]
    assert instance.pinned == ((0, 0), (1, 1))
    assert instance.mentee_group is None and instance.max_per_group is None
    assert instance.mentee_prefs == ((1, 0), (), ())
    assert instance.mentor_prefs == ((), (2,))
    assert instance.scores[0, 0] == pair_scores(features, 0, 0)


def test_groups_and_no_stated_preferences():
    cohort = Cohort(
        mentors=(Mentor("M1", department="Eng"),),
        mentees=(Mentee("E1", department="eng"), Mentee("E2"), Mentee("E3", department="ops")),
    )
    instance = prepare(cohort, Policy(max_per_department=1)).instance
    assert instance.mentee_group.tolist() == [0, -1, 1]
    assert instance.max_per_group == 1
    assert instance.mentee_prefs == () and instance.mentor_prefs == ()


def test_pinned_pair_breaking_rules_lists_each_rule():
    cohort = small_cohort()
    policy = Policy(
        pinned_pairs=(("E2", "M1"), ("E1", "M2")),
        forbidden_pairs=(("E2", "M1"),),
    )
    with pytest.raises(InfeasibleError) as caught:
        prepare(cohort, policy)
    assert caught.value.conflicts == (
        "pinned pair (E2, M1) is ruled out by the policy's forbidden pairs",
        "pinned pair (E2, M1) is ruled out by the reporting-chain rule",
    )


def test_pinned_capacity_conflicts():
    cohort = small_cohort()
    policy = Policy(
        no_reporting_chain=False,
        pinned_pairs=(("E1", "M1"), ("E1", "M2"), ("E2", "M2"), ("E3", "M1"), ("E1", "M1")),
    )
    with pytest.raises(InfeasibleError) as caught:
        prepare(cohort, policy)
    # the repeated (E1, M1) counts once; M1 with 2 pinned and capacity 2 is fine
    assert caught.value.conflicts == (
        "mentee E1 is pinned to 2 mentors but wants 1",
        "mentee E3 is pinned but sits this round out (capacity 0)",
        "mentor M2 is pinned to 2 mentees but takes at most 1",
    )


def test_pinned_mentor_with_capacity_zero():
    cohort = Cohort(mentors=(Mentor("M1", capacity=0),), mentees=(Mentee("E1"),))
    with pytest.raises(InfeasibleError, match=r"mentor M1 is pinned but sits this round out"):
        prepare(cohort, Policy(pinned_pairs=(("E1", "M1"),)))


def test_unknown_ids_in_policy_pairs_are_all_listed():
    cohort = small_cohort()
    policy = Policy(
        forbidden_pairs=(("E1", "M1"), ("E9", "M1")),
        pinned_pairs=(("M1", "E1"), ("E1", "M2")),
    )
    with pytest.raises(InputError) as caught:
        prepare(cohort, policy)
    assert [(p.column, p.row, p.value) for p in caught.value.problems] == [
        ("rules.forbidden_pairs", 1, "E9"),
        ("rules.pinned_pairs", 0, "M1"),
        ("rules.pinned_pairs", 0, "E1"),
    ]
    assert all(p.source == "policy" for p in caught.value.problems)
    assert "expected the id of a mentor in the cohort" in caught.value.problems[2].message


def test_same_input_same_instance():
    cohort = small_cohort()
    policy = Policy(weights=Weights(skills=1, preference=1))
    a = prepare(cohort, policy).instance
    b = prepare(cohort, policy).instance
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.eligible, b.eligible)
