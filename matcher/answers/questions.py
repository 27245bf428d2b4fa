"""The answers asked as jobs, each as the JSON data ``--json`` prints: prices, alternatives,
attrition.

One function per question, from a cohort and a policy to JSON-ready data, so the CLI
(``mentormatch prices|alternatives|attrition --json``, ``match --json --prices``) and the
service's answer jobs give the same data for the same inputs. ``progress`` is told each
stage's name as it starts (the service's jobs check for a cancel there).
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.model import Cohort, Policy

Progress = Callable[[str], None] | None


def prices_answer(
    cohort: Cohort,
    policy: Policy,
    *,
    top: int = 10,
    hints: int = 3,
    progress: Progress = None,
    base=None,
) -> dict:
    """``{"optimum", "rules", "places", "recruiting"}``: what each hard rule costs, what one
    more place is worth for the ``top`` most promising mentors, and ``hints`` recruiting
    simulations (see :mod:`matcher.answers.prices` and :mod:`matcher.answers.recruit`).

    Parameters
    ----------
    cohort, policy : the inputs (the total objective).
    top, hints : as ``mentormatch prices --top --hints`` (negative counts as 0).
    progress : told "solving", "pricing rules", "valuing places", "recruiting".
    base : an already solved :class:`matcher.answers.optimum.Baseline` of these inputs.

    Returns
    -------
    dict

    Raises
    ------
    InputError
        If the objective is not the total score.
    InfeasibleError
        If the hard rules conflict.
    """
    from matcher.answers.optimum import baseline
    from matcher.answers.prices import (
        place_value_to_dict,
        place_values,
        rule_price_to_dict,
        rule_prices,
    )
    from matcher.answers.recruit import recruit_hint_to_dict, recruiting_hints

    say = progress or (lambda stage: None)
    say("solving")
    base = base or baseline(cohort, policy, "prices")
    say("pricing rules")
    rules = rule_prices(base)
    say("valuing places")
    values = place_values(base, top=max(0, top))
    say("recruiting")
    recruits = recruiting_hints(base, hints=max(0, hints))
    return {
        "optimum": {"places": base.optimum.places, "score": base.optimum.score},
        "rules": [rule_price_to_dict(r) for r in rules],
        "places": [place_value_to_dict(v) for v in values],
        "recruiting": [recruit_hint_to_dict(h) for h in recruits],
    }


def alternatives_answer(
    cohort: Cohort, policy: Policy, *, k: int = 3, within: str | float = "1%"
) -> dict:
    """:func:`matcher.answers.alternatives.alternatives_to_dict` of ``k`` alternatives
    within ``within`` of the optimum, each with its pairs (ids and scores).

    Raises
    ------
    InputError
        If ``k`` < 1 or ``within`` is not a distance, or the objective is not the total.
    InfeasibleError
        If the hard rules conflict.
    """
    from matcher.answers.alternatives import alternatives, alternatives_to_dict

    answer = alternatives(cohort, policy, k, within)
    data = alternatives_to_dict(answer)
    data["pairs"] = [
        [
            {"mentee_id": p.mentee_id, "mentor_id": p.mentor_id, "score": p.score}
            for p in alt.result.pairs
        ]
        for alt in answer.alternatives
    ]
    return data


def attrition_answer(
    cohort: Cohort, policy: Policy, *, top: int | None = 10, move_cost: float | None = None
) -> dict:
    """:func:`matcher.answers.attrition.attrition_to_dict` for the ``top`` busiest mentors
    (None: every mentor with mentees).

    Raises
    ------
    InputError
        If the objective is not the total score.
    InfeasibleError
        If the hard rules conflict.
    """
    from matcher.answers.attrition import attrition, attrition_to_dict

    return attrition_to_dict(attrition(cohort, policy, top=top, move_cost=move_cost))
