"""Who is matched to whom: ids, repeats, capacities, loads, department caps, pinned pairs,
and the unmatched rows that must mirror the pairs. One function per concern, each taking
``(cohort, policy, result)`` and returning its violations in words.
"""

from __future__ import annotations

from collections import Counter

from matcher.checker.base import counts, known_pairs, normaliser, people, plural
from matcher.model import Cohort, Policy
from matcher.results import MatchResult, Status


def unknown_ids(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Pairs naming someone who is not in the cohort, or not in that role.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check.

    Returns
    -------
    list of str
        Per pair, the mentee side first.
    """
    index = people(cohort)
    out = []
    for pair in result.pairs:
        e_id, m_id = pair.mentee_id, pair.mentor_id
        if e_id not in index.mentees:
            role = "a mentor, not a mentee" if e_id in index.mentors else "not in the cohort"
            out.append(f"pair ({e_id}, {m_id}): mentee {e_id} is {role}")
        if m_id not in index.mentors:
            role = "a mentee, not a mentor" if m_id in index.mentees else "not in the cohort"
            out.append(f"pair ({e_id}, {m_id}): mentor {m_id} is {role}")
    return out


def duplicate_pairs(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Pairs listed more than once (each reported once)."""
    listed = Counter((p.mentee_id, p.mentor_id) for p in result.pairs)
    return [f"pair ({e}, {m}) appears more than once" for (e, m), n in listed.items() if n > 1]


def capacities(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Mentees with more mentors than wanted, mentors over capacity, capacity 0 used.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check.

    Returns
    -------
    list of str
        Mentees then mentors, in cohort order.
    """
    got, load = counts(cohort, result)
    out = []
    for mentee in cohort.mentees:
        n = got[mentee.id]
        if n and mentee.capacity == 0:
            out.append(
                f"mentee {mentee.id} sits this round out (capacity 0) but has {plural(n, 'mentor')}"
            )
        elif n > mentee.capacity:
            out.append(f"mentee {mentee.id} has {n} mentors but wants {mentee.capacity}")
    for mentor in cohort.mentors:
        n = load[mentor.id]
        if n and mentor.capacity == 0:
            out.append(
                f"mentor {mentor.id} sits this round out (capacity 0) but has {plural(n, 'mentee')}"
            )
        elif n > mentor.capacity:
            out.append(f"mentor {mentor.id} has {n} mentees, capacity {mentor.capacity}")
    return out


def minimum_loads(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Mentors below their ``min_capacity`` (unless the result says it is infeasible)."""
    if result.status is Status.INFEASIBLE:
        return []
    _, load = counts(cohort, result)
    return [
        f"mentor {m.id} has {load[m.id]} mentees, below the minimum {m.min_capacity}"
        for m in cohort.mentors
        if load[m.id] < m.min_capacity
    ]


def department_caps(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Mentors with more than ``max_per_department`` mentees of one department.

    Parameters
    ----------
    cohort, policy : the inputs; departments are compared normalised.
    result : the result to check (each distinct pair counted once).

    Returns
    -------
    list of str
        Sorted by mentor id, then department.
    """
    cap = policy.max_per_department
    if cap is None:
        return []
    norm = normaliser(policy.aliases)
    per: Counter[tuple[str, str]] = Counter(
        (mentor.id, norm(mentee.department))
        for _, mentee, mentor in known_pairs(cohort, result)
        if mentee.department
    )
    return [
        f"mentor {m_id} has {n} mentees from department {dept!r}, "
        f"more than max_per_department {cap}"
        for (m_id, dept), n in sorted(per.items())
        if n > cap
    ]


def pinned_present(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Pinned pairs missing from a feasible result."""
    if result.status is Status.INFEASIBLE:
        return []
    made = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    return [
        f"pinned pair ({e}, {m}) is missing"
        for e, m in dict.fromkeys(policy.pinned_pairs)
        if (e, m) not in made
    ]


def pinned_marks(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Pairs whose ``pinned`` flag disagrees with the policy's pinned pairs."""
    pinned = set(policy.pinned_pairs)
    out = []
    for p in result.pairs:
        if p.pinned != ((p.mentee_id, p.mentor_id) in pinned):
            state = "marked pinned but is not" if p.pinned else "pinned but not marked so"
            out.append(f"pair ({p.mentee_id}, {p.mentor_id}) is {state}")
    return out


def unmatched_rows(cohort: Cohort, policy: Policy, result: MatchResult) -> list[str]:
    """Unmatched rows against the pairs: one per short mentee, missing = wanted - got.

    Parameters
    ----------
    cohort, policy : the inputs.
    result : the result to check.

    Returns
    -------
    list of str
        First per unmatched row (in result order), then short mentees without a row.
    """
    index = people(cohort)
    got, _ = counts(cohort, result)
    out = []
    listed: set[str] = set()
    for row in result.unmatched:
        e_id = row.mentee_id
        if e_id not in index.mentees:
            out.append(f"unmatched entry for {e_id}, who is not a mentee")
            continue
        if e_id in listed:
            out.append(f"mentee {e_id} is listed as unmatched more than once")
            continue
        listed.add(e_id)
        missing = index.mentees[e_id][1].capacity - got[e_id]
        if missing <= 0:
            out.append(f"mentee {e_id} is listed as unmatched but has every place")
        elif row.missing != missing:
            out.append(f"mentee {e_id} is missing {missing}, result says {row.missing}")
    for mentee in cohort.mentees:
        if mentee.capacity > got[mentee.id] and mentee.id not in listed:
            out.append(
                f"mentee {mentee.id} has {got[mentee.id]} of {mentee.capacity} mentors "
                "but is not listed as unmatched"
            )
    return out
