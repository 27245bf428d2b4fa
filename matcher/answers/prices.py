"""The price of every rule and the value of one more place, by exact re-solves.

:func:`rule_prices`: for each hard rule the policy switches on or that removes pairs,
the places and score the optimum gains when the rule alone is dropped (its pairs that no
other rule forbids become eligible; minimum loads, the department cap and pinned pairs
are dropped likewise), each an exact re-solve warm from the optimum. The scores do not
depend on any hard rule, so dropping one changes only which pairs may be made.
``unlisted_score`` is not priced: with ``scores_only`` it defines the scores.

:func:`place_values`: for the mentors whose one more place is most likely to help (full
in the optimum, ranked by the best score of an unmatched mentee they could take: a lower
bound on the gain), the exact gain of capacity + 1. A mentor with room left gains
nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from matcher.answers.optimum import Baseline, Cost, Optimum, cost_of, optimum_of, resolve
from matcher.encode.instance import Instance
from matcher.encode.rules import RULE_WORDS, RULES, rule_masks
from matcher.model import DepartmentRule, History, Policy
from matcher.results import Status

SIDE_RULE_WORDS = {
    "min_capacity": "the mentors' minimum loads",
    "max_per_department": "the per-department cap",
    "pinned_pairs": "the policy's pinned pairs",
}
_BLOCK_CELLS = 1_048_576  # cells per block of the rule masks


@dataclass(frozen=True)
class RulePrice:
    """What one hard rule costs the optimum.

    Attributes
    ----------
    rule : a name of :data:`matcher.encode.rules.RULES`, or ``min_capacity``,
        ``max_per_department`` or ``pinned_pairs``.
    words : the rule in words.
    switched_on : the policy (or the sheet, for minimum loads) turns it on.
    pairs_removed : pairs the rule forbids (for side rules: mentors with a minimum load,
        mentors under the cap, pinned pairs).
    pairs_only : of those, pairs no other rule forbids: what dropping the rule opens.
    optimum_without : the optimum without the rule (None when the rule changes nothing,
        or without it the remaining rules conflict).
    cost : ``optimum_without - optimum`` turned around: places and score the rule costs
        (0 when it changes nothing).
    """

    rule: str
    words: str
    switched_on: bool
    pairs_removed: int
    pairs_only: int
    optimum_without: Optimum | None
    cost: Cost


@dataclass(frozen=True)
class PlaceValue:
    """What one more place at a mentor is worth.

    Attributes
    ----------
    mentor_id : the mentor.
    capacity, load : their capacity and load in the optimum.
    unmatched_eligible : unmatched mentees (a place left unfilled) this mentor may take
        as things stand (eligible, not theirs yet, under the department cap).
    best_unmatched_score : the best score among them (None when there are none): with
        one more place that pair alone is possible, so the gain is at least this.
    gain : places and score the optimum gains with capacity + 1 (exact).
    """

    mentor_id: str
    capacity: int
    load: int
    unmatched_eligible: int
    best_unmatched_score: float | None
    gain: Cost


def switched_on(policy: Policy, rule: str) -> bool:
    """Whether ``policy`` turns the hard rule on (masks may still remove nothing)."""
    return {
        "forbidden_pair": bool(policy.forbidden_pairs),
        "exclude": policy.honour_exclude,
        "reporting_chain": policy.no_reporting_chain,
        "seniority_gap": policy.seniority.min_gap is not None
        or policy.seniority.max_gap is not None,
        "language": policy.require_shared_language,
        "timezone": policy.max_timezone_diff_hours is not None,
        "department": policy.department_rule is not DepartmentRule.ANY,
        "unlisted_score": policy.scores_only,
        "attribute": any(r.hard for r in policy.attributes),
        "history": policy.history is History.AVOID and bool(policy.previous_pairs),
    }[rule]


def opened_pairs(base: Baseline) -> dict[str, tuple[int, np.ndarray]]:
    """Per rule (but ``unlisted_score``): pairs it forbids and the ones only it forbids.

    Returns
    -------
    dict
        rule -> (number of pairs the rule forbids, sorted linear indices
        ``mentee * n_mentors + mentor`` of the pairs no other rule forbids).
    """
    n_e, n_m = base.instance.shape
    rules = [r for r in RULES if r != "unlisted_score"]
    removed = dict.fromkeys(rules, 0)
    only: dict[str, list[np.ndarray]] = {r: [] for r in rules}
    step = max(1, _BLOCK_CELLS // max(1, n_m))
    for r0 in range(0, n_e, step):
        r1 = min(n_e, r0 + step)
        masks = rule_masks(base.prepared.rules, slice(r0, r1))
        count = np.zeros((r1 - r0, n_m), np.uint8)
        for mask in masks.values():
            count += mask
        single = count == 1
        for rule in rules:
            removed[rule] += int(np.count_nonzero(masks[rule]))
            rows, cols = np.nonzero(masks[rule] & single)
            only[rule].append((rows + r0) * n_m + cols)
    return {r: (removed[r], np.concatenate(only[r]).astype(np.int64)) for r in rules}


def _without(base: Baseline, rule: str, opened: np.ndarray | None) -> Instance:
    instance = base.instance
    if rule == "min_capacity":
        return replace(instance, min_load=np.zeros_like(instance.min_load))
    if rule == "max_per_department":
        return replace(instance, mentee_group=None, max_per_group=None)
    if rule == "pinned_pairs":
        return replace(instance, pinned=())
    eligible = instance.eligible.copy()
    eligible.flat[opened] = True
    return replace(instance, eligible=eligible)


def _side_rules(base: Baseline) -> list[tuple[str, int]]:
    """(side rule, how much of it there is) for each side rule the inputs hold."""
    instance, policy = base.instance, base.prepared.policy
    found = []
    if np.any(instance.min_load > 0):
        found.append(("min_capacity", int(np.count_nonzero(instance.min_load))))
    if instance.max_per_group is not None:
        found.append(("max_per_department", int(np.count_nonzero(instance.capacity))))
    if policy.pinned_pairs:
        found.append(("pinned_pairs", len(instance.pinned)))
    return found


def rule_prices(base: Baseline) -> tuple[RulePrice, ...]:
    """The price of each hard rule that is on or removes pairs, by exact re-solves.

    Parameters
    ----------
    base : the baseline.

    Returns
    -------
    tuple of RulePrice
        In :data:`RULES` order, then minimum loads, the department cap, pinned pairs.
    """
    policy, optimum = base.prepared.policy, base.optimum
    prices = []
    for rule, (removed, only) in opened_pairs(base).items():
        on = switched_on(policy, rule)
        if not on and removed == 0:
            continue
        without = None
        if only.size:
            solution = resolve(base, _without(base, rule, only))
            without = optimum_of(base.instance, solution)
        cost = cost_of(without, optimum) if without else Cost(0, 0.0)
        prices.append(RulePrice(rule, RULE_WORDS[rule], on, removed, int(only.size), without, cost))
    for rule, amount in _side_rules(base):
        solution = resolve(base, _without(base, rule, None))
        without = (
            None if solution.status is Status.INFEASIBLE else optimum_of(base.instance, solution)
        )
        cost = cost_of(without, optimum) if without else Cost(0, 0.0)
        prices.append(RulePrice(rule, SIDE_RULE_WORDS[rule], True, amount, amount, without, cost))
    return tuple(prices)


def place_estimates(base: Baseline) -> list[tuple[int, int, float | None]]:
    """Full mentors ranked by the best score of an unmatched mentee they may take.

    Returns
    -------
    list of (mentor index, unmatched eligible mentees, best score among them or None)
        Mentors with room left or sitting out are left out (one more place gains them
        nothing). Mentors with an unmatched eligible mentee first, by that best score
        (a lower bound on the gain), then by how many such mentees; ties to the lower
        index.
    """
    instance = base.instance
    n_e, n_m = instance.shape
    rows = np.array([i for i, _ in base.solution.pairs], np.int64)
    cols = np.array([j for _, j in base.solution.pairs], np.int64)
    got = np.bincount(rows, minlength=n_e)
    load = np.bincount(cols, minlength=n_m)
    short = np.flatnonzero(got < instance.wanted)
    full = np.flatnonzero((instance.capacity > 0) & (load >= instance.capacity))
    if full.size == 0:
        return []
    eligible = instance.eligible[np.ix_(short, full)]
    at_e, at_m = {int(i): k for k, i in enumerate(short)}, {int(j): k for k, j in enumerate(full)}
    for i, j in base.solution.pairs:  # a partly matched mentee cannot take a mentor twice
        if i in at_e and j in at_m:
            eligible[at_e[i], at_m[j]] = False
    groups, cap = instance.mentee_group, instance.max_per_group
    if groups is not None and cap is not None:  # nor join a department the mentor has full
        per: dict[tuple[int, int], int] = {}
        for i, j in base.solution.pairs:
            per[(j, int(groups[i]))] = per.get((j, int(groups[i])), 0) + 1
        for (j, code), n in per.items():
            if code >= 0 and n >= cap and j in at_m:
                eligible[groups[short] == code, at_m[j]] = False
    counts = eligible.sum(axis=0)
    best = np.where(eligible, instance.scores[np.ix_(short, full)], -np.inf).max(
        axis=0, initial=-np.inf
    )
    # With an unmatched eligible mentee, one more place gains exactly one place and at
    # least that mentee's score (chains of moves can add more): the best score is a
    # lower bound on the gain, so it ranks the mentors.
    order = sorted(range(full.size), key=lambda k: (counts[k] == 0, -best[k], -counts[k], full[k]))
    return [
        (int(full[k]), int(counts[k]), None if counts[k] == 0 else float(best[k])) for k in order
    ]


def place_values(base: Baseline, top: int = 10) -> tuple[PlaceValue, ...]:
    """The exact value of one more place at the ``top`` most promising mentors.

    Parameters
    ----------
    base : the baseline.
    top : how many mentors to re-solve for (chosen by :func:`place_estimates`).

    Returns
    -------
    tuple of PlaceValue
        Largest gain first (places, then score), ties in estimate order.
    """
    instance = base.instance
    load = np.bincount(
        np.array([j for _, j in base.solution.pairs], np.int64), minlength=instance.shape[1]
    )
    values = []
    for j, count, best in place_estimates(base)[:top]:
        capacity = instance.capacity.copy()
        capacity[j] += 1
        solution = resolve(base, replace(instance, capacity=capacity))
        gain = cost_of(optimum_of(instance, solution), base.optimum)
        shown = None if best is None else round(best, 6)
        values.append(
            PlaceValue(
                instance.mentor_ids[j], int(instance.capacity[j]), int(load[j]), count, shown, gain
            )
        )
    return tuple(sorted(values, key=lambda v: (-v.gain.places, -v.gain.score)))


def rule_price_to_dict(price: RulePrice) -> dict:
    """A :class:`RulePrice` as JSON-ready data."""
    return asdict(price)


def place_value_to_dict(value: PlaceValue) -> dict:
    """A :class:`PlaceValue` as JSON-ready data."""
    return asdict(value)
