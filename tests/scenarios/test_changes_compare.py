"""Change data -> new cohort/policy (validated, base untouched), and result comparisons."""

from __future__ import annotations

import json

import pytest
from scenario_helpers import POLICY, cohort_of, person

from matcher.model import InputError
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched
from matcher.whatif.changes import apply_changes, changed, parse_changes
from matcher.whatif.compare import Change, compare, comparison_to_dict, summarise


@pytest.fixture
def base():
    return cohort_of(
        person("A", "mentor", "python", capacity=2, department="Eng", min_capacity=2),
        person("B", "mentor", "sql", capacity=1, department="Ops"),
        person("Z", "mentor", "sql", capacity=0),
        person("e1", "mentee", "python"),
        person("e2", "mentee", "sql"),
        person("e3", "mentee", "sql"),
    )


def test_changes_make_new_objects_and_leave_the_base_alone(base):
    before = (base, POLICY)
    data = {
        "name": "what if",
        "policy": {"weights": {"goals": 0.5}},
        "capacity": {
            "all": 3,
            "departments": {"ops": 2},
            "mentors": {"A": 1},
            "mentees": {"e1": 2},
        },
        "remove_mentees": ["e3"],
        "add": [person("e4", "mentee", "design")],
        "pin": [["e2", "B"]],
        "forbid": [["e1", "B"]],
        "break": [["e4", "A"]],
    }
    cohort, policy = changed(data, base, POLICY)
    assert (base, POLICY) == before  # nothing mutated
    caps = {m.id: (m.capacity, m.min_capacity) for m in cohort.mentors}
    assert caps == {"A": (1, 1), "B": (2, 0), "Z": (0, 0)}  # Z sits out; A's minimum lowered
    assert cohort.mentee_ids == ("e1", "e2", "e4")
    assert cohort.mentees[0].capacity == 2
    assert policy.weights.goals == 0.5 and policy.weights.skills == 1.0
    assert policy.pinned_pairs == (("e2", "B"),)
    assert set(policy.forbidden_pairs) == {("e1", "B"), ("e4", "A")}
    assert parse_changes(data, base, POLICY).name == "what if"


def test_removing_someone_drops_the_policy_pairs_that_name_them(base):
    from dataclasses import replace

    policy = replace(POLICY, pinned_pairs=(("e3", "B"),), forbidden_pairs=(("e1", "B"),))
    cohort, new = changed({"remove_mentees": ["e3"], "remove_mentors": ["B"]}, base, policy)
    assert new.pinned_pairs == () and new.forbidden_pairs == ()
    assert cohort.mentor_ids == ("A", "Z")


def test_every_problem_has_path_value_and_hint(base):
    data = {
        "capacty": 3,
        "capacity": {"all": -1, "mentors": {"BB": 1, "B": "two"}, "departments": {"opps": 1}},
        "remove_mentors": ["Z", "Z", "Q"],
        "policy": {"weights": {"skils": 1}},
        "pin": [["e1", "A"], ["e1", "X"]],
        "forbid": [["e1", "A"]],
        "add": [{"id": "e1", "role": "mentee", "skills": "x"}],
    }
    with pytest.raises(InputError) as caught:
        parse_changes(data, base, POLICY, where="scenarios[0]", source="what.toml")
    found = {(p.column, p.value, p.message) for p in caught.value.problems}
    columns = {c for c, _, _ in found}
    assert all(p.source == "what.toml" for p in caught.value.problems)
    assert "scenarios[0].capacty" in columns
    assert any("did you mean 'capacity'" in m for c, _, m in found if c == "scenarios[0].capacty")
    assert ("scenarios[0].capacity.all", "-1", "expected a whole number >= 0") in found
    assert any(
        c == "scenarios[0].capacity.mentors.BB" and "did you mean 'B'" in m for c, _, m in found
    )
    assert ("scenarios[0].capacity.mentors.B", "two", "expected a whole number >= 0") in found
    assert any(c == "scenarios[0].capacity.departments.opps" and "'ops'" in m for c, _, m in found)
    assert ("scenarios[0].remove_mentors[1]", "Z", "mentor listed twice") in found
    assert "scenarios[0].policy.weights.skils" in columns
    assert any(c == "scenarios[0].pin[1]" and v == "X" for c, v, _ in found)
    assert any(c == "scenarios[0].pin" and "both pinned and forbidden" in m for c, _, m in found)
    assert any(c == "scenarios[0].add.id" and "unique" in m for c, _, m in found)
    assert len(caught.value.problems) >= 11


def test_changes_must_be_a_table(base):
    with pytest.raises(InputError, match="rejected"):
        parse_changes(["capacity"], base, POLICY)


def _result(pairs, unmatched=()):
    return MatchResult(
        solver="flow",
        status=Status.OPTIMAL,
        pairs=tuple(Pair(e, m, s) for e, m, s in pairs),
        unmatched=tuple(Unmatched(e, 1) for e in unmatched),
        metrics=Metrics(wanted_places=4),
        objective=sum(s for _, _, s in pairs),
        certified=True,
    )


def test_compare_names_every_kind_of_change():
    cohort = cohort_of(
        person("A", "mentor", "x", capacity=2),
        person("B", "mentor", "x", capacity=2),
        person("e1", "mentee", "x"),
        person("e2", "mentee", "x", capacity=2),
        person("e3", "mentee", "x"),
        person("e4", "mentee", "x"),
        person("e5", "mentee", "x"),
    )
    later, _ = changed(
        {"remove_mentees": ["e5"], "add": [person("e6", "mentee", "x")]}, cohort, POLICY
    )
    before = _result(
        [("e1", "A", 0.5), ("e2", "A", 0.4), ("e2", "B", 0.3), ("e3", "A", 0.6), ("e5", "B", 0.2)],
        ["e4"],
    )
    after = _result(
        [("e1", "B", 0.7), ("e2", "A", 0.4), ("e4", "A", 0.9), ("e6", "B", 0.1)], ["e3"]
    )
    diff = compare(cohort, before, later, after, "v1")
    kinds = {p.mentee_id: p.change for p in diff.people}
    assert kinds == {
        "e1": Change.MOVED,
        "e2": Change.LOST_MENTOR,
        "e3": Change.NEWLY_UNMATCHED,
        "e4": Change.NEWLY_MATCHED,
        "e5": Change.LEFT,
        "e6": Change.NEWLY_MATCHED,
    }
    e1 = diff.people[0]
    assert (e1.before, e1.after, e1.delta) == (("A",), ("B",), pytest.approx(0.2))
    assert (diff.pairs_kept, diff.pairs_new, diff.pairs_dropped) == (1, 3, 4)
    assert dict(diff.counts)["newly matched"] == 2
    assert diff.variant.matched_places == 4 and diff.baseline.total_score == pytest.approx(2.0)
    data = comparison_to_dict(diff)
    json.dumps(data)
    assert data["delta"]["total_score"] == pytest.approx(0.1)
    assert [p["mentee_id"] for p in data["people"]] == ["e1", "e2", "e3", "e4", "e5", "e6"]


def test_summary_load_spread_counts_only_mentors_taking_part(base):
    s = summarise(base, _result([("e1", "A", 0.5), ("e2", "A", 0.5), ("e3", "B", 0.5)]))
    assert (s.load_min, s.load_max, s.load_std) == (1, 2, 0.5)
    assert s.mentors_used == 2 and s.matched_mentees == 3


def test_apply_changes_keeps_external_scores_in_step(base):
    import numpy as np

    from matcher.model import ExternalScores

    scores = ExternalScores(np.array([0, 1, 2]), np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]))
    from dataclasses import replace

    cohort = replace(base, external_scores=scores)
    new, _ = apply_changes(
        cohort, POLICY, parse_changes({"remove_mentees": ["e2"]}, cohort, POLICY)
    )
    got = new.external_scores
    assert got.mentee_index.tolist() == [0, 1] and got.mentor_index.tolist() == [0, 1]
    assert got.value.tolist() == [1.0, 3.0]
