"""Alternatives: within the distance of the certified optimum, as many places, all different."""

from __future__ import annotations

import pytest
from answers_helpers import cases

from matcher.answers.alternatives import alternatives, alternatives_to_dict, parse_within
from matcher.checker import check
from matcher.model import InputError, Problem
from matcher.results import Status
from matcher.solve import solve

CASES = cases()


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("within", ["1%", 0.03])
def test_alternatives_stay_within_the_distance_and_differ(label, cohort, policy, within):
    answer = alternatives(cohort, policy, k=3, within=within)
    optimum = solve(cohort, policy)
    best, places = optimum.objective, optimum.metrics.matched_places
    assert answer.optimum.objective == pytest.approx(best, abs=1e-6 * places)
    assert answer.floor == pytest.approx(best * (1 - answer.within), abs=1e-6)
    assert check(cohort, policy, answer.optimum) == []
    seen = [frozenset((p.mentee_id, p.mentor_id) for p in answer.optimum.pairs)]
    assert answer.alternatives or answer.notes
    for alt in answer.alternatives:
        r = alt.result
        assert check(cohort, policy, r) == [], label
        assert r.metrics.matched_places == places
        assert best * (1 - answer.within) - 1e-6 <= r.objective <= best + 1e-6 * places
        assert r.bound == pytest.approx(best, abs=1e-6 * places)
        assert r.status is Status.FEASIBLE or r.gap == 0
        pairs = frozenset((p.mentee_id, p.mentor_id) for p in r.pairs)
        assert pairs not in seen
        assert alt.shared_with_optimum == len(pairs & seen[0])
        seen.append(pairs)
    n = len(seen)
    assert len(answer.overlap) == n and all(len(row) == n for row in answer.overlap)
    for a in range(n):
        assert answer.overlap[a][a] == 1.0
        for b in range(n):
            assert answer.overlap[a][b] == round(len(seen[a] & seen[b]) / places, 4)


def test_a_wider_distance_allows_more_different_matchings():
    label, cohort, policy = CASES[0]
    near = alternatives(cohort, policy, k=1, within="0.5%").alternatives
    far = alternatives(cohort, policy, k=1, within="10%").alternatives
    assert far and (not near or far[0].shared_with_optimum <= near[0].shared_with_optimum)


def test_no_distance_keeps_only_other_optima_or_says_none_was_found():
    label, cohort, policy = CASES[2]
    answer = alternatives(cohort, policy, k=2, within=0)
    for alt in answer.alternatives:
        assert alt.result.gap == 0 and alt.result.status is Status.OPTIMAL
    if len(answer.alternatives) < 2:
        assert "alternative(s) found" in answer.notes[0]
    data = alternatives_to_dict(answer)
    assert set(data) == {"within", "floor", "optimum", "alternatives", "overlap", "notes"}


def test_distances_are_read_as_fractions_or_percentages():
    assert parse_within("1%") == pytest.approx(0.01)
    assert parse_within("0.02") == pytest.approx(0.02)
    assert parse_within(0) == 0
    for bad in ("-1%", "-0.5", "abc", "nan", "inf%"):
        assert isinstance(parse_within(bad), Problem), bad


def test_k_and_within_are_checked_together():
    label, cohort, policy = CASES[0]
    with pytest.raises(InputError) as info:
        alternatives(cohort, policy, k=0, within="-1%")
    problems = info.value.problems
    assert [(p.column, p.value) for p in problems] == [("k", "0"), ("within", "-1%")]
    assert problems[0].message == "expected a whole number >= 1"
    assert "expected a distance >= 0" in problems[1].message
