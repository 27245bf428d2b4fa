"""Stage one of the pipeline: ``prepare(cohort, policy) -> Prepared``, built once.

Checks the policy's pairs against the cohort (unknown ids are an :class:`InputError`),
checks pinned pairs against the hard rules and capacities (conflicts are an
:class:`InfeasibleError` naming every one), then encodes everything later stages read:
the tag normaliser, per-person arrays, the hard rules, the score tables and the
solver-facing :class:`~matcher.encode.instance.Instance` (score matrix, eligibility mask,
capacities, department groups, stated preferences). Nothing downstream rebuilds them.
Above :data:`DENSE_CELLS` pairs the scores are a
:class:`~matcher.encode.lazy_scores.LazyScores`, computed where they are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matcher.encode.attributes import encode_attributes
from matcher.encode.history import add_history_bonus, history_pairs
from matcher.encode.instance import Instance
from matcher.encode.lazy_scores import LazyScores
from matcher.encode.person_arrays import (
    PersonArrays,
    person_arrays,
    preference_lists,
    tag_normaliser,
)
from matcher.encode.rules import (
    RULE_WORDS,
    RULES,
    RuleContext,
    eligible_matrix,
    map_pairs,
    policy_pair_problems,
    rule_context,
    rule_masks,
)
from matcher.encode.score_tables import ScoreTables, score_tables
from matcher.encode.scoring import score_matrix
from matcher.model import Cohort, History, InfeasibleError, InputError, Policy

# Cohorts of more cells keep no score matrix: scores are computed where they are read
# (:class:`~matcher.encode.lazy_scores.LazyScores`); 25M cells is 200 MB of float64.
DENSE_CELLS = 25_000_000


def pinned_conflicts(
    cohort: Cohort, rules: RuleContext, pinned: tuple[tuple[int, int], ...]
) -> list[str]:
    """Every reason the pinned pairs cannot all hold, in words.

    Parameters
    ----------
    cohort : the cohort.
    rules : its hard rules, from :func:`matcher.encode.rules.rule_context`.
    pinned : sorted (mentee index, mentor index) pairs, without repeats.

    Returns
    -------
    list of str
        First each pinned pair broken by a hard rule (in :data:`RULES` order), then each
        mentee and each mentor pinned beyond its capacity or while sitting out.
    """
    if not pinned:
        return []
    conflicts = []
    e_ids, m_ids = cohort.mentee_ids, cohort.mentor_ids
    rows = np.array(sorted({i for i, _ in pinned}), dtype=np.int64)
    masks = rule_masks(rules, rows)
    at = {int(i): r for r, i in enumerate(rows)}
    for i, j in pinned:
        for rule in RULES:
            if masks[rule][at[i], j]:
                pair = f"({e_ids[i]}, {m_ids[j]})"
                conflicts.append(f"pinned pair {pair} is ruled out by {RULE_WORDS[rule]}")
    for role, people, ids, index, other in (
        ("mentee", cohort.mentees, e_ids, 0, "mentors"),
        ("mentor", cohort.mentors, m_ids, 1, "mentees"),
    ):
        counts: dict[int, int] = {}
        for pair in pinned:
            counts[pair[index]] = counts.get(pair[index], 0) + 1
        for k in sorted(counts):
            capacity, n = people[k].capacity, counts[k]
            limit = "wants" if role == "mentee" else "takes at most"
            if capacity == 0:
                conflicts.append(f"{role} {ids[k]} is pinned but sits this round out (capacity 0)")
            elif n > capacity:
                conflicts.append(f"{role} {ids[k]} is pinned to {n} {other} but {limit} {capacity}")
    return conflicts


@dataclass(frozen=True, eq=False)
class Prepared:
    """Everything later stages need about a cohort under a policy, built once.

    Attributes
    ----------
    cohort, policy : the inputs.
    normalise : the tag normaliser (the reader's normalisation plus the policy's aliases).
    persons : per-person arrays.
    rules : the hard rules, ready for masks and reasons.
    tables : what the soft score reads.
    instance : the solver-facing problem (score matrix, eligibility, capacities, pins).
    """

    cohort: Cohort
    policy: Policy
    normalise: Callable[[str], str]
    persons: PersonArrays
    rules: RuleContext
    tables: ScoreTables
    instance: Instance

    @cached_property
    def earlier(self) -> frozenset[tuple[int, int]]:
        """The policy's earlier-cycle pairs of this cohort, by (mentee, mentor) index."""
        return frozenset(history_pairs(self.cohort, self.policy))


def _scores(cohort: Cohort, policy: Policy, tables: ScoreTables):
    """The pair scores: a dense matrix up to :data:`DENSE_CELLS` cells, else computed where
    they are read. A pairing-history bonus (``history = "prefer"``) is added to a dense
    matrix, so a cohort that asks for it is dense at any size."""
    n_cells = len(cohort.mentee_ids) * len(cohort.mentor_ids)
    bonus = policy.history is History.PREFER and policy.history_bonus > 0
    if n_cells > DENSE_CELLS and not (bonus and history_pairs(cohort, policy)):
        return LazyScores(tables)
    return add_history_bonus(cohort, policy, score_matrix(tables))


def prepare(cohort: Cohort, policy: Policy) -> Prepared:
    """Encode ``cohort`` under ``policy`` once for every later stage.

    Parameters
    ----------
    cohort : the validated cohort.
    policy : weights, hard rules, pinned pairs, department cap.

    Returns
    -------
    Prepared
        Its instance's ``mentee_prefs`` / ``mentor_prefs`` are ``()`` when nobody on that
        side stated a preference; ``mentee_group`` is set only with
        ``policy.max_per_department``.

    Raises
    ------
    InputError
        If a forbidden or pinned pair names an id that is not a mentee / mentor of the
        cohort (every such id is listed; source ``"policy"``), or a question rule names a
        question nobody answered.
    InfeasibleError
        If a pinned pair breaks a hard rule, or pinned pairs overfill a capacity or
        involve someone with capacity 0 (every conflict is listed).
    """
    problems = policy_pair_problems(
        cohort, policy.forbidden_pairs, "rules.forbidden_pairs"
    ) + policy_pair_problems(cohort, policy.pinned_pairs, "rules.pinned_pairs")
    if problems:
        raise InputError(problems, title="the policy names people who are not in the cohort")
    normalise = tag_normaliser(policy.aliases)
    persons = person_arrays(cohort, normalise)
    attributes = encode_attributes(cohort, policy.attributes, normalise)
    rules = rule_context(cohort, policy, persons, attributes)
    pinned = map_pairs(cohort, policy.pinned_pairs)
    conflicts = pinned_conflicts(cohort, rules, pinned)
    if conflicts:
        raise InfeasibleError(conflicts)
    tables = score_tables(cohort, policy, persons, normalise, attributes)
    mentee_prefs, mentor_prefs = preference_lists(cohort)
    grouped = policy.max_per_department is not None
    n_m = len(cohort.mentors)
    listed = (persons.ext_keys // n_m, persons.ext_keys % n_m) if policy.scores_only else None
    instance = Instance(
        mentee_ids=cohort.mentee_ids,
        mentor_ids=cohort.mentor_ids,
        scores=_scores(cohort, policy, tables),
        eligible=eligible_matrix(rules),
        wanted=np.array([e.capacity for e in cohort.mentees], dtype=np.int64),
        capacity=np.array([m.capacity for m in cohort.mentors], dtype=np.int64),
        min_load=np.array([m.min_capacity for m in cohort.mentors], dtype=np.int64),
        pinned=pinned,
        mentee_group=persons.e_dept.copy() if grouped else None,
        max_per_group=policy.max_per_department,
        mentee_prefs=mentee_prefs if any(mentee_prefs) else (),
        mentor_prefs=mentor_prefs if any(mentor_prefs) else (),
        listed=listed,
    )
    return Prepared(cohort, policy, normalise, persons, rules, tables, instance)
