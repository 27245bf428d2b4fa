"""Hard rules: which mentee-mentor pairs may be matched at all.

Each rule in :data:`RULES` gives a boolean mask, True where the rule forbids the pair.
:func:`rule_masks` returns every rule's mask for some mentee rows (for explanations);
:func:`eligible_matrix` is "no rule forbids", computed in row blocks so that only one
block of masks exists at a time. Capacity 0 is not a rule here (solvers see ``wanted``
and ``capacity``); pinned pairs are checked against these rules by
:func:`matcher.build.build_instance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.model import Cohort, DepartmentRule, InputError, Policy, Problem
from matcher.orgchart import chain_pairs
from matcher.people import People, circular_minutes, encode_people
from matcher.where import Where

RULES: tuple[str, ...] = (
    "forbidden_pair",
    "exclude",
    "reporting_chain",
    "seniority_gap",
    "language",
    "timezone",
    "department",
    "unlisted_score",
)

_BLOCK_CELLS = 8_000_000


def policy_pair_problems(cohort: Cohort, pairs, column: str) -> list[Problem]:
    """One :class:`Problem` per policy pair position naming an id not of that role.

    Parameters
    ----------
    cohort : the cohort the pairs should name.
    pairs : (mentee_id, mentor_id) pairs from the policy.
    column : the policy key the pairs came from, e.g. ``"rules.pinned_pairs"``.

    Returns
    -------
    list of Problem
        Source ``"policy"``, ``row`` the pair's position, ``value`` the unknown id.
    """
    mentee_ids, mentor_ids = set(cohort.mentee_ids), set(cohort.mentor_ids)
    problems = []
    for k, (mentee_id, mentor_id) in enumerate(pairs):
        for role, given, known in (
            ("mentee", mentee_id, mentee_ids),
            ("mentor", mentor_id, mentor_ids),
        ):
            if given not in known:
                problems.append(
                    Problem(
                        f"pair ({mentee_id}, {mentor_id}) names {given!r} as its {role}; "
                        f"expected the id of a {role} in the cohort",
                        row=k,
                        column=column,
                        value=str(given),
                        source="policy",
                    )
                )
    return problems


def map_pairs(cohort: Cohort, pairs) -> tuple[tuple[int, int], ...]:
    """(mentee index, mentor index) of id pairs, sorted and without repeats.

    Raises
    ------
    KeyError
        If an id is not of its role (check with :func:`policy_pair_problems` first).
    """
    mentee_at = {x: i for i, x in enumerate(cohort.mentee_ids)}
    mentor_at = {x: j for j, x in enumerate(cohort.mentor_ids)}
    return tuple(sorted({(mentee_at[e], mentor_at[m]) for e, m in pairs}))


@dataclass(frozen=True, eq=False)
class RuleContext:
    """What the rules need, prepared once: per-person arrays and sorted pair keys."""

    policy: Policy
    people: People
    forbidden_keys: np.ndarray
    exclude_keys: np.ndarray
    chain_keys: np.ndarray


def _keys(pairs, n_mentors: int) -> np.ndarray:
    """Sorted unique pair keys ``mentee * n_mentors + mentor``."""
    return np.unique(np.array([i * n_mentors + j for i, j in pairs], dtype=np.int64))


def rule_context(cohort: Cohort, policy: Policy, people: People | None = None) -> RuleContext:
    """Prepare the hard rules of ``policy`` for ``cohort`` (org chart walked once here).

    Parameters
    ----------
    cohort, policy : the inputs.
    people : a :func:`matcher.people.encode_people` result to reuse.

    Returns
    -------
    RuleContext

    Raises
    ------
    InputError
        If a forbidden pair names an id that is not a mentee / mentor of the cohort.
    """
    problems = policy_pair_problems(cohort, policy.forbidden_pairs, "rules.forbidden_pairs")
    if problems:
        raise InputError(problems, title="the policy names people who are not in the cohort")
    n_m = len(cohort.mentors)
    people = encode_people(cohort, policy) if people is None else people
    excluded: set[tuple[int, int]] = set()
    if policy.honour_exclude:
        mentee_at = {x: i for i, x in enumerate(cohort.mentee_ids)}
        mentor_at = {x: j for j, x in enumerate(cohort.mentor_ids)}
        for i, mentee in enumerate(cohort.mentees):
            excluded.update((i, mentor_at[x]) for x in mentee.exclude if x in mentor_at)
        for j, mentor in enumerate(cohort.mentors):
            excluded.update((mentee_at[x], j) for x in mentor.exclude if x in mentee_at)
    chain = np.zeros(0, np.int64)
    if policy.no_reporting_chain:
        e, m = chain_pairs(cohort)
        chain = e * n_m + m
    return RuleContext(
        policy=policy,
        people=people,
        forbidden_keys=_keys(map_pairs(cohort, policy.forbidden_pairs), n_m),
        exclude_keys=_keys(sorted(excluded), n_m),
        chain_keys=chain,
    )


def _listed(where: Where, keys: np.ndarray) -> np.ndarray:
    return where.lookup(keys, np.ones(keys.size, dtype=bool), False)


def _masks(ctx: RuleContext, where: Where) -> dict[str, np.ndarray]:
    """Every rule's mask at ``where``, each of shape ``where.shape``."""
    policy, p = ctx.policy, ctx.people
    masks = dict.fromkeys(RULES)
    masks["forbidden_pair"] = _listed(where, ctx.forbidden_keys)
    masks["exclude"] = _listed(where, ctx.exclude_keys)
    masks["reporting_chain"] = _listed(where, ctx.chain_keys)
    lo, hi = policy.seniority.min_gap, policy.seniority.max_gap
    if lo is not None or hi is not None:
        gap = where.mentor(p.m_sen) - where.mentee(p.e_sen)
        outside = np.zeros(where.shape, dtype=bool)
        if lo is not None:
            outside |= gap < lo
        if hi is not None:
            outside |= gap > hi
        masks["seniority_gap"] = outside & where.mentee(p.e_sen_known) & where.mentor(p.m_sen_known)
    if policy.require_shared_language:
        shared = where.table_sum(p.lang_table, p.lang_rows, p.lang_count) > 0
        both = (where.mentee(p.lang_count) > 0) & (where.mentor(p.m_lang_count) > 0)
        masks["language"] = both & ~shared
    if policy.max_timezone_diff_hours is not None:
        apart = circular_minutes(where.mentee(p.e_tz), where.mentor(p.m_tz))
        known = where.mentee(p.e_tz_known) & where.mentor(p.m_tz_known)
        masks["timezone"] = known & (apart > policy.max_timezone_diff_hours * 60)
    if policy.department_rule is not DepartmentRule.ANY:
        e, m = where.mentee(p.e_dept), where.mentor(p.m_dept)
        clash = (e != m) if policy.department_rule is DepartmentRule.SAME else (e == m)
        masks["department"] = clash & (e >= 0) & (m >= 0)
    if policy.scores_only:
        masks["unlisted_score"] = ~_listed(where, p.ext_keys)
    for rule, mask in masks.items():
        if mask is None:
            masks[rule] = np.zeros(where.shape, dtype=bool)
        elif mask.shape != where.shape:
            masks[rule] = np.broadcast_to(mask, where.shape).copy()
    return masks


def rule_masks(
    cohort: Cohort, policy: Policy, rows=None, *, context: RuleContext | None = None
) -> dict[str, np.ndarray]:
    """Each hard rule's mask (True: the rule forbids the pair) for some mentees.

    Parameters
    ----------
    cohort, policy : the inputs.
    rows : mentee indices (int array or slice); default every mentee.
    context : a :func:`rule_context` to reuse.

    Returns
    -------
    dict
        rule name -> bool array ``(len(rows), n_mentors)``, for every name in
        :data:`RULES` in that order (all False for rules the policy switches off).

    Raises
    ------
    InputError
        If a forbidden pair names an unknown id.
    """
    ctx = rule_context(cohort, policy) if context is None else context
    n_e, n_m = ctx.people.shape
    if rows is None:
        rows = slice(None)
    if isinstance(rows, slice) and rows.step in (None, 1):
        start, stop, _ = rows.indices(n_e)
        return _masks(ctx, Where.block(start, max(start, stop), n_m))
    rows = np.arange(n_e)[rows] if isinstance(rows, slice) else np.asarray(rows, np.int64)
    return _masks(ctx, Where.pairs(rows[:, None], np.arange(n_m)[None, :], n_m))


def eligible_matrix(
    cohort: Cohort, policy: Policy, *, context: RuleContext | None = None
) -> np.ndarray:
    """Bool ``(n_mentees, n_mentors)``: True where no hard rule forbids the pair.

    Parameters
    ----------
    cohort, policy : the inputs.
    context : a :func:`rule_context` to reuse.

    Returns
    -------
    np.ndarray

    Raises
    ------
    InputError
        If a forbidden pair names an unknown id.
    """
    ctx = rule_context(cohort, policy) if context is None else context
    n_e, n_m = ctx.people.shape
    out = np.empty((n_e, n_m), dtype=bool)
    step = max(1, _BLOCK_CELLS // max(1, n_m))
    for start in range(0, n_e, step):
        stop = min(n_e, start + step)
        forbidden = np.zeros((stop - start, n_m), dtype=bool)
        for mask in _masks(ctx, Where.block(start, stop, n_m)).values():
            forbidden |= mask
        out[start:stop] = ~forbidden
    return out
