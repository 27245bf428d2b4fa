"""Pair scores re-derived in plain Python, one function per component, pair by pair.

The definitions (what the README and the policy files promise) are:

* **skills**: the mean, over the mentee's distinct wanted skills, of the credit the
  mentor gives it: 1 if the mentor has the skill above the mentee's level (or either
  level is unstated), 0.5 if at or below it, otherwise the best ``related_skills`` credit
  of a skill the mentor has (0 if none). A skill listed twice keeps the mentee's lowest
  and the mentor's highest level (an unstated level wins on either side). 0 for none.
* **goals**: the share of the mentee's distinct goals the mentor also has (0 for none).
* **seniority**: 1 at ``ideal_gap``, falling linearly to 0 at ``tolerance`` levels away
  (with ``tolerance`` 0: 1 at the ideal, else 0).
* **timezone**: 1 - (hours apart around the clock) / 12, so 12 hours apart is 0.
* **language**: 1 if they share one, 0 if both list languages but share none.
* **location**: 1 if the same, 0 if different.
* **department**: with preference "same" (or "different"), 1 if the departments are the
  same (different), 0 otherwise; with preference "any", always 0.
* **preference**: a ``prefer`` list of n people (the other role's ids, first mention
  counts) gives its r-th entry (from 0) (n - r) / n; the better of the two sides, else 0.
* **external**: the listed value (the last listing of a repeated pair), else 0.
* **attributes**: the programme's own questions (:mod:`matcher.checker.questions`).

Seniority, timezone, language, location and department score 0.5 when either side is
unknown. The total is ``sum(w * s) / sum(w)`` over the components with a positive
weight (0 when there are none); with ``scores_only`` it is the external value alone.
With ``history = "prefer"``, a pair of ``previous_pairs`` scores ``history_bonus`` more.
Each component function is ``(mentee, mentor, ctx) -> float`` with ``ctx`` a
:class:`Scoring` prepared once per check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from matcher.checker.base import close, known_pairs, minutes_apart, normaliser
from matcher.checker.questions import Corpus, attributes_score, corpora
from matcher.model import (
    COMPONENTS,
    Cohort,
    DepartmentRule,
    History,
    Mentee,
    Mentor,
    Policy,
    Skill,
)
from matcher.results import MatchResult

UNKNOWN = 0.5
HALF_DAY_MINUTES = 720


@dataclass(frozen=True)
class Scoring:
    """What the components read beyond the two people, prepared once per check.

    Attributes
    ----------
    policy : weights, seniority ideal and tolerance, department preference.
    norm : the tag normaliser (reader's normalisation plus the policy's aliases).
    related : skill -> {related skill: best credit}, both ways.
    mentee_ids, mentor_ids : who is of which role (``prefer`` lists keep only these).
    external : (mentee id, mentor id) -> external value.
    """

    policy: Policy
    norm: Callable[[str], str]
    related: dict[str, dict[str, float]]
    mentee_ids: frozenset[str]
    mentor_ids: frozenset[str]
    external: dict[tuple[str, str], float]
    texts: dict[int, Corpus]
    earlier: frozenset[tuple[str, str]] = frozenset()


def scoring(cohort: Cohort, policy: Policy) -> Scoring:
    """The :class:`Scoring` of ``cohort`` under ``policy``.

    Parameters
    ----------
    cohort : supplies ids and external scores.
    policy : supplies weights, aliases, related skills and the seniority rule.

    Returns
    -------
    Scoring
    """
    norm = normaliser(policy.aliases)
    related: dict[str, dict[str, float]] = {}
    for a, b, credit in policy.related_skills:
        a, b = norm(a), norm(b)
        if a != b:
            for s, t in ((a, b), (b, a)):
                related.setdefault(s, {})[t] = max(credit, related.get(s, {}).get(t, 0.0))
    external: dict[tuple[str, str], float] = {}
    ext = cohort.external_scores
    if ext is not None:
        listed = zip(
            ext.mentee_index.tolist(), ext.mentor_index.tolist(), ext.value.tolist(), strict=True
        )
        for i, j, value in listed:  # a repeated pair: the last listing wins
            external[cohort.mentees[i].id, cohort.mentors[j].id] = float(value)
    return Scoring(
        policy=policy,
        norm=norm,
        related=related,
        mentee_ids=frozenset(cohort.mentee_ids),
        mentor_ids=frozenset(cohort.mentor_ids),
        external=external,
        texts=corpora(cohort, policy),
        earlier=frozenset(policy.previous_pairs),
    )


def _levels(
    skills: Iterable[Skill], norm: Callable[[str], str], keep: Callable[[int, int], int]
) -> dict[str, int]:
    """Skill name -> level (0: unstated); a repeated skill keeps ``keep`` of its levels."""
    out: dict[str, int] = {}
    for skill in skills:
        name, level = norm(skill.name), skill.level or 0
        if name in out:
            level = 0 if 0 in (level, out[name]) else keep(out[name], level)
        out[name] = level
    return out


def _both_known(a: str | None, b: str | None, score: Callable[[str, str], float]) -> float:
    """``score(a, b)`` when both tags are known (not None, not empty), else :data:`UNKNOWN`."""
    return score(a, b) if a and b else UNKNOWN


# --------------------------------------------------------------------------- one per component


def skills(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """Mean credit of the mentee's wanted skills (see the module docstring)."""
    wants = _levels(mentee.skills, ctx.norm, min)
    if not wants:
        return 0.0
    has = _levels(mentor.skills, ctx.norm, max)
    total = 0.0
    for name, wanted in wants.items():
        if name in has:
            level = has[name]
            total += 1.0 if wanted == 0 or level == 0 or level > wanted else 0.5
        else:
            credits = ctx.related.get(name, {})
            total += max((c for t, c in credits.items() if t in has), default=0.0)
    return total / len(wants)


def goals(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """Share of the mentee's distinct goals the mentor shares."""
    wanted = {ctx.norm(g) for g in mentee.goals}
    if not wanted:
        return 0.0
    return len(wanted & {ctx.norm(g) for g in mentor.goals}) / len(wanted)


def seniority(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """Closeness of the seniority gap to the ideal, within the tolerance."""
    if mentee.seniority is None or mentor.seniority is None:
        return UNKNOWN
    rule = ctx.policy.seniority
    off = abs(mentor.seniority - mentee.seniority - rule.ideal_gap)
    if rule.tolerance <= 0:
        return 1.0 if off == 0 else 0.0
    return max(0.0, 1.0 - off / rule.tolerance)


def timezone(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """Closeness of the UTC offsets around the clock: 1 at 0 hours, 0 at 12."""
    a, b = mentee.utc_offset_minutes, mentor.utc_offset_minutes
    if a is None or b is None:
        return UNKNOWN
    return min(1.0, max(0.0, 1.0 - minutes_apart(a, b) / HALF_DAY_MINUTES))


def language(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """1 with a shared language, 0 if both list some but share none."""
    ours = {ctx.norm(x) for x in mentee.languages}
    theirs = {ctx.norm(x) for x in mentor.languages}
    if ours & theirs:
        return 1.0
    return 0.0 if ours and theirs else UNKNOWN


def location(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """1 in the same location, 0 in different ones."""
    return _both_known(
        mentee.location, mentor.location, lambda a, b: float(ctx.norm(a) == ctx.norm(b))
    )


def department(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """The policy's department preference met (1) or not (0); always 0 for "any"."""
    wish = ctx.policy.department_preference
    if wish is DepartmentRule.ANY:
        return 0.0
    want_same = wish is DepartmentRule.SAME
    return _both_known(
        mentee.department,
        mentor.department,
        lambda a, b: float((ctx.norm(a) == ctx.norm(b)) == want_same),
    )


def _rank_credit(prefer: Iterable[str], other_id: str, of_role: frozenset[str]) -> float:
    """(n - r) / n for ``other_id`` at rank r of the list's n ids of the other role."""
    ranked = list(dict.fromkeys(x for x in prefer if x in of_role))
    if other_id not in ranked:
        return 0.0
    return (len(ranked) - ranked.index(other_id)) / len(ranked)


def preference(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """The better of the two sides' stated preference credit for each other."""
    return max(
        _rank_credit(mentee.prefer, mentor.id, ctx.mentor_ids),
        _rank_credit(mentor.prefer, mentee.id, ctx.mentee_ids),
    )


def external(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """The pair's external score, 0 when it has none."""
    return ctx.external.get((mentee.id, mentor.id), 0.0)


def attributes(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> float:
    """The weighted mean of the policy's soft question rules."""
    return attributes_score(mentee, mentor, ctx.policy, ctx.norm, ctx.texts)


COMPONENT_FUNCTIONS: dict[str, Callable[[Mentee, Mentor, Scoring], float]] = {
    "skills": skills,
    "goals": goals,
    "seniority": seniority,
    "timezone": timezone,
    "language": language,
    "location": location,
    "department": department,
    "preference": preference,
    "external": external,
    "attributes": attributes,
}
assert tuple(COMPONENT_FUNCTIONS) == COMPONENTS


# --------------------------------------------------------------------------- composed


def active(policy: Policy) -> tuple[str, ...]:
    """Components a pair lists: positive weights (and ``external`` with ``scores_only``)."""
    return tuple(
        name
        for name in COMPONENTS
        if getattr(policy.weights, name) > 0 or (policy.scores_only and name == "external")
    )


def components(mentee: Mentee, mentor: Mentor, ctx: Scoring) -> dict[str, float]:
    """Every active component of the pair, in :data:`COMPONENTS` order.

    Parameters
    ----------
    mentee, mentor : the two people.
    ctx : from :func:`scoring`.

    Returns
    -------
    dict
        component name -> value.
    """
    return {name: COMPONENT_FUNCTIONS[name](mentee, mentor, ctx) for name in active(ctx.policy)}


def total(mentee: Mentee, mentor: Mentor, ctx: Scoring, parts: dict[str, float]) -> float:
    """The pair's score from its components.

    Parameters
    ----------
    mentee, mentor : the two people.
    ctx : from :func:`scoring`.
    parts : the pair's :func:`components`.

    Returns
    -------
    float
        The weighted mean over positive weights; with ``scores_only`` the listed external
        value, NaN for an unlisted pair (it may not be matched at all); plus the history
        bonus for an earlier pair under ``history = "prefer"``.
    """
    policy = ctx.policy
    bonus = 0.0
    if policy.history is History.PREFER and (mentee.id, mentor.id) in ctx.earlier:
        bonus = policy.history_bonus
    if policy.scores_only:
        return ctx.external.get((mentee.id, mentor.id), math.nan) + bonus
    weights = {name: float(getattr(policy.weights, name)) for name in parts}
    weight_sum = math.fsum(weights.values())
    if not weight_sum:
        return bonus
    return math.fsum(weights[n] * parts[n] for n in weights) / weight_sum + bonus


def score_violations(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Each pair's score and components against the values recomputed here.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check; pairs naming unknown people are skipped.

    Returns
    -------
    list of str
        Per pair: a wrong score, a wrong list (or order) of components, each wrong
        component; values within :data:`matcher.checker.base.TOLERANCE` of their rounding
        are right.
    """
    ctx = scoring(cohort, policy)
    out = []
    for pair, mentee, mentor in known_pairs(cohort, result):
        name = f"pair ({pair.mentee_id}, {pair.mentor_id})"
        parts = components(mentee, mentor, ctx)
        expected = total(mentee, mentor, ctx, parts)
        if not close(pair.score, expected):
            out.append(f"{name} has score {pair.score!r}, recomputed {round(expected, 6)!r}")
        listed = [comp for comp, _ in pair.components]
        given = dict(pair.components)
        if set(listed) != set(parts):
            out.append(f"{name} lists components {sorted(given)}, expected {sorted(parts)}")
        elif listed != list(parts):
            out.append(f"{name} lists components in the order {listed}, expected {list(parts)}")
        for comp, value in parts.items():
            if comp in given and not close(given[comp], value):
                out.append(f"{name} has {comp} {given[comp]!r}, recomputed {round(value, 6)!r}")
    return out
