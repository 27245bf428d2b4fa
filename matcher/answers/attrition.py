"""Attrition risk: what each mentor's leaving would cost, by exact rematches.

:func:`attrition` solves the optimum once, then for each of the busiest mentors (or
every mentor who has mentees) runs :func:`matcher.whatif.rematch.rematch` with that
mentor removed: as many places as possible, then as many kept pairs, then the best
score (or the ``move_cost`` trade). Each risk says how many places and how much score
the programme would lose, how many mentees would move and how many would be left
without a mentor. The fragile pairs are the optimum's pairs whose mentee would lose the
most if their mentor left: unmatched first, then the largest score drop.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from matcher.answers.optimum import Baseline, baseline
from matcher.model import Cohort, InputError, Policy, Problem
from matcher.results import SCORE_DIGITS, Status
from matcher.whatif.rematch import rematch


@dataclass(frozen=True)
class MentorRisk:
    """What one mentor's leaving would cost.

    Attributes
    ----------
    mentor_id : the mentor.
    load : mentees they have in the optimum.
    places_lost : places matched now and not after the rematch.
    score_lost : total score lost (the rematch's real scores).
    moves : mentees whose mentors change (their own mentees included).
    left_unmatched : of their mentees, those left without that place.
    status : the rematch's status (infeasible when the remaining rules conflict).
    """

    mentor_id: str
    load: int
    places_lost: int
    score_lost: float
    moves: int
    left_unmatched: int
    status: str


@dataclass(frozen=True)
class FragilePair:
    """A pair of the optimum and what its mentee would lose if the mentor left.

    Attributes
    ----------
    mentee_id, mentor_id : the pair.
    score : its score.
    score_after : the mentee's new score for that place (None: left unmatched).
    """

    mentee_id: str
    mentor_id: str
    score: float
    score_after: float | None


@dataclass(frozen=True)
class Attrition:
    """Attrition risk of a programme.

    Attributes
    ----------
    places, score : the optimum's matched places and total score.
    risks : per mentor analysed, most places then most score lost first.
    fragile : the most fragile pairs, at most ``fragile`` of them.
    move_cost : the rematch trade used (None: keep as many pairs as possible).
    """

    places: int
    score: float
    risks: tuple[MentorRisk, ...]
    fragile: tuple[FragilePair, ...]
    move_cost: float | None


def attrition(
    cohort: Cohort,
    policy: Policy,
    *,
    top: int | None = 10,
    fragile: int = 10,
    move_cost: float | None = None,
    base: Baseline | None = None,
) -> Attrition:
    """What losing each of the ``top`` busiest mentors would cost, by exact rematches.

    Parameters
    ----------
    cohort, policy : the inputs (the total objective).
    top : the busiest mentors to analyse (by load, ties in cohort order); None for every
        mentor with mentees.
    fragile : how many fragile pairs to list.
    move_cost : passed to :func:`matcher.whatif.rematch.rematch` (needed past about
        10,000 places, where the lexicographic rematch does not fit in 64 bits).
    base : the baseline when already computed.

    Returns
    -------
    Attrition

    Raises
    ------
    InputError
        If ``top`` < 1, or as :func:`matcher.whatif.rematch.rematch`.
    InfeasibleError
        If the hard rules conflict.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        problem = Problem("expected a whole number >= 1", column="top", value=str(top))
        raise InputError([problem], title="mentormatch cannot assess attrition with this option")
    base = base or baseline(cohort, policy, "attrition risk")
    instance = base.instance
    previous = [(instance.mentee_ids[i], instance.mentor_ids[j]) for i, j in base.solution.pairs]
    score_of = {
        (instance.mentee_ids[i], instance.mentor_ids[j]): float(instance.scores[i, j])
        for i, j in base.solution.pairs
    }
    load: dict[str, int] = {}
    for _, m in previous:
        load[m] = load.get(m, 0) + 1
    at = {m: j for j, m in enumerate(cohort.mentor_ids)}
    order = sorted(load, key=lambda m: (-load[m], at[m]))
    risks, pairs = [], []
    for mentor_id in order[:top] if top is not None else order:
        outcome = rematch(
            cohort, policy, previous, {"remove_mentors": [mentor_id]}, move_cost=move_cost
        )
        result = outcome.result
        if result.status is Status.INFEASIBLE:
            risks.append(MentorRisk(mentor_id, load[mentor_id], 0, 0.0, 0, 0, "infeasible"))
            continue
        mine = [m for m in outcome.moves if m.from_mentor == mentor_id]
        places_lost = base.optimum.places - result.metrics.matched_places
        score_lost = round(base.optimum.score - result.objective, SCORE_DIGITS)
        unmatched = sum(1 for m in mine if m.to_mentor is None)
        risks.append(
            MentorRisk(
                mentor_id,
                load[mentor_id],
                places_lost,
                score_lost,
                len(outcome.moves),
                unmatched,
                result.status.value,
            )
        )
        for m in mine:
            score = round(score_of[(m.mentee_id, mentor_id)], SCORE_DIGITS)
            pairs.append(FragilePair(m.mentee_id, mentor_id, score, m.score_after))
    risks.sort(key=lambda r: (-r.places_lost, -r.score_lost, r.mentor_id))

    def loss(p: FragilePair):
        after = p.score_after
        return (after is not None, -(p.score - (after or 0.0)), p.mentee_id)

    pairs.sort(key=loss)
    return Attrition(
        base.optimum.places, base.optimum.score, tuple(risks), tuple(pairs[:fragile]), move_cost
    )


def attrition_to_dict(answer: Attrition) -> dict:
    """:class:`Attrition` as JSON-ready data."""
    return asdict(answer)
