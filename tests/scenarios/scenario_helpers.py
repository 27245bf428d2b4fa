"""Small cohorts built by hand, and a brute-force oracle for the rematch objective."""

from __future__ import annotations

import itertools
from dataclasses import replace

from matcher.encode.prepare import prepare
from matcher.io.records import cohort_from_records
from matcher.model import Policy, SeniorityRule, Weights

# Skills only, no seniority or other rules: scores are easy to reason about.
POLICY = Policy(weights=Weights(skills=1.0), seniority=SeniorityRule())


def person(pid, role, skills, capacity=1, **extra):
    return {"id": pid, "role": role, "skills": skills, "capacity": capacity, **extra}


def cohort_of(*records):
    return cohort_from_records(list(records))


def brute_force(cohort, policy, previous, move_cost=None):
    """The best (places, kept-or-trade, score) over every assignment, by enumeration.

    Returns (places, kept, score) of the lexicographic optimum, or with ``move_cost``
    (places, score + move_cost * kept) with kept unused in the order.
    """
    instance = prepare(cohort, policy).instance
    n_e, n_m = instance.shape
    options = []
    for i in range(n_e):
        ok = [j for j in range(n_m) if instance.eligible[i, j] and instance.capacity[j] > 0]
        subsets = [()]
        for size in range(1, int(instance.wanted[i]) + 1):
            subsets += list(itertools.combinations(ok, size))
        options.append(subsets)
    old = {(e, m) for e, m in previous}
    best = None
    for choice in itertools.product(*options):
        load = [0] * n_m
        for subset in choice:
            for j in subset:
                load[j] += 1
        if any(load[j] > instance.capacity[j] for j in range(n_m)):
            continue
        pairs = [(i, j) for i, subset in enumerate(choice) for j in subset]
        pinned = set(instance.pinned)
        if not pinned <= set(pairs):
            continue
        score = sum(float(instance.scores[i, j]) for i, j in pairs)
        kept = sum((instance.mentee_ids[i], instance.mentor_ids[j]) in old for i, j in pairs)
        key = (
            (len(pairs), kept, score)
            if move_cost is None
            else (len(pairs), score + move_cost * kept)
        )
        if best is None or _better(key, best):
            best = key
    return best


def _better(a, b, tol=1e-9):
    for x, y in zip(a, b, strict=True):
        if x > y + tol:
            return True
        if x < y - tol:
            return False
    return False


def without_min_loads(cohort):
    return replace(cohort, mentors=tuple(replace(m, min_capacity=0) for m in cohort.mentors))
