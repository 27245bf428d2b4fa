"""Hard rules: which mentee-mentor pairs may be matched at all.

Each rule in :data:`RULES` gives a boolean mask, True cells the rule forbids the pair.
:func:`rule_masks` returns every rule's mask for some mentee rows and
:func:`forbidding_rules` the rules against one pair (the reasons explanations and moves
give, in :data:`RULE_WORDS`); :func:`eligible_matrix` is "no rule forbids", computed in
row blocks so that only one block of masks exists at a time. Capacity 0 is not a rule
here (solvers see ``wanted`` and ``capacity``); pinned pairs are checked against these
rules by :func:`matcher.encode.prepare.prepare`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.encode.attributes import AttributeTables
from matcher.encode.cells import Cells
from matcher.encode.history import avoided_pairs
from matcher.encode.orgchart import chain_pairs
from matcher.encode.person_arrays import PersonArrays, circular_minutes, shared_any
from matcher.model import Cohort, DepartmentRule, Policy, Problem
from matcher.parallel import empty_matrix, for_row_ranges
from matcher.sorted_ints import unique_sorted

RULES: tuple[str, ...] = (
    "forbidden_pair",
    "exclude",
    "reporting_chain",
    "seniority_gap",
    "language",
    "timezone",
    "department",
    "unlisted_score",
    "attribute",
    "history",
)

# Each rule in words, for reasons a coordinator reads.
RULE_WORDS: dict[str, str] = {
    "forbidden_pair": "the policy's forbidden pairs",
    "exclude": "an exclude list",
    "reporting_chain": "the reporting-chain rule",
    "seniority_gap": "the seniority-gap rule",
    "language": "the shared-language rule",
    "timezone": "the time-zone rule",
    "department": "the department rule",
    "unlisted_score": "having no listed score",
    "attribute": "a must-match or must-differ question",
    "history": "the pairing-history rule (no earlier pair again)",
}

_BLOCK_CELLS = 131_072  # cells per block: a block's masks stay in the L2 cache


def policy_pair_problems(
    cohort: Cohort, pairs: Iterable[tuple[str, str]], column: str
) -> list[Problem]:
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


def map_pairs(cohort: Cohort, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    """(mentee index, mentor index) of id pairs, sorted and without repeats.

    Parameters
    ----------
    cohort : the cohort the ids belong to.
    pairs : (mentee_id, mentor_id) pairs, e.g. a policy's pinned or forbidden pairs.

    Returns
    -------
    tuple of (int, int)

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
    """What the rules need, prepared once: per-person arrays and sorted pair keys.

    Rules between two per-person values (seniority gap, time zones, departments) are
    bool tables ``tables[rule] = (rows, mentee codes)``: ``rows[code, mentor]`` is True
    where the rule forbids a mentee of that code with the mentor (each mentee code's row
    laid out over the mentors once, so a block of mentees is a copy of rows); an unknown
    value has the last code (never forbidden). A rule the policy switches off has no table.
    """

    policy: Policy
    persons: PersonArrays
    forbidden_keys: np.ndarray
    exclude_keys: np.ndarray
    chain_keys: np.ndarray
    history_keys: np.ndarray
    tables: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    attributes: AttributeTables = AttributeTables()


def _keys(pairs, n_mentors: int) -> np.ndarray:
    """Sorted unique pair keys ``mentee * n_mentors + mentor``."""
    return unique_sorted(np.array([i * n_mentors + j for i, j in pairs], dtype=np.int64))


def _value_table(e_values, e_known, m_values, m_known, forbids):
    """(rows, e_code): ``forbids(e value, m value)`` on distinct known values, each mentee
    value's row over the mentors (``rows[e_code[i], j]`` forbids the pair ``i, j``).

    Unknown values get the last code, whose row and column are False.
    """
    e_distinct = np.unique(e_values[e_known])
    m_distinct = np.unique(m_values[m_known])
    table = np.zeros((e_distinct.size + 1, m_distinct.size + 1), dtype=bool)
    table[:-1, :-1] = forbids(e_distinct[:, None], m_distinct[None, :])
    e_code = np.where(e_known, np.searchsorted(e_distinct, e_values), e_distinct.size)
    m_code = np.where(m_known, np.searchsorted(m_distinct, m_values), m_distinct.size)
    return np.ascontiguousarray(table[:, m_code]), e_code


def _rule_tables(policy: Policy, p: PersonArrays) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The code tables of the seniority-gap, time-zone and department rules that apply."""
    tables = {}
    lo, hi = policy.seniority.min_gap, policy.seniority.max_gap
    if lo is not None or hi is not None:

        def outside(e, m):
            gap = m - e
            out = np.zeros(gap.shape, dtype=bool)
            if lo is not None:
                out |= gap < lo
            if hi is not None:
                out |= gap > hi
            return out

        tables["seniority_gap"] = _value_table(
            p.e_sen, p.e_sen_known, p.m_sen, p.m_sen_known, outside
        )
    if policy.max_timezone_diff_hours is not None:
        limit = policy.max_timezone_diff_hours * 60
        tables["timezone"] = _value_table(
            p.e_tz, p.e_tz_known, p.m_tz, p.m_tz_known, lambda e, m: circular_minutes(e, m) > limit
        )
    if policy.department_rule is not DepartmentRule.ANY:
        same = policy.department_rule is DepartmentRule.SAME

        def clash(e, m):
            return e != m if same else e == m

        tables["department"] = _value_table(p.e_dept, p.e_dept >= 0, p.m_dept, p.m_dept >= 0, clash)
    return tables


def rule_context(
    cohort: Cohort, policy: Policy, persons: PersonArrays, attributes: AttributeTables
) -> RuleContext:
    """Prepare the hard rules of ``policy`` for ``cohort`` (org chart walked once here).

    Parameters
    ----------
    cohort, policy : the inputs; the policy's forbidden pairs name people of the cohort
        (checked by :func:`matcher.encode.prepare.prepare`).
    persons : the cohort's per-person arrays.
    attributes : the policy's question rules, encoded (its hard ones are rules here).

    Returns
    -------
    RuleContext
    """
    n_m = len(cohort.mentors)
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
        persons=persons,
        forbidden_keys=_keys(map_pairs(cohort, policy.forbidden_pairs), n_m),
        exclude_keys=_keys(sorted(excluded), n_m),
        chain_keys=chain,
        history_keys=_keys(avoided_pairs(cohort, policy), n_m),
        tables=_rule_tables(policy, persons),
        attributes=attributes,
    )


def _listed(cells: Cells, keys: np.ndarray) -> np.ndarray:
    return cells.lookup(keys, np.ones(keys.size, dtype=bool), False)


def _masks(ctx: RuleContext, cells: Cells, fill: bool = True) -> dict[str, np.ndarray]:
    """Every rule's mask at ``cells``, each of shape ``cells.shape``.

    With ``fill=False`` rules the policy switches off are left out (None) and masks may
    be broadcast views, for callers that only combine them.
    """
    policy, p = ctx.policy, ctx.persons
    masks = dict.fromkeys(RULES)
    for rule, keys in (
        ("forbidden_pair", ctx.forbidden_keys),
        ("exclude", ctx.exclude_keys),
        ("reporting_chain", ctx.chain_keys),
    ):
        if fill or keys.size:
            masks[rule] = _listed(cells, keys)
    for rule, (rows, e_code) in ctx.tables.items():
        masks[rule] = cells.code_rows(rows, e_code)
    if fill or ctx.history_keys.size:
        masks["history"] = _listed(cells, ctx.history_keys)
    if policy.require_shared_language:
        if p.e_lang_bits is not None:
            shared = shared_any(p.e_lang_bits, p.m_lang_bits, cells)
        else:
            shared = cells.table_sum(p.lang_table, p.lang_rows, p.lang_count) > 0
        both = (cells.mentee(p.lang_count) > 0) & (cells.mentor(p.m_lang_count) > 0)
        masks["language"] = both & ~shared
    if policy.scores_only:
        masks["unlisted_score"] = ~_listed(cells, p.ext_keys)
    if ctx.attributes.hard:
        masks["attribute"] = ctx.attributes.forbids(cells)
    for rule, mask in masks.items():
        if mask is None:
            if fill:
                masks[rule] = np.zeros(cells.shape, dtype=bool)
        elif mask.shape != cells.shape and fill:
            masks[rule] = np.broadcast_to(mask, cells.shape).copy()
    return masks


def rule_masks(
    rules: RuleContext, rows: np.ndarray | Sequence[int] | slice | None = None
) -> dict[str, np.ndarray]:
    """Each hard rule's mask (True: the rule forbids the pair) for some mentees.

    Parameters
    ----------
    rules : from :func:`rule_context`.
    rows : mentee indices (int array, sequence of ints, or slice); default every mentee.

    Returns
    -------
    dict
        rule name -> bool array ``(len(rows), n_mentors)``, for every name in
        :data:`RULES` in that order (all False for rules the policy switches off).
    """
    n_e, n_m = rules.persons.shape
    if rows is None:
        rows = slice(None)
    if isinstance(rows, slice) and rows.step in (None, 1):
        start, stop, _ = rows.indices(n_e)
        return _masks(rules, Cells.block(start, max(start, stop), n_m))
    rows = np.arange(n_e)[rows] if isinstance(rows, slice) else np.asarray(rows, np.int64)
    return _masks(rules, Cells.pairs(rows[:, None], np.arange(n_m)[None, :], n_m))


def forbidding_rules(rules: RuleContext, mentee: int, mentor: int) -> list[str]:
    """The hard rules that forbid one pair, as names in :data:`RULES` order.

    Parameters
    ----------
    rules : from :func:`rule_context`.
    mentee, mentor : the pair, by index.

    Returns
    -------
    list of str
        Empty when the pair is allowed; :data:`RULE_WORDS` says each in words.
    """
    masks = forbidding_pairs(rules, np.array([mentee]), np.array([mentor]))
    return [rule for rule, mask in masks.items() if mask[0]]


def forbidding_pairs(rules: RuleContext, mentees, mentors) -> dict[str, np.ndarray]:
    """:func:`forbidding_rules` for many pairs at once: each rule's bool mask over them.

    Parameters
    ----------
    rules : from :func:`rule_context`.
    mentees, mentors : int arrays of the same shape, the pairs by index.

    Returns
    -------
    dict
        Rule name -> bool array of the pairs' shape, True where that rule forbids the pair;
        every rule of :data:`RULES`, in that order.
    """
    mentees, mentors = np.asarray(mentees, np.int64), np.asarray(mentors, np.int64)
    return _masks(rules, Cells.pairs(mentees, mentors, rules.persons.shape[1]))


def eligible_matrix(rules: RuleContext) -> np.ndarray:
    """Bool ``(n_mentees, n_mentors)``: True cells no hard rule forbids the pair.

    Parameters
    ----------
    rules : from :func:`rule_context`.

    Returns
    -------
    np.ndarray
    """
    ctx = rules
    n_e, n_m = ctx.persons.shape
    out = empty_matrix((n_e, n_m), bool)
    step = max(1, _BLOCK_CELLS // max(1, n_m))

    def fill(lo: int, hi: int) -> None:
        for start in range(lo, hi, step):
            stop = min(hi, start + step)
            forbidden = np.zeros((stop - start, n_m), dtype=bool)
            for mask in _masks(ctx, Cells.block(start, stop, n_m), fill=False).values():
                if mask is not None:
                    forbidden |= mask
            np.logical_not(forbidden, out=out[start:stop])

    for_row_ranges(fill, n_e, step)
    return out
