"""The equity audit on a hand-built cohort: every figure worked out by hand."""

from __future__ import annotations

import pytest

from matcher.answers import audit as audit_module
from matcher.answers.audit import audit, audit_to_dict
from matcher.model import Cohort, Mentee, Mentor
from matcher.results import MatchResult, Pair, Status


def _cohort() -> Cohort:
    def mentee(pid, dept, loc, sen, team, capacity=1):
        attributes = () if team is None else (("team", team),)
        return Mentee(
            id=pid,
            department=dept,
            location=loc,
            seniority=sen,
            capacity=capacity,
            attributes=attributes,
        )

    return Cohort(
        mentors=(Mentor(id="A", capacity=2), Mentor(id="B", capacity=2)),
        mentees=(
            mentee("e1", "eng", "london", 1, "a"),
            mentee("e2", "eng", "london", 2, "a", capacity=2),
            mentee("e3", "sales", "paris", 4, "b"),
            mentee("e4", "sales", "paris", 7, "b"),
            mentee("e5", "sales", None, None, None, capacity=0),  # sits out: not counted
            mentee("e6", "eng", "london", 0, ("a", "b")),  # a multi-choice answer
        ),
    )


def _result() -> MatchResult:
    pairs = (
        Pair("e1", "A", 0.8),
        Pair("e2", "A", 0.6),
        Pair("e4", "B", 0.4),
        Pair("e6", "B", 1.0),
    )
    return MatchResult(solver="by hand", status=Status.FEASIBLE, pairs=pairs)


def _group(answer, dimension, group):
    return next(g for g in answer.groups if (g.dimension, g.group) == (dimension, group))


def test_overall_figures_count_only_mentees_who_take_part():
    o = audit(_cohort(), _result()).overall
    assert (o.mentees, o.wanted, o.matched, o.unmatched) == (5, 6, 4, 1)
    assert o.mean_score == pytest.approx(0.7)
    assert o.coverage == pytest.approx(0.6667)
    assert o.unmatched_rate == pytest.approx(0.2)


def test_group_figures_and_flags():
    answer = audit(_cohort(), _result(), threshold=0.10, min_size=2)
    eng = _group(answer, "department", "eng").figures
    assert (eng.mentees, eng.wanted, eng.matched, eng.unmatched) == (3, 4, 3, 0)
    assert (eng.mean_score, eng.coverage, eng.unmatched_rate) == (0.8, 0.75, 0.0)
    sales = _group(answer, "department", "sales")
    assert (sales.figures.mean_score, sales.figures.coverage) == (0.4, 0.5)
    assert sales.flags == (
        "mean score 30.0 points below overall",
        "coverage 16.7 points below overall",
        "unmatched rate 30.0 points above overall",
    )
    assert _group(answer, "department", "eng").flags == ()
    # e5 sits out: the location group "(none)" has nobody taking part and is left out
    assert {g.group for g in answer.groups if g.dimension == "location"} == {"london", "paris"}
    bands = {g.group: g.figures.mentees for g in answer.groups if g.dimension == "seniority"}
    assert bands == {"0-2": 3, "3-5": 1, "6-8": 1}
    b = _group(answer, "attribute:team", "b")
    assert (b.figures.mentees, b.figures.matched, b.figures.unmatched) == (3, 2, 1)
    assert b.flags == ("unmatched rate 13.3 points above overall",)
    assert _group(answer, "attribute:team", "a").figures.mentees == 3
    assert {(g.dimension, g.group) for g in answer.flagged} == {
        ("department", "sales"),
        ("location", "paris"),
        ("attribute:team", "b"),
    }


def test_small_groups_are_listed_but_not_flagged():
    answer = audit(_cohort(), _result(), min_size=3)
    assert _group(answer, "department", "sales").flags == ()
    assert _group(answer, "seniority", "6-8").figures.unmatched == 0
    assert [(g.dimension, g.group) for g in answer.flagged] == [("attribute:team", "b")]


def test_free_text_attributes_are_skipped(monkeypatch):
    monkeypatch.setattr(audit_module, "MAX_VALUES", 1)
    answer = audit(_cohort(), _result())
    assert not any(g.dimension.startswith("attribute") for g in answer.groups)
    assert answer.skipped == ("attribute 'team': 2 distinct answers (free text?)",)
    data = audit_to_dict(answer)
    assert data["flagged"] == len(answer.flagged) and data["overall"]["mentees"] == 5
