"""The hand-built cohort and results the check() tests break one thing at a time.

Cohort (skills weight only, no levels, so a skill score is the share of the mentee's
wanted skills the mentor teaches):

    E1 wants python, sql   E2 wants python   E3 sits out
    M1 teaches python (1 place)   M2 teaches sql (2 places)

    E1-M1 0.5   E1-M2 0.5   E2-M1 1.0   E2-M2 0.0

The helper :func:`result` fills objective, unmatched rows and metrics to fit the pairs
(metrics with numpy, independently of the checker), so each test breaks one thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from matcher.model import Cohort, Mentee, Mentor, Policy, Skill, Weights
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched

SCORE = {("E1", "M1"): 0.5, ("E1", "M2"): 0.5, ("E2", "M1"): 1.0, ("E2", "M2"): 0.0}


def cohort(**changes) -> Cohort:
    """The module cohort; ``changes`` maps an id to field overrides."""
    mentees = (
        Mentee("E1", skills=(Skill("python"), Skill("sql")), seniority=1, department="eng"),
        Mentee("E2", skills=(Skill("python"),), seniority=2, department="eng"),
        Mentee("E3", capacity=0),
    )
    mentors = (
        Mentor("M1", skills=(Skill("python"),), seniority=3, department="eng"),
        Mentor("M2", skills=(Skill("sql"),), capacity=2, seniority=2, department="sales"),
    )
    mentees = tuple(replace(p, **changes.get(p.id, {})) for p in mentees)
    mentors = tuple(replace(p, **changes.get(p.id, {})) for p in mentors)
    return Cohort(mentors=mentors, mentees=mentees)


POLICY = Policy(weights=Weights(skills=1.0))


def pair(e, m, score=None, **kw) -> Pair:
    score = SCORE[(e, m)] if score is None else score
    return Pair(e, m, score, components=(("skills", score),), **kw)


def metrics_of(c: Cohort, pairs) -> Metrics:
    """The metrics ``pairs`` imply for cohort ``c``, computed with numpy."""
    mentees = {e.id: e for e in c.mentees}
    mentors = {m.id: m for m in c.mentors}
    got = Counter(p.mentee_id for p in pairs if p.mentee_id in mentees)
    load = Counter(p.mentor_id for p in pairs if p.mentor_id in mentors)
    scores = np.array([p.score for p in pairs])
    figures = {}
    if scores.size:
        p10, median, p90 = np.percentile(scores, [10, 50, 90])
        figures = dict(mean_score=scores.mean(), min_score=scores.min(), p10_score=p10)
        figures.update(median_score=median, p90_score=p90)
    taught: dict[str, set[str]] = {}
    for p in pairs:
        if p.mentee_id in mentees and p.mentor_id in mentors:
            taught.setdefault(p.mentee_id, set()).update(mentors[p.mentor_id].skill_names)
    wanted = sum(len(mentees[e].skill_names) for e in taught)
    covered = sum(len(set(mentees[e].skill_names) & names) for e, names in taught.items())
    return Metrics(
        mentees=len(mentees),
        mentors=len(mentors),
        wanted_places=sum(e.capacity for e in c.mentees),
        matched_places=len(pairs),
        matched_mentees=len(got),
        fully_matched_mentees=sum(1 for e, n in got.items() if 0 < mentees[e].capacity <= n),
        mentors_used=len(load),
        mean_load=len(pairs) / len(load) if load else None,
        max_load=max(load.values(), default=0),
        skill_coverage=covered / wanted if wanted else None,
        **{k: float(v) for k, v in figures.items()},
    )


def result(pairs=None, unmatched=None, of=None, **kw) -> MatchResult:
    """A MatchResult with the given pairs; objective, unmatched and metrics fit them."""
    pairs = (pair("E1", "M2"), pair("E2", "M1")) if pairs is None else tuple(pairs)
    total = sum(p.score for p in pairs)
    if unmatched is None:
        got = {e: sum(p.mentee_id == e for p in pairs) for e in ("E1", "E2")}
        unmatched = tuple(Unmatched(e, 1 - n) for e, n in got.items() if n < 1)
    fields = dict(solver="test", status=Status.OPTIMAL, objective=total, bound=total, gap=0.0)
    fields.update(metrics=metrics_of(of or cohort(), pairs))
    fields.update(kw)
    return MatchResult(pairs=pairs, unmatched=tuple(unmatched), **fields)
