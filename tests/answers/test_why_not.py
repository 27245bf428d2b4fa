"""Why not X?: forbidden pairs name their rules, allowed ones cost what a re-solve says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from answers_helpers import cases, close, solved, without_min_loads

from matcher.answers.optimum import baseline
from matcher.answers.why_not import why_not, why_not_to_dict
from matcher.checker import chain_parents, rule_violations
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.io.records import cohort_from_records
from matcher.model import InputError, Policy, SeniorityRule, Weights
from matcher.solve import solve

CASES = cases()


def _sample(base, allowed: bool, n: int, seed: int = 0):
    """n (mentee index, mentor index) pairs, unpaired in the optimum, allowed or not."""
    instance = base.instance
    paired = set(base.solution.pairs)
    ok = instance.eligible & (instance.wanted > 0)[:, None] & (instance.capacity > 0)[None, :]
    rows, cols = np.nonzero(ok if allowed else ~instance.eligible)
    keep = [
        (i, j) for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if (i, j) not in paired
    ]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(keep), size=min(n, len(keep)), replace=False)
    return [keep[k] for k in sorted(picked)]


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_forcing_a_pair_costs_what_an_independent_pinned_solve_says(label, cohort, policy):
    base = baseline(cohort, policy)
    assert close(base.optimum, solved(cohort, policy))
    for i, j in _sample(base, allowed=True, n=6):
        e, m = cohort.mentee_ids[i], cohort.mentor_ids[j]
        answer = why_not(cohort, policy, e, m, base=base)
        pinned = replace(policy, pinned_pairs=(*policy.pinned_pairs, (e, m)))
        expected = solved(cohort, pinned)
        assert answer.allowed and answer.rules == () and not answer.paired
        if expected is None:  # the pair cannot be forced (minimum loads, caps)
            assert answer.optimum_with_pair is None and answer.cost is None
            continue
        assert close(answer.optimum_with_pair, expected), (label, e, m)
        assert answer.cost.places == base.optimum.places - expected[0]
        assert answer.cost.score == pytest.approx(base.optimum.score - expected[1], abs=1e-4)


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_the_moves_turn_the_optimum_into_the_forced_optimum(label, cohort, policy):
    base = baseline(cohort, policy)
    scores = base.instance.scores
    for i, j in _sample(base, allowed=True, n=4, seed=1):
        e, m = cohort.mentee_ids[i], cohort.mentor_ids[j]
        answer = why_not(cohort, policy, e, m, base=base)
        if answer.optimum_with_pair is None:
            continue
        pairs = {(cohort.mentee_ids[a], cohort.mentor_ids[b]) for a, b in base.solution.pairs}
        for move in answer.moves:
            if move.from_mentor:
                pairs.remove((move.mentee_id, move.from_mentor))
        for move in answer.moves:
            if move.to_mentor:
                pairs.add((move.mentee_id, move.to_mentor))
        assert (e, m) in pairs
        at_e = {x: k for k, x in enumerate(cohort.mentee_ids)}
        at_m = {x: k for k, x in enumerate(cohort.mentor_ids)}
        total = sum(float(scores[at_e[a], at_m[b]]) for a, b in pairs)
        assert len(pairs) == answer.optimum_with_pair.places
        assert total == pytest.approx(answer.optimum_with_pair.score, abs=1e-6 * len(pairs))
        assert any(mv.reason == "the pair asked about" for mv in answer.moves)
        # Among tied optima, the one closest to the optimum: no fewer pairs kept than an
        # independent solve with the pair pinned keeps.
        made = {(cohort.mentee_ids[a], cohort.mentor_ids[b]) for a, b in base.solution.pairs}
        pinned = replace(policy, pinned_pairs=(*policy.pinned_pairs, (e, m)))
        cold = {(p.mentee_id, p.mentor_id) for p in solve(cohort, pinned).pairs}
        assert len(pairs & made) >= len(cold & made)


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_forbidden_pairs_name_the_rules_the_checker_finds(label, cohort, policy):
    base = baseline(cohort, policy)
    parents = chain_parents(cohort)
    for i, j in _sample(base, allowed=False, n=25):
        e, m = cohort.mentees[i], cohort.mentors[j]
        answer = why_not(cohort, policy, e.id, m.id, base=base)
        assert not answer.allowed and answer.optimum_with_pair is None and answer.moves == ()
        assert list(answer.rules) == rule_violations(e, m, policy, parents)
        assert len(answer.reasons) >= len(answer.rules)


POLICY = Policy(weights=Weights(skills=1.0), seniority=SeniorityRule(min_gap=1))


def _tiny():
    return cohort_from_records(
        [
            {"id": "A", "role": "mentor", "skills": "python", "seniority": 5, "exclude": "e2"},
            {"id": "B", "role": "mentor", "skills": "sql", "seniority": 2},
            {"id": "C", "role": "mentor", "skills": "python", "seniority": 5, "capacity": 0},
            {"id": "e1", "role": "mentee", "skills": "python", "seniority": 1},
            {"id": "e2", "role": "mentee", "skills": "python", "seniority": 3},
            {"id": "e3", "role": "mentee", "skills": "sql", "seniority": 4},
        ]
    )


def test_each_rule_is_said_in_words_with_the_values_that_break_it():
    cohort = _tiny()
    exclude = why_not(cohort, POLICY, "e2", "A")
    assert exclude.rules == ("exclude",)
    assert exclude.reasons == ("an exclude list: A's exclude list names e2",)
    gap = why_not(cohort, POLICY, "e3", "B")
    assert gap.rules == ("seniority_gap",)
    assert "mentor seniority 2 - mentee seniority 4 = gap -2, allowed 1.." in gap.reasons[0]
    sitting = why_not(cohort, POLICY, "e1", "C")
    assert not sitting.allowed and sitting.rules == ()
    assert sitting.reasons == ("mentor C sits this round out (capacity 0)",)


def test_a_pair_already_made_costs_nothing():
    cohort = _tiny()  # places first: e1 with B and e3 with A (A is e3's only mentor)
    base = baseline(cohort, POLICY)
    assert sorted(base.solution.pairs) == [(0, 1), (2, 0)]
    answer = why_not(cohort, POLICY, "e3", "A", base=base)
    assert answer.paired and answer.cost.places == 0 and answer.cost.score == 0
    assert answer.optimum_with_pair == answer.optimum and answer.moves == ()


def test_forcing_a_pair_can_cost_a_place():
    """e1 can only have A; forcing e2 onto A leaves e1 without a mentor."""
    cohort = cohort_from_records(
        [
            {"id": "A", "role": "mentor", "skills": "python"},
            {"id": "B", "role": "mentor", "skills": "python"},
            {"id": "e1", "role": "mentee", "skills": "python", "exclude": "B"},
            {"id": "e2", "role": "mentee", "skills": "python"},
        ]
    )
    answer = why_not(cohort, Policy(weights=Weights(skills=1.0)), "e2", "A")
    assert answer.cost.places == 1
    assert [(m.mentee_id, m.from_mentor, m.to_mentor) for m in answer.moves] == [
        ("e1", "A", None),
        ("e2", "B", "A"),
    ]
    data = why_not_to_dict(answer)
    assert set(data) >= {"mentee", "mentor", "allowed", "rules", "optimum", "optimum_with_pair"}
    assert data["cost"] == {"places": 1, "score": pytest.approx(1.0)}


def test_a_pair_that_cannot_be_forced_says_why():
    cohort = _tiny()
    pinned = replace(POLICY, pinned_pairs=(("e1", "A"),))
    answer = why_not(cohort, pinned, "e1", "B")
    assert answer.allowed and answer.optimum_with_pair is None
    assert answer.reasons[0].startswith("the pair cannot be forced: mentee e1")


def test_unknown_ids_are_named_with_the_closest_id():
    cohort = _tiny()
    with pytest.raises(InputError) as info:
        why_not(cohort, POLICY, "e11", "a")
    problems = info.value.problems
    assert [(p.column, p.value) for p in problems] == [("MENTEE_ID", "e11"), ("--why-not", "a")]
    assert "did you mean 'e1'?" in problems[0].message
    assert "did you mean 'A'?" in problems[1].message
    with pytest.raises(InputError) as info:
        why_not(cohort, POLICY, "A", "e1")
    assert "'A' is a mentor; expected a mentee id" in info.value.problems[0].message


def test_the_candidate_graph_path_agrees_with_a_cold_solve():
    """Large enough for the certified candidate graph (and its warm start), not dense."""
    cohort = without_min_loads(generate_cohort(1500, 300, 5))
    policy = preset("coaching")
    base = baseline(cohort, policy)
    assert base.solution.graph is not None  # not a dense solve
    for i, j in _sample(base, allowed=True, n=2, seed=3):
        e, m = cohort.mentee_ids[i], cohort.mentor_ids[j]
        answer = why_not(cohort, policy, e, m, base=base)
        pinned = replace(policy, pinned_pairs=((e, m),))
        assert close(answer.optimum_with_pair, solved(cohort, pinned))


def test_answers_need_the_total_objective():
    from matcher.model import Objective

    cohort = _tiny()
    with pytest.raises(InputError) as info:
        why_not(cohort, replace(POLICY, objective=Objective.FAIR), "e1", "A")
    problem = info.value.problems[0]
    assert (problem.column, problem.value) == ("solver.objective", "fair")
    assert "why not compares optima of the total objective" in problem.message
