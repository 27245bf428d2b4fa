"""Stable matching: our deferred acceptance against the ``matching`` package and plain Python.

Cohorts are generated with every mentor at the configured capacity and every mentee
wanting one mentor (the package's hospital-resident game gives a resident one hospital).
Every method gets the very same strict preferences: ours derives them from the instance
(stated lists first, then score, ties to the lower index), and the baselines are given
those lists (``preference_ranks``). Results are checked for blocking pairs with
``matcher.solvers.stable.blocking_pairs`` and by the checker; the mentee-optimal stable
matching is unique, so every mentee-proposing method must give the same pairs.

* ours: ``solve_stable``, mentee-proposing (median of repeats, with its rounds), then
  mentor-proposing on the same instance; the max-score (flow) result's blocking pairs
  are counted too, to show what stability costs and buys.
* the ``matching`` package: ``HospitalResident`` create + ``solve(optimal='resident')``.
* plain Python: :func:`python_deferred_acceptance`, one proposal at a time (the textbook
  algorithm our numpy rounds replace), timed from the rank matrices.

Each baseline runs once per size, in its own process, under a time cap (both are pure
Python and slow).
"""

from __future__ import annotations

import heapq
import sys
from collections import deque
from dataclasses import replace

import numpy as np

from benchmarks.common import bench_cohort, checked_result, cohort_args, in_worker, prepared
from benchmarks.timing import timed
from matcher.io.policy import preset
from matcher.model import Objective, Proposer
from matcher.results import Status
from matcher.solvers.flow import solve_total
from matcher.solvers.preferences import UNACCEPTABLE, preference_ranks
from matcher.solvers.stable import blocking_pairs, solve_stable


def _setup(n_mentees, n_mentors, seed, program, capacity):
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity, single=True)
    policy = replace(preset(program), objective=Objective.STABLE)
    instance, prep = prepared(cohort, policy)
    return cohort, policy, instance, prep


def _rounds(solution) -> int | None:
    found = [n.split(": ", 1)[1] for n in solution.notes if n.startswith("rounds: ")]
    return int(found[0]) if found else None


def _best_first(rank: np.ndarray) -> list[list[int]]:
    """Per row, the acceptable columns ordered best first."""
    lists = []
    for row in rank:
        ok = np.flatnonzero(row != UNACCEPTABLE)
        lists.append(ok[np.argsort(row[ok], kind="stable")].tolist())
    return lists


def python_deferred_acceptance(mentee_rank: np.ndarray, mentor_rank: np.ndarray, wanted, capacity):
    """Mentee-proposing deferred acceptance in plain Python, one proposal at a time.

    Parameters
    ----------
    mentee_rank, mentor_rank : from :func:`matcher.solvers.preferences.preference_ranks`.
    wanted, capacity : places per mentee and per mentor.

    Returns
    -------
    tuple of (mentee, mentor)
        The mentee-optimal stable matching, sorted. A queue holds mentees with places
        left; each mentor keeps the mentees it holds in a heap, worst at the root.
    """
    prefs = _best_first(mentee_rank)
    keys = [mentor_rank[i, p].tolist() for i, p in enumerate(prefs)]  # the mentor's rank of i
    need, room = [int(w) for w in wanted], [int(c) for c in capacity]
    pointer = [0] * len(need)
    held: list[list[tuple[int, int]]] = [[] for _ in room]
    queue = deque(i for i, n in enumerate(need) if n > 0)
    while queue:
        i = queue.popleft()
        while need[i] > 0 and pointer[i] < len(prefs[i]):
            j, key = prefs[i][pointer[i]], -keys[i][pointer[i]]  # higher key = preferred
            pointer[i] += 1
            if len(held[j]) < room[j]:
                heapq.heappush(held[j], (key, i))
                need[i] -= 1
            elif room[j] and key > held[j][0][0]:
                _, dropped = heapq.heapreplace(held[j], (key, i))
                need[i] -= 1
                need[dropped] += 1
                queue.append(dropped)
    return tuple(sorted((i, j) for j, mentees in enumerate(held) for _, i in mentees))


def task_ours(n_mentees, n_mentors, seed, program, capacity, repeat):
    """Our stable matching both ways, and the max-score result's blocking pairs (in a worker)."""
    cohort, policy, instance, prep = _setup(n_mentees, n_mentors, seed, program, capacity)
    timing, solution = timed(lambda: solve_stable(instance, policy), repeat)
    checked_result(cohort, policy, instance, prep, solution.pairs, "stable")
    check_time, blocking = timed(lambda: blocking_pairs(instance, solution.pairs, policy))
    by_mentors = replace(policy, proposer=Proposer.MENTOR)
    mentor_time, other = timed(lambda: solve_stable(instance, by_mentors), repeat)
    checked_result(cohort, by_mentors, instance, prep, other.pairs, "stable, mentors propose")
    best = solve_total(instance, policy)
    checked_result(cohort, policy, instance, prep, best.pairs, "flow", Status.FEASIBLE)
    return {
        "size": [n_mentees, n_mentors],
        "time": timing.summary(),
        "rounds": _rounds(solution),
        "pairs": len(solution.pairs),
        "blocking_pairs": len(blocking),
        "blocking_check_s": round(check_time.median_s, 4),
        "mentor_proposing": {
            "time": mentor_time.summary(),
            "rounds": _rounds(other),
            "pairs": len(other.pairs),
            "blocking_pairs": len(blocking_pairs(instance, other.pairs, by_mentors)),
        },
        "max_score_pairs": len(best.pairs),
        "max_score_blocking_pairs": len(blocking_pairs(instance, best.pairs, policy)),
        "checker": "passed",
    }


def task_package(n_mentees, n_mentors, seed, program, capacity):
    """The ``matching`` package's resident-optimal matching on the same preferences."""
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    cohort, policy, instance, prep = _setup(n_mentees, n_mentors, seed, program, capacity)
    mentee_rank, mentor_rank = preference_ranks(instance)
    residents = dict(enumerate(_best_first(mentee_rank)))
    hospitals = dict(enumerate(_best_first(mentor_rank.T)))
    capacities = {j: int(instance.capacity[j]) for j in range(instance.shape[1])}
    create_time, game = timed(
        lambda: HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    )
    solve_time, matching = timed(lambda: game.solve(optimal="resident"))
    pairs = sorted((int(r.name), int(h.name)) for h, rs in matching.items() for r in rs)
    total = create_time.median_s + solve_time.median_s
    return _baseline_answer(cohort, policy, instance, prep, pairs, "matching package") | {
        "create_s": round(create_time.median_s, 3),
        "solve_s": round(solve_time.median_s, 3),
        "time": {"median_s": round(total, 4), "min_s": round(total, 4), "runs": 1},
    }


def task_python(n_mentees, n_mentors, seed, program, capacity):
    """:func:`python_deferred_acceptance` on the same preferences (in a worker)."""
    cohort, policy, instance, prep = _setup(n_mentees, n_mentors, seed, program, capacity)
    mentee_rank, mentor_rank = preference_ranks(instance)
    timing, pairs = timed(
        lambda: python_deferred_acceptance(
            mentee_rank, mentor_rank, instance.wanted, instance.capacity
        )
    )
    answer = _baseline_answer(cohort, policy, instance, prep, pairs, "plain Python")
    return answer | {"time": timing.summary()}


def _baseline_answer(cohort, policy, instance, prep, pairs, name: str) -> dict:
    checked_result(cohort, policy, instance, prep, pairs, name)
    ours = solve_stable(instance, policy)
    return {
        "size": list(instance.shape),
        "pairs": len(pairs),
        "blocking_pairs": len(blocking_pairs(instance, pairs, policy)),
        "same_as_ours": tuple(map(tuple, pairs)) == tuple(ours.pairs),
        "checker": "passed",
    }


def run(config) -> dict:
    """Ours and both baselines at every stable size, each in its own process."""
    rows = []
    for size in config.stable_sizes:
        kwargs = cohort_args(config, size)
        label = f"stable {size[0]}x{size[1]}"
        mine = {**kwargs, "repeat": config.repeat}
        ours = in_worker("stable_ours", mine, config.cap_s, f"{label} ours", _line)
        row = {"size": list(size), "ours": ours}
        for key, task in (("package", "stable_package"), ("python", "stable_python")):
            row[key] = in_worker(task, kwargs, config.stable_cap_s, f"{label} {key}", _line)
        row["ratio"] = _ratio(ours, row["package"])
        row["ratio_python"] = _ratio(ours, row["python"])
        rows.append(row)
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "mentee_wants": 1,
        "package_cap_s": config.stable_cap_s,
        "note": "ours: solve_stable on the built instance (median of repeats), mentees "
        "proposing, then mentors proposing; package: matching.games.HospitalResident "
        "create + solve(optimal='resident'), run once; plain Python: one proposal at a "
        "time with a heap per mentor, run once. All on the same preference lists.",
        "rows": rows,
    }


def _ratio(ours: dict, theirs: dict) -> float | None:
    if "error" in ours or "error" in theirs:
        return None
    return round(ours["time"]["median_s"] / theirs["time"]["median_s"], 5)


def _line(answer: dict) -> str:
    time_s, blocking = answer["time"]["median_s"], answer["blocking_pairs"]
    return f"{time_s} s, {answer['pairs']} pairs, {blocking} blocking"
