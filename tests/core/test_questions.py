"""The programme's own questions: rule scores, hard rules, text similarity, the checker."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.checker import check
from matcher.encode.cells import Cells
from matcher.encode.prepare import prepare
from matcher.encode.rules import forbidding_rules
from matcher.encode.scoring import pair_components
from matcher.encode.text import terms, tfidf
from matcher.io.policy import policy_from_dict
from matcher.model import (
    AttributeMatch,
    AttributeRule,
    Cohort,
    InputError,
    Mentee,
    Mentor,
    Policy,
    Weights,
)
from matcher.solve import solve

ONLY_QUESTIONS = Weights(skills=0.0)


def one_pair(mentee_answers, mentor_answers, *rules):
    cohort = Cohort(
        mentees=(Mentee("E1", attributes=tuple(mentee_answers.items())),),
        mentors=(Mentor("M1", attributes=tuple(mentor_answers.items())),),
    )
    return cohort, Policy(weights=ONLY_QUESTIONS, attributes=rules)


def attributes_score(mentee_answers, mentor_answers, *rules) -> float:
    cohort, policy = one_pair(mentee_answers, mentor_answers, *rules)
    return float(pair_components(prepare(cohort, policy).tables, 0, 0)["attributes"])


def rule(name, match, weight=1.0, **kw):
    return AttributeRule(name, AttributeMatch(match), weight, **kw)


@pytest.mark.parametrize(
    ("mine", "theirs", "match", "expected"),
    [
        ("Video call", "video call", "same", 1.0),
        ("Video call", "In person", "same", 0.0),
        ("Video call", "In person", "different", 1.0),
        (("Hiking", "Chess"), ("chess", "golf"), "overlap", 0.5),
        (("Hiking", "Chess"), ("chess", "hiking"), "overlap", 1.0),
        (("Hiking",), "Golf", "overlap", 0.0),
        (4.0, 6.0, "closeness", 0.5),
        (4.0, 9.0, "closeness", 0.0),
        (None, "Video call", "same", 0.5),
        ("Video call", None, "overlap", 0.5),
    ],
)
def test_each_soft_rule_scores_as_documented(mine, theirs, match, expected):
    e = {} if mine is None else {"q": mine}
    m = {} if theirs is None else {"q": theirs}
    extra = {"within": 4.0} if match == "closeness" else {}
    assert attributes_score(e, m, rule("q", match, **extra)) == pytest.approx(expected)


def test_the_component_is_the_weighted_mean_and_a_mentor_question_can_answer_a_mentee_one():
    e = {"hobbies": ("Hiking",), "wants": ("SQL", "Python")}
    m = {"hobbies": ("Golf",), "offers": ("python",)}
    rules = (
        rule("hobbies", "overlap", 1.0),
        rule("wants", "overlap", 3.0, mentor_attribute="offers"),
    )
    assert attributes_score(e, m, *rules) == pytest.approx((0.0 + 3 * 0.5) / 4)
    cohort, policy = one_pair(e, m, *rules)
    assert policy.weights.attributes == 4.0


def test_hard_rules_forbid_and_say_so():
    cohort, policy = one_pair({"fmt": "Video"}, {"fmt": "In person"}, rule("fmt", "must_match"))
    prepared = prepare(cohort, policy)
    assert not prepared.instance.eligible[0, 0]
    assert forbidding_rules(prepared.rules, 0, 0) == ["attribute"]
    result = solve(cohort, policy)
    assert result.pairs == () and "must-match" in " ".join(result.unmatched[0].reasons)
    differ = replace(policy, attributes=(rule("fmt", "must_differ"),))
    assert prepare(cohort, differ).instance.eligible[0, 0]
    unanswered = Cohort(mentees=(Mentee("E1"),), mentors=cohort.mentors)
    assert prepare(unanswered, policy).instance.eligible[0, 0]  # unknown never forbids


def test_the_checker_finds_a_pair_a_question_forbids():
    cohort, policy = one_pair({"fmt": "Video"}, {"fmt": "Video"}, rule("fmt", "must_match"))
    result = solve(cohort, policy)
    assert len(result.pairs) == 1 and check(cohort, policy, result) == []
    other = replace(policy, attributes=(rule("fmt", "must_differ"),))
    assert any("attribute rule" in v for v in check(cohort, other, result))


def test_text_terms_and_similarity():
    assert terms("Go") == ["w:go", "c: go "]
    assert "w:leadership" in terms("I want Leadership!") and "w:want" not in terms("I want")
    vectors = tfidf(
        ["leading teams and public speaking", "", "kubernetes"],
        ["team leadership", "leading teams and public speaking", None],
    )
    assert vectors.e_known.tolist() == [True, False, True]
    assert vectors.m_known.tolist() == [True, True, False]
    e_rows, m_rows = vectors.e_rows, vectors.m_rows
    block = Cells.block(0, 3, 3).sparse_dot(e_rows, m_rows)
    assert block[0, 1] == pytest.approx(1.0) and 0 < block[0, 0] < 1 and block[2, 0] == 0.0
    dense = Cells.block(0, 3, 3).sparse_dot(e_rows, m_rows, vectors.m_dense_t)
    assert vectors.m_dense_t is not None and np.allclose(dense, block, atol=1e-12)
    rows, cols = np.nonzero(np.ones((3, 3), bool))
    pairs = Cells.pairs(rows, cols, 3).sparse_dot(e_rows, m_rows)
    assert np.allclose(pairs, block.ravel(), atol=1e-12)


def test_similar_text_scores_and_explains_shared_words():
    e = {"goals": "I want to get better at leading teams and public speaking"}
    m = {"offers": "team leadership, public speaking at conferences"}
    cohort, policy = one_pair(e, m, rule("goals", "similar", mentor_attribute="offers"))
    result = solve(cohort, policy)
    (pair,) = result.pairs
    assert 0.2 < dict(pair.components)["attributes"] < 1.0
    assert "goals/offers: public, speaking" in pair.explanation
    assert check(cohort, policy, result) == []


def test_a_rule_naming_a_question_nobody_answered_is_an_input_error():
    cohort, policy = one_pair({"hobbies": "Golf"}, {"hobbies": "Golf"}, rule("hobbys", "same"))
    with pytest.raises(InputError) as caught:
        solve(cohort, policy)
    problem = caught.value.problems[0]
    assert (
        problem.column == "attributes[0].attribute" and "did you mean 'hobbies'" in problem.message
    )
    bad = replace(policy, attributes=(rule("hobbies", "closeness"),))
    with pytest.raises(InputError) as caught:
        solve(cohort, bad)
    assert "closeness compares numbers" in caught.value.report()


def test_policy_files_round_trip_question_rules():
    data = {
        "attributes": [
            {"attribute": "hours", "rule": "closeness", "within": 3, "weight": 0.5},
            {"attribute": "wants", "mentor_attribute": "offers", "rule": "similar"},
        ]
    }
    policy = policy_from_dict(data)
    assert policy.attributes[0].within == 3.0 and policy.attributes[1].mentor_name == "offers"
    assert policy.weights.attributes == 1.5


ANSWERS = st.sampled_from(["a", "b", "c"])


@st.composite
def questionnaires(draw):
    n_e, n_m = draw(st.integers(1, 6)), draw(st.integers(1, 4))

    def person(cls, k, prefix):
        answers = []
        if draw(st.booleans()):
            answers.append(("pick", draw(ANSWERS)))
        if draw(st.booleans()):
            answers.append(("many", tuple(draw(st.lists(ANSWERS, min_size=1, max_size=3)))))
        if draw(st.booleans()):
            answers.append(("n", float(draw(st.integers(0, 6)))))
        if draw(st.booleans()):
            answers.append(("text", " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5)))))
        return cls(f"{prefix}{k}", capacity=draw(st.integers(0, 2)), attributes=tuple(answers))

    cohort = Cohort(
        mentees=tuple(person(Mentee, k, "E") for k in range(n_e)),
        mentors=tuple(person(Mentor, k, "M") for k in range(n_m)),
    )
    asked = {name for p in (*cohort.mentees, *cohort.mentors) for name, _ in p.attributes}
    kinds = {
        "pick": ["same", "different", "must_match", "must_differ"],
        "many": ["overlap", "must_match"],
    }
    kinds |= {"n": ["closeness"], "text": ["similar"]}
    rules = tuple(
        rule(
            name,
            draw(st.sampled_from(kinds[name])),
            draw(st.sampled_from([0.5, 1.0, 2.0])),
            within=2.0,
        )
        for name in sorted(asked)
    )
    return cohort, Policy(weights=Weights(skills=0.0, goals=1.0), attributes=rules)


WORDS = ["leading", "teams", "leadership", "python", "data", "speaking", "public", "and"]


@settings(max_examples=60, deadline=None)
@given(questionnaires())
def test_any_questionnaire_solves_to_a_result_the_checker_accepts(case):
    cohort, policy = case
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
