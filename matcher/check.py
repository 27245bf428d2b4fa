"""The independent oracle: is a MatchResult valid for this cohort and policy?

:func:`check` knows nothing about any solver, nor about :mod:`matcher.encode.rules`: every
hard rule is re-implemented here per pair, in plain Python, on the result's pairs only.
The one shared piece is :func:`matcher.encode.scoring.pair_components`, used to recompute each
pair's score components (the weighted total is recombined here). Every solver test uses
it; it returns human-readable violations, an empty list when all is well.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np

from matcher.encode.person_arrays import tag_normaliser
from matcher.model import (
    COMPONENTS,
    Cohort,
    DepartmentRule,
    MatchResult,
    Mentee,
    Mentor,
    Policy,
    Status,
)

TOLERANCE = 1e-6


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
        parents[person_id].add(manager_id)
    return parents


def _managers_above(person_id: str, parents: dict[str, set[str]]) -> set[str]:
    """Every id reachable by walking manager links up from ``person_id`` (cycles are safe)."""
    seen: set[str] = set()
    todo = list(parents.get(person_id, ()))
    while todo:
        boss = todo.pop()
        if boss not in seen:
            seen.add(boss)
            todo.extend(parents.get(boss, ()))
    return seen


@lru_cache(maxsize=8)
def _normaliser(aliases):
    return tag_normaliser(aliases)


def _minutes_apart(a: int, b: int) -> int:
    """Minutes between two UTC offsets around the clock (UTC+12 and UTC-12 are 0 apart)."""
    d = abs(a - b) % 1440
    return min(d, 1440 - d)


def rule_violations(
    mentee: Mentee,
    mentor: Mentor,
    policy: Policy,
    parents: dict[str, set[str]],
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
        "language", "timezone", "department", "unlisted_score")``, in that order.
    """
    norm = _normaliser(policy.aliases)
    broken = []
    if (mentee.id, mentor.id) in set(policy.forbidden_pairs):
        broken.append("forbidden_pair")
    if policy.honour_exclude and (mentor.id in mentee.exclude or mentee.id in mentor.exclude):
        broken.append("exclude")
    if policy.no_reporting_chain and (
        mentor.id in _managers_above(mentee.id, parents)
        or mentee.id in _managers_above(mentor.id, parents)
    ):
        broken.append("reporting_chain")
    rule = policy.seniority
    if mentee.seniority is not None and mentor.seniority is not None:
        gap = mentor.seniority - mentee.seniority
        if (rule.min_gap is not None and gap < rule.min_gap) or (
            rule.max_gap is not None and gap > rule.max_gap
        ):
            broken.append("seniority_gap")
    if (
        policy.require_shared_language
        and mentee.languages
        and mentor.languages
        and not {norm(x) for x in mentee.languages} & {norm(x) for x in mentor.languages}
    ):
        broken.append("language")
    if (
        policy.max_timezone_diff_hours is not None
        and mentee.utc_offset_minutes is not None
        and mentor.utc_offset_minutes is not None
        and _minutes_apart(mentee.utc_offset_minutes, mentor.utc_offset_minutes)
        > policy.max_timezone_diff_hours * 60
    ):
        broken.append("timezone")
    if policy.department_rule is not DepartmentRule.ANY and mentee.department and mentor.department:
        same = norm(mentee.department) == norm(mentor.department)
        if same != (policy.department_rule is DepartmentRule.SAME):
            broken.append("department")
    if policy.scores_only and (listed is None or index not in listed):
        broken.append("unlisted_score")
    return broken


def _listed_pairs(cohort: Cohort) -> set[tuple[int, int]]:
    ext = cohort.external_scores
    if ext is None:
        return set()
    return {(int(i), int(j)) for i, j in zip(ext.mentee_index, ext.mentor_index, strict=True)}


def _expected_scores(cohort, policy, index_pairs):
    """Recomputed (total, {component: raw}) per pair, via scoring.pair_components."""
    from matcher.encode.person_arrays import person_arrays, tag_normaliser
    from matcher.encode.score_tables import score_tables
    from matcher.encode.scoring import pair_components

    if not index_pairs:
        return []
    rows = np.array([i for i, _ in index_pairs], dtype=np.int64)
    cols = np.array([j for _, j in index_pairs], dtype=np.int64)
    weights = {name: float(getattr(policy.weights, name)) for name in COMPONENTS}
    active = [
        name
        for name in COMPONENTS
        if weights[name] > 0 or (policy.scores_only and name == "external")
    ]
    external = {}
    if cohort.external_scores is not None:
        ext = cohort.external_scores
        external = {
            (int(i), int(j)): float(v)
            for i, j, v in zip(ext.mentee_index, ext.mentor_index, ext.value, strict=True)
        }
    norm = tag_normaliser(policy.aliases)
    tables = score_tables(cohort, policy, person_arrays(cohort, norm), norm)
    parts = pair_components(tables, rows, cols)
    out = []
    for k, key in enumerate(index_pairs):
        raw = {name: float(np.asarray(parts[name])[k]) for name in active if name in parts}
        if "external" in raw and abs(raw["external"] - external.get(key, 0.0)) > TOLERANCE:
            raw["external"] = math.nan  # scoring disagrees with the cohort's own list
        if policy.scores_only:
            total = external.get(key, math.nan)
        else:
            total_w = sum(weights[name] for name in raw)
            total = sum(weights[n] * raw[n] for n in raw) / total_w if total_w else 0.0
        out.append((total, raw))
    return out


def check(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Every way ``result`` breaks the cohort's capacities, the policy's hard rules or itself.

    Parameters
    ----------
    cohort : the cohort that was matched.
    policy : the policy it was matched under.
    result : any MatchResult, from any solver or built by hand.

    Returns
    -------
    list of str
        Human-readable violations, one per problem found; empty when the result is valid.
    """
    out: list[str] = []
    mentees = {m.id: (i, m) for i, m in enumerate(cohort.mentees)}
    mentors = {m.id: (j, m) for j, m in enumerate(cohort.mentors)}
    parents = chain_parents(cohort) if policy.no_reporting_chain else {}
    listed = _listed_pairs(cohort) if policy.scores_only else None
    feasible = result.status is not Status.INFEASIBLE

    # Ids, roles, duplicates and per-pair hard rules.
    seen: Counter[tuple[str, str]] = Counter()
    known: list[tuple[int, tuple[int, int]]] = []  # (position in result.pairs, index pair)
    for pos, pair in enumerate(result.pairs):
        e_id, m_id = pair.mentee_id, pair.mentor_id
        seen[(e_id, m_id)] += 1
        if seen[(e_id, m_id)] == 2:
            out.append(f"pair ({e_id}, {m_id}) appears more than once")
        ok = True
        if e_id not in mentees:
            role = "a mentor, not a mentee" if e_id in mentors else "not in the cohort"
            out.append(f"pair ({e_id}, {m_id}): mentee {e_id} is {role}")
            ok = False
        if m_id not in mentors:
            role = "a mentee, not a mentor" if m_id in mentees else "not in the cohort"
            out.append(f"pair ({e_id}, {m_id}): mentor {m_id} is {role}")
            ok = False
        if not ok or seen[(e_id, m_id)] > 1:
            continue
        (i, mentee), (j, mentor) = mentees[e_id], mentors[m_id]
        for rule in rule_violations(mentee, mentor, policy, parents, listed, (i, j)):
            out.append(f"pair ({e_id}, {m_id}) breaks the {rule} rule")
        known.append((pos, (i, j)))

    # Capacities.
    got = Counter(e for e, _ in seen.elements() if e in mentees)
    load = Counter(m for _, m in seen.elements() if m in mentors)
    for e_id, count in got.items():
        wanted = mentees[e_id][1].capacity
        if count > wanted:
            out.append(f"mentee {e_id} has {count} mentors but wants {wanted}")
    for m_id, (_, mentor) in mentors.items():
        if load[m_id] > mentor.capacity:
            out.append(f"mentor {m_id} has {load[m_id]} mentees, capacity {mentor.capacity}")
        if feasible and load[m_id] < mentor.min_capacity:
            out.append(
                f"mentor {m_id} has {load[m_id]} mentees, below the minimum {mentor.min_capacity}"
            )
    if policy.max_per_department is not None:
        per: Counter[tuple[str, str]] = Counter()
        for e_id, m_id in seen:
            dept = mentees[e_id][1].department if e_id in mentees else None
            if dept and m_id in mentors:
                per[(m_id, _normaliser(policy.aliases)(dept))] += 1
        for (m_id, dept), count in sorted(per.items()):
            if count > policy.max_per_department:
                out.append(
                    f"mentor {m_id} has {count} mentees from department {dept!r}, "
                    f"more than max_per_department {policy.max_per_department}"
                )

    # Pinned pairs.
    if feasible:
        for e_id, m_id in policy.pinned_pairs:
            if (e_id, m_id) not in seen:
                out.append(f"pinned pair ({e_id}, {m_id}) is missing")
    pinned = set(policy.pinned_pairs)
    for pair in result.pairs:
        if pair.pinned and (pair.mentee_id, pair.mentor_id) not in pinned:
            out.append(f"pair ({pair.mentee_id}, {pair.mentor_id}) is marked pinned but is not")

    # Scores and the objective.
    expected = _expected_scores(cohort, policy, [ij for _, ij in known])
    for (pos, _), (total, raw) in zip(known, expected, strict=True):
        pair = result.pairs[pos]
        name = f"pair ({pair.mentee_id}, {pair.mentor_id})"
        if math.isnan(total) or abs(pair.score - total) > TOLERANCE:
            out.append(f"{name} has score {pair.score!r}, recomputed {total!r}")
        given = dict(pair.components)
        if set(given) != set(raw):
            out.append(f"{name} lists components {sorted(given)}, expected {sorted(raw)}")
        for comp, value in raw.items():
            if comp in given and abs(given[comp] - value) > TOLERANCE:
                out.append(f"{name} has {comp} {given[comp]!r}, recomputed {value!r}")
    total = math.fsum(p.score for p in result.pairs)
    if abs(result.objective - total) > TOLERANCE * max(1, len(result.pairs)):
        out.append(f"objective {result.objective!r} differs from the sum of pair scores {total!r}")

    # Unmatched entries against the pairs.
    listed_unmatched: set[str] = set()
    for u in result.unmatched:
        if u.mentee_id not in mentees:
            out.append(f"unmatched entry for {u.mentee_id}, who is not a mentee")
        elif u.mentee_id in listed_unmatched:
            out.append(f"mentee {u.mentee_id} is listed as unmatched more than once")
        else:
            listed_unmatched.add(u.mentee_id)
            missing = mentees[u.mentee_id][1].capacity - got[u.mentee_id]
            if missing <= 0:
                out.append(f"mentee {u.mentee_id} is listed as unmatched but has every place")
            elif u.missing != missing:
                out.append(f"mentee {u.mentee_id} is missing {missing}, result says {u.missing}")
    for e_id, (_, mentee) in mentees.items():
        if mentee.capacity > got[e_id] and e_id not in listed_unmatched:
            out.append(
                f"mentee {e_id} has {got[e_id]} of {mentee.capacity} mentors "
                "but is not listed as unmatched"
            )

    # Alternates must be mentors the mentee did not get.
    for alt in result.alternates:
        if (alt.mentee_id, alt.mentor_id) in seen:
            out.append(f"alternate ({alt.mentee_id}, {alt.mentor_id}) is an assigned pair")

    # Status, bound and gap.
    out.extend(_status_violations(result))
    return out


def _status_violations(result: MatchResult) -> list[str]:
    out = []
    if result.status is Status.INFEASIBLE:
        if not result.conflicts:
            out.append("status is infeasible but no conflict is given")
        if result.pairs:
            out.append(f"status is infeasible but {len(result.pairs)} pairs are given")
        return out
    if result.conflicts:
        out.append(f"status is {result.status.value} but conflicts are given")
    if result.status is Status.OPTIMAL and result.gap is not None and abs(result.gap) > TOLERANCE:
        out.append(f"status is optimal but the gap is {result.gap!r}")
    if result.bound is not None:
        if result.bound < result.objective - TOLERANCE * max(1, len(result.pairs)):
            out.append(f"bound {result.bound!r} is below the objective {result.objective!r}")
        if result.gap is not None:
            gap = (result.bound - result.objective) / max(1.0, abs(result.bound))
            if abs(result.gap - gap) > TOLERANCE:
                out.append(f"gap {result.gap!r} does not match bound and objective ({gap!r})")
    return out
