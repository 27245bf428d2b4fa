"""explain.py: pair texts, unmatched reasons and the `mentormatch explain` text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher.encode.prepare import prepare
from matcher.model import Cohort, Mentee, Mentor, Policy, SeniorityRule, Skill, Weights
from matcher.result.explain import explain_mentee, unmatched_reasons
from matcher.result.pair_text import explain_pair
from matcher.solve import solve


def skills(*names):
    return tuple(Skill(n) for n in names)


MENTEE = Mentee(
    "E1",
    name="Ada Secret",
    email="ada@example.com",
    skills=skills("python", "sql", "go"),
    goals=("leadership", "public speaking"),
    seniority=1,
    utc_offset_minutes=60,
    languages=("english",),
)
MENTOR = Mentor(
    "M1",
    skills=skills("sql", "python"),
    goals=("leadership",),
    seniority=3,
    utc_offset_minutes=-120,
    languages=("english", "german"),
)
COHORT = Cohort(mentees=(MENTEE,), mentors=(MENTOR,))


def test_pair_text_names_top_components_by_weighted_contribution():
    policy = Policy(weights=Weights(skills=1.0, goals=3.0, seniority=0.5, timezone=0.1))
    components = {"skills": 2 / 3, "goals": 0.5, "seniority": 1.0, "timezone": 0.75}
    # contributions: goals 1.5, skills 0.67, seniority 0.5, timezone 0.075
    text = explain_pair(prepare(COHORT, policy), 0, 0, components)
    assert text == "goals 50% (leadership), skills 67% (python, sql), seniority gap 2 (ideal 2)"
    everything = explain_pair(prepare(COHORT, policy), 0, 0, components, top=4)
    assert everything.endswith(", time zones 3h apart")


def test_pair_text_pinned_zero_and_external():
    policy = Policy(weights=Weights(skills=1.0, language=1.0))
    prepared = prepare(COHORT, policy)
    text = explain_pair(prepared, 0, 0, {"skills": 0.0, "language": 1.0}, pinned=True)
    # The weak point follows the strengths: what costs the pair most, below one half.
    assert text == "pinned by policy, shared language (english); but skills 0% (python, sql)"
    assert (
        explain_pair(prepared, 0, 0, {"skills": 0.0})
        == "no score above 0; but skills 0% (python, sql)"
    )
    only = replace(policy, scores_only=True)
    assert explain_pair(prepare(COHORT, only), 0, 0, {"skills": 1.0, "external": -2.5}) == (
        "external score -2.5"
    )


def rules_cohort() -> Cohort:
    """E1 is blocked from M1/M2 by language, from M3 by its exclude list; M4 sits out."""
    mentees = (
        Mentee("E1", languages=("french",), exclude=("M3",)),
        Mentee("E2", capacity=0),
    )
    mentors = (
        Mentor("M1", languages=("english",)),
        Mentor("M2", languages=("english",), seniority=0),
        Mentor("M3", languages=("french",)),
        Mentor("M4", languages=("french",), capacity=0),
    )
    return Cohort(mentees=mentees, mentors=mentors)


def test_reasons_count_each_mentor_under_its_first_rule():
    cohort = rules_cohort()
    cohort = replace(cohort, mentees=(replace(cohort.mentees[0], seniority=5), cohort.mentees[1]))
    policy = Policy(require_shared_language=True, seniority=SeniorityRule(min_gap=0))
    prepared = prepare(cohort, policy)
    # M2 breaks both the seniority gap and the language rule: counted once, for seniority.
    assert unmatched_reasons(prepared, [], 0) == (
        "no mentor is eligible: 1 mentor excluded by an exclude list, "
        "1 by the seniority-gap rule, 1 by the shared-language rule",
        "1 mentor sit this round out",
    )
    assert unmatched_reasons(prepared, [], 1) == ()  # E2 sits out


def test_reason_for_a_department_cap():
    cohort = Cohort(
        mentees=(  # E1-M1 1.0, E2-M1 0.5
            Mentee("E1", skills=skills("a"), department="eng"),
            Mentee("E2", skills=skills("a", "b"), department="eng"),
        ),
        mentors=(Mentor("M1", skills=skills("a"), capacity=2),),
    )
    result = solve(cohort, Policy(weights=Weights(skills=1.0), max_per_department=1))
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [("E1", "M1")]
    assert result.unmatched[0].reasons == (
        "1 eligible mentor with free places already has 1 mentee of this mentee's "
        "department (max_per_department 1)",
    )


def test_partly_matched_mentee_gets_another_mentor_wording():
    # E1-M1 1.0, E1-M2 0.5, E2-M2 1.0, E2-M1 0.0: E1 wants two but M2 goes to E2.
    cohort = Cohort(
        mentees=(
            Mentee("E1", skills=skills("a", "c"), capacity=2),
            Mentee("E2", skills=skills("b")),
        ),
        mentors=(Mentor("M1", skills=skills("a", "c")), Mentor("M2", skills=skills("a", "b"))),
    )
    result = solve(cohort, Policy(weights=Weights(skills=1.0)))
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [("E1", "M1"), ("E2", "M2")]
    assert result.unmatched[0].missing == 1
    assert result.unmatched[0].reasons == (
        "1 eligible mentor is at capacity; one more place at M2 (score 0.50) would give "
        "this mentee another mentor",
    )
    assert [(a.mentee_id, a.mentor_id, a.why_not) for a in result.alternates] == [
        ("E1", "M2", "full: all 1 place taken"),
        ("E2", "M1", "full: all 1 place taken"),
    ]


def test_explain_mentee_text_matched_and_unmatched():
    cohort = Cohort(
        mentees=(
            Mentee("E1", name="Ada Secret", email="ada@x.org", skills=skills("python")),
            Mentee("E2", skills=skills("python")),
        ),
        mentors=(Mentor("M1", name="Bob Hidden", skills=skills("python")),),
    )
    policy = Policy(weights=Weights(skills=1.0))
    result = solve(cohort, policy)
    assert explain_mentee(cohort, policy, result, "E1") == (
        "Mentee E1: 1 of 1 wanted mentor(s) matched (optimal, flow).\n"
        "  M1  score 1.000  skills 100% (python)"
    )
    text = explain_mentee(cohort, policy, result, "E2")
    assert text == (
        "Mentee E2: 0 of 1 wanted mentor(s) matched (optimal, flow).\n"
        "Missing 1 mentor(s) because:\n"
        "  - 1 eligible mentor is at capacity; one more place at M1 (score 1.00) would "
        "match this mentee\n"
        "Alternates:\n"
        "  M1  score 1.000  full: all 1 place taken"
    )
    assert not any(secret in text for secret in ("Ada", "Bob", "@"))


def test_explain_mentee_unknown_id():
    result = solve(COHORT, Policy())
    with pytest.raises(KeyError, match="nobody"):
        explain_mentee(COHORT, Policy(), result, "nobody")
