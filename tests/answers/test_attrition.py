"""Attrition risk: each mentor's leaving costs what an exact rematch says."""

from __future__ import annotations

import pytest
from answers_helpers import cases

from matcher.answers.attrition import attrition, attrition_to_dict
from matcher.answers.optimum import baseline
from matcher.io.records import cohort_from_records
from matcher.model import InputError, Policy, Weights
from matcher.whatif.rematch import rematch

CASES = cases()[:2]


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
def test_each_risk_is_an_exact_rematch_without_the_mentor(label, cohort, policy):
    base = baseline(cohort, policy)
    answer = attrition(cohort, policy, top=4, base=base)
    previous = [(cohort.mentee_ids[i], cohort.mentor_ids[j]) for i, j in base.solution.pairs]
    loads = {}
    for _, m in previous:
        loads[m] = loads.get(m, 0) + 1
    assert len(answer.risks) == 4
    assert sorted(r.load for r in answer.risks) == sorted(loads.values(), reverse=True)[:4][::-1]
    for risk in answer.risks:
        outcome = rematch(cohort, policy, previous, {"remove_mentors": [risk.mentor_id]})
        assert risk.places_lost == base.optimum.places - outcome.result.metrics.matched_places
        assert risk.score_lost == pytest.approx(base.optimum.score - outcome.result.objective)
        assert risk.moves == len(outcome.moves) >= risk.load
    keys = [(-r.places_lost, -r.score_lost) for r in answer.risks]
    assert keys == sorted(keys)


def test_fragile_pairs_are_those_left_unmatched_first():
    cohort = cohort_from_records(
        [
            {"id": "A", "role": "mentor", "skills": "python; sql", "capacity": 2},
            {"id": "B", "role": "mentor", "skills": "sql", "capacity": 2},
            {"id": "e1", "role": "mentee", "skills": "python", "exclude": "B"},
            {"id": "e2", "role": "mentee", "skills": "python; sql"},
            {"id": "e3", "role": "mentee", "skills": "sql"},
        ]
    )
    policy = Policy(weights=Weights(skills=1.0))
    answer = attrition(cohort, policy, top=None)
    assert {r.mentor_id for r in answer.risks} == {"A", "B"}
    first = answer.fragile[0]
    assert (first.mentee_id, first.mentor_id, first.score_after) == ("e1", "A", None)
    assert answer.risks[0].mentor_id == "A" and answer.risks[0].left_unmatched == 1
    assert attrition_to_dict(answer)["risks"][0]["mentor_id"] == "A"


def test_top_must_be_a_positive_number():
    label, cohort, policy = CASES[0]
    with pytest.raises(InputError) as info:
        attrition(cohort, policy, top=0)
    assert info.value.problems[0].column == "top"
