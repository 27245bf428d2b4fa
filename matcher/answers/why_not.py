"""Why not X? The rules that forbid a pair, or the exact cost of forcing it.

:func:`why_not` answers "why didn't this mentee get that mentor?" against the certified
optimum: a pair a hard rule forbids is named with the rule in words (and the values that
break it); an allowed pair is pinned and the cohort re-solved exactly (warm from the
optimum), and the answer is the optimum against the optimum with the pair, in places and
score, and every mentee who would move where (among tied optima, the one that keeps the
most pairs of the optimum, so that only the moves the pair forces are listed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from matcher.answers.optimum import (
    Baseline,
    Cost,
    Optimum,
    baseline,
    cost_of,
    optimum_of,
    optimum_to_dict,
    pair_moves,
    person_index,
    resolve_keeping,
)
from matcher.encode.person_arrays import circular_minutes
from matcher.encode.prepare import Prepared
from matcher.encode.rules import RULE_WORDS, forbidding_rules
from matcher.model import Cohort, InputError, Policy
from matcher.results import Status
from matcher.whatif.moves import Move, move_to_dict


@dataclass(frozen=True)
class WhyNot:
    """The answer to "why not this mentor for this mentee?".

    Attributes
    ----------
    mentee_id, mentor_id : the pair asked about.
    allowed : no hard rule forbids the pair and both take part this round.
    rules : the hard rules that forbid it (names of :data:`matcher.encode.rules.RULES`).
    reasons : the answer in words: each rule with the values that break it, someone
        sitting out, the pair already being made, or why it cannot be forced.
    paired : the optimum already pairs them.
    optimum : the certified optimum.
    optimum_with_pair : the optimum with the pair forced; None when it is not allowed or
        cannot be forced (conflicting pinned pairs or minimum loads).
    cost : ``optimum - optimum_with_pair`` (places and score lost), or None.
    moves : who moves where when the pair is forced (the pair itself included).
    """

    mentee_id: str
    mentor_id: str
    allowed: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    paired: bool
    optimum: Optimum
    optimum_with_pair: Optimum | None
    cost: Cost | None
    moves: tuple[Move, ...]


def _sign(minutes: int) -> str:
    hours = abs(minutes) / 60
    return f"{'+' if minutes >= 0 else '-'}{hours:g}"


def rule_detail(prepared: Prepared, rule: str, i: int, j: int) -> str:
    """One forbidding rule in words, with the values of the pair that break it.

    Parameters
    ----------
    prepared : the prepared cohort and policy.
    rule : a name of :data:`matcher.encode.rules.RULES` that forbids the pair.
    i, j : the mentee and mentor, by index.

    Returns
    -------
    str
        Ids, tags and numbers only; never names or emails.
    """
    cohort, policy = prepared.cohort, prepared.policy
    e, m = cohort.mentees[i], cohort.mentors[j]
    words = RULE_WORDS[rule]
    if rule == "forbidden_pair":
        return f"{words}: rules.forbidden_pairs lists ({e.id}, {m.id})"
    if rule == "history":
        return f"{words}: ({e.id}, {m.id}) were paired in an earlier cycle (history = avoid)"
    if rule == "exclude":
        who = [
            f"{a.id}'s exclude list names {b.id}" for a, b in ((e, m), (m, e)) if b.id in a.exclude
        ]
        return f"{words}: {' and '.join(who) or 'the pair is excluded'}"
    if rule == "reporting_chain":
        return f"{words}: {m.id} and {e.id} are in one management chain"
    if rule == "seniority_gap":
        lo, hi = policy.seniority.min_gap, policy.seniority.max_gap
        allowed = f"{'-' if lo is None else lo}..{'' if hi is None else hi}"
        gap = m.seniority - e.seniority
        return (
            f"{words}: mentor seniority {m.seniority} - mentee seniority {e.seniority} = "
            f"gap {gap}, allowed {allowed}"
        )
    if rule == "language":
        return (
            f"{words}: no language in common (mentee {', '.join(e.languages)}; "
            f"mentor {', '.join(m.languages)})"
        )
    if rule == "timezone":
        apart = int(circular_minutes(e.utc_offset_minutes, m.utc_offset_minutes)) / 60
        return (
            f"{words}: UTC{_sign(e.utc_offset_minutes)} and UTC{_sign(m.utc_offset_minutes)} "
            f"are {apart:g} h apart, allowed {policy.max_timezone_diff_hours:g} h"
        )
    if rule == "department":
        return (
            f"{words}: departments {e.department} and {m.department}, the policy asks for "
            f"the {policy.department_rule.value} department"
        )
    if rule == "attribute":
        clashes = [
            f"{r.label} ({e.attribute(r.attribute)} / {m.attribute(r.mentor_name)}, {r.rule.value})"
            for r in policy.attributes
            if r.hard
            and e.attribute(r.attribute) is not None
            and m.attribute(r.mentor_name) is not None
        ]
        return f"{words}: {'; '.join(clashes)}"
    return f"{words}: the pair has no listed score and the policy uses listed scores only"


def why_not(
    cohort: Cohort,
    policy: Policy,
    mentee_id: str,
    mentor_id: str,
    *,
    base: Baseline | None = None,
) -> WhyNot:
    """Why the optimum does not pair ``mentee_id`` with ``mentor_id``, exactly.

    Parameters
    ----------
    cohort, policy : the inputs (the total objective).
    mentee_id, mentor_id : the pair asked about.
    base : the baseline when already computed (several questions on one cohort).

    Returns
    -------
    WhyNot

    Raises
    ------
    InputError
        If either id is not of its role in the cohort (each named, with the closest id),
        or the policy's objective is not the total score.
    InfeasibleError
        If the hard rules conflict without the pair (there is no optimum).
    """
    found = [
        person_index(cohort, "mentee", mentee_id, "MENTEE_ID"),
        person_index(cohort, "mentor", mentor_id, "--why-not"),
    ]
    problems = [p for p in found if not isinstance(p, int)]
    if problems:
        raise InputError(problems, title="mentormatch cannot answer why not for this pair")
    i, j = found
    base = base or baseline(cohort, policy, "why not")
    prepared, instance, optimum = base.prepared, base.instance, base.optimum
    rules = tuple(forbidding_rules(prepared.rules, i, j))
    reasons = [rule_detail(prepared, rule, i, j) for rule in rules]
    for role, person in (("mentee", cohort.mentees[i]), ("mentor", cohort.mentors[j])):
        if person.capacity == 0:
            reasons.append(f"{role} {person.id} sits this round out (capacity 0)")
    paired = (i, j) in set(base.solution.pairs)
    answer = WhyNot(mentee_id, mentor_id, not reasons, rules, (), paired, optimum, None, None, ())
    if reasons:
        return replace(answer, reasons=tuple(reasons))
    if paired:
        reasons = ["the optimum already pairs them"]
        return replace(answer, reasons=tuple(reasons), optimum_with_pair=optimum, cost=Cost(0, 0.0))
    pinned = tuple(sorted({*instance.pinned, (i, j)}))
    solution = resolve_keeping(base, replace(instance, pinned=pinned))
    if solution.status is Status.INFEASIBLE:
        reasons = ["the pair cannot be forced: " + c for c in solution.conflicts]
        return replace(answer, reasons=tuple(reasons))
    forced = optimum_of(instance, solution)
    cost = cost_of(optimum, forced)

    def reason(k, before, after):
        if (k, after) == (i, j):
            return "the pair asked about"
        if before is not None and after is not None:
            return "moves to make room"
        if after is None:
            return "loses this mentor: no place is left for them"
        return "newly matched: a place came free"

    moves = pair_moves(instance, base.solution.pairs, solution.pairs, reason)
    places = f"{cost.places} place(s)" if cost.places else "no place"
    reasons = [
        f"allowed, but forcing it costs {places} and {cost.score:.4f} of total score "
        f"({len(moves)} change(s), the pair included)"
    ]
    return replace(answer, reasons=tuple(reasons), optimum_with_pair=forced, cost=cost, moves=moves)


def why_not_to_dict(answer: WhyNot) -> dict:
    """A :class:`WhyNot` as JSON-ready data.

    Returns
    -------
    dict
        ``mentee``, ``mentor``, ``allowed``, ``rules``, ``reasons``, ``paired``,
        ``optimum`` and ``optimum_with_pair`` (``{places, score, certified}`` or None),
        ``cost`` (``{places, score}`` or None) and ``moves``.
    """
    cost = answer.cost
    return {
        "mentee": answer.mentee_id,
        "mentor": answer.mentor_id,
        "allowed": answer.allowed,
        "rules": list(answer.rules),
        "reasons": list(answer.reasons),
        "paired": answer.paired,
        "optimum": optimum_to_dict(answer.optimum),
        "optimum_with_pair": optimum_to_dict(answer.optimum_with_pair),
        "cost": None if cost is None else {"places": cost.places, "score": cost.score},
        "moves": [move_to_dict(m) for m in answer.moves],
    }
