"""The hard rules of one pair, re-derived in plain Python: one predicate per rule.

Each predicate, ``(mentee, mentor, policy, ctx) -> bool``, answers "does this pair
break the rule?" from the two people, the policy and ``ctx``, an :class:`Around` (the org
chart's manager links, the forbidden pairs and the pairs that have an external score).
:func:`hard_rule_violations` applies them to a result's pairs. Nothing here is shared
with the production eligibility code: agreement between the two is what the checker's
tests establish.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from matcher.checker.base import known_pairs, minutes_apart, normaliser
from matcher.checker.questions import breaks_a_question
from matcher.model import Cohort, DepartmentRule, History, Mentee, Mentor, Policy
from matcher.results import MatchResult


@dataclass(frozen=True)
class Around:
    """What the pair rules read beyond the two people and the policy.

    Attributes
    ----------
    parents : person id -> manager ids (see :func:`chain_parents`).
    forbidden : the policy's forbidden (mentee id, mentor id) pairs.
    scored : (mentee id, mentor id) pairs that have an external score.
    earlier : the policy's earlier-cycle (mentee id, mentor id) pairs.
    above : memo of :func:`managers_above`, filled as pairs are checked.
    """

    parents: Mapping[str, set[str]]
    forbidden: frozenset[tuple[str, str]] = frozenset()
    scored: frozenset[tuple[str, str]] = frozenset()
    earlier: frozenset[tuple[str, str]] = frozenset()
    above: dict[str, set[str]] = field(default_factory=dict, compare=False)

    def managers_of(self, person_id: str) -> set[str]:
        """Everyone above ``person_id`` in the chart (memoised :func:`managers_above`)."""
        if person_id not in self.above:
            self.above[person_id] = managers_above(person_id, self.parents)
        return self.above[person_id]


def chain_parents(cohort: Cohort) -> dict[str, set[str]]:
    """Manager links of ``cohort``: person id -> manager ids.

    Parameters
    ----------
    cohort : supplies every person's ``manager_id`` and the ``org_chart`` edges.

    Returns
    -------
    dict
        For :func:`rule_violations`; managers outside the cohort are walked through too.
    """
    parents: dict[str, set[str]] = defaultdict(set)
    for person in (*cohort.mentors, *cohort.mentees):
        if person.manager_id:
            parents[person.id].add(person.manager_id)
    for person_id, manager_id in cohort.org_chart:
        if person_id and manager_id:
            parents[person_id].add(manager_id)
    return parents


def managers_above(person_id: str, parents: Mapping[str, set[str]]) -> set[str]:
    """Every id reachable by walking manager links up from ``person_id``.

    Parameters
    ----------
    person_id : where the walk starts.
    parents : manager links from :func:`chain_parents`.

    Returns
    -------
    set of str
        Managers at any depth; a cycle in the chart is walked once (the walk ends).
    """
    seen: set[str] = set()
    todo = list(parents.get(person_id, ()))
    while todo:
        boss = todo.pop()
        if boss not in seen:
            seen.add(boss)
            todo.extend(parents.get(boss, ()))
    return seen


def around(cohort: Cohort, policy: Policy) -> Around:
    """The :class:`Around` of ``cohort`` under ``policy``.

    Parameters
    ----------
    cohort : supplies manager links and external scores (by position in the cohort).
    policy : supplies the forbidden pairs.

    Returns
    -------
    Around
    """
    scored: frozenset[tuple[str, str]] = frozenset()
    ext = cohort.external_scores
    if ext is not None:
        scored = frozenset(
            (cohort.mentees[int(i)].id, cohort.mentors[int(j)].id)
            for i, j in zip(ext.mentee_index.tolist(), ext.mentor_index.tolist(), strict=True)
        )
    return Around(
        parents=chain_parents(cohort),
        forbidden=frozenset(policy.forbidden_pairs),
        scored=scored,
        earlier=frozenset(policy.previous_pairs),
    )


# --------------------------------------------------------------------------- one per rule


def forbidden_pair(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """The policy forbids this exact pair."""
    return (mentee.id, mentor.id) in ctx.forbidden


def exclude(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """Either person lists the other in their ``exclude`` column (when honoured)."""
    return policy.honour_exclude and (mentor.id in mentee.exclude or mentee.id in mentor.exclude)


def reporting_chain(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """One is anywhere above the other in the management chain (when the rule is on)."""
    return policy.no_reporting_chain and (
        mentor.id in ctx.managers_of(mentee.id) or mentee.id in ctx.managers_of(mentor.id)
    )


def seniority_gap(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """Mentor minus mentee seniority is outside [min_gap, max_gap] (both known)."""
    if mentee.seniority is None or mentor.seniority is None:
        return False
    gap, rule = mentor.seniority - mentee.seniority, policy.seniority
    too_small = rule.min_gap is not None and gap < rule.min_gap
    too_large = rule.max_gap is not None and gap > rule.max_gap
    return too_small or too_large


def language(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """Both list languages, none in common, and a shared language is required."""
    if not (policy.require_shared_language and mentee.languages and mentor.languages):
        return False
    norm = normaliser(policy.aliases)
    return not {norm(x) for x in mentee.languages} & {norm(x) for x in mentor.languages}


def timezone(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """Their UTC offsets are further apart than ``max_timezone_diff_hours`` (both known)."""
    a, b = mentee.utc_offset_minutes, mentor.utc_offset_minutes
    limit = policy.max_timezone_diff_hours
    if limit is None or a is None or b is None:
        return False
    return minutes_apart(a, b) > limit * 60


def department(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """Same department where "different" is required, or the reverse (both known)."""
    both_known = mentee.department and mentor.department
    if policy.department_rule is DepartmentRule.ANY or not both_known:
        return False
    norm = normaliser(policy.aliases)
    same = norm(mentee.department) == norm(mentor.department)
    return same != (policy.department_rule is DepartmentRule.SAME)


def unlisted_score(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """With ``scores_only``, the pair has no external score."""
    return policy.scores_only and (mentee.id, mentor.id) not in ctx.scored


def attribute(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """A must_match / must_differ question forbids the pair."""
    return breaks_a_question(mentee, mentor, policy, normaliser(policy.aliases))


def history(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> bool:
    """With ``history = "avoid"``, the two were paired in an earlier cycle."""
    return policy.history is History.AVOID and (mentee.id, mentor.id) in ctx.earlier


PAIR_RULES: tuple[tuple[str, Callable[[Mentee, Mentor, Policy, Around], bool]], ...] = (
    ("forbidden_pair", forbidden_pair),
    ("exclude", exclude),
    ("reporting_chain", reporting_chain),
    ("seniority_gap", seniority_gap),
    ("language", language),
    ("timezone", timezone),
    ("department", department),
    ("unlisted_score", unlisted_score),
    ("attribute", attribute),
    ("history", history),
)


# --------------------------------------------------------------------------- composed


def broken_rules(mentee: Mentee, mentor: Mentor, policy: Policy, ctx: Around) -> list[str]:
    """The names of the rules in :data:`PAIR_RULES` this pair breaks, in that order.

    Parameters
    ----------
    mentee, mentor : the two people.
    policy : the rules.
    ctx : from :func:`around`.

    Returns
    -------
    list of str
    """
    return [name for name, breaks in PAIR_RULES if breaks(mentee, mentor, policy, ctx)]


def rule_violations(
    mentee: Mentee,
    mentor: Mentor,
    policy: Policy,
    parents: Mapping[str, set[str]],
    listed: set[tuple[int, int]] | None = None,
    index: tuple[int, int] | None = None,
) -> list[str]:
    """The hard rules one (mentee, mentor) pair breaks, as rule names.

    Parameters
    ----------
    mentee, mentor : the two people.
    policy : the rules.
    parents : manager links from :func:`chain_parents`.
    listed : with ``policy.scores_only``, the (mentee index, mentor index) pairs that have
        an external score.
    index : this pair's (mentee index, mentor index), to look up in ``listed``.

    Returns
    -------
    list of str
        Names from ``("forbidden_pair", "exclude", "reporting_chain", "seniority_gap",
        "language", "timezone", "department", "unlisted_score", "attribute", "history")``,
        in that order.
    """
    scored = {(mentee.id, mentor.id)} if listed is not None and index in listed else set()
    ctx = Around(
        parents,
        frozenset(policy.forbidden_pairs),
        frozenset(scored),
        frozenset(policy.previous_pairs),
    )
    return broken_rules(mentee, mentor, policy, ctx)


def hard_rule_violations(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Every hard rule each pair of ``result`` breaks.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check; pairs naming unknown people are skipped.

    Returns
    -------
    list of str
        ``"pair (E1, M2) breaks the exclude rule"``, by pair then rule.
    """
    ctx = around(cohort, policy)
    return [
        f"pair ({mentee.id}, {mentor.id}) breaks the {rule} rule"
        for _, mentee, mentor in known_pairs(cohort, result)
        for rule in broken_rules(mentee, mentor, policy, ctx)
    ]
