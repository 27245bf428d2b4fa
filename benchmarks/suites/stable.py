"""Stable matching: our deferred acceptance against the ``matching`` package.

Cohorts are generated with every mentor at the configured capacity and every mentee
wanting one mentor (the package's hospital-resident game gives a resident one hospital).
Both solvers get the very same strict preferences: ours derives them from the instance
(stated lists first, then score, ties to the lower index), and the package is given
those lists (``preference_ranks``). Both results are checked for blocking pairs with
``matcher.solvers.stable.blocking_pairs`` and by the checker; the mentee-optimal stable
matching is unique, so the two must be the same pairs. The max-score (flow) result's
blocking pairs are counted too. The package runs once per size, in its own process,
under a time cap (it is pure Python and slow).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import numpy as np

from benchmarks.common import bench_cohort, checked_result, isolated, summary, timed_runs
from matcher.encode.prepare import build_instance
from matcher.io.policy import preset
from matcher.model import Objective, Status
from matcher.solvers.flow import solve_total
from matcher.solvers.preferences import UNACCEPTABLE, preference_ranks
from matcher.solvers.stable import blocking_pairs, solve_stable


def _setup(n_mentees, n_mentors, seed, program, capacity):
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity, single=True)
    policy = replace(preset(program), objective=Objective.STABLE)
    instance, features = build_instance(cohort, policy)
    return cohort, policy, instance, features


def task_ours(n_mentees, n_mentors, seed, program, capacity, repeat):
    """Our stable matching and the max-score result's blocking pairs (in a worker)."""
    cohort, policy, instance, features = _setup(n_mentees, n_mentors, seed, program, capacity)
    seconds, solution = timed_runs(lambda: solve_stable(instance, policy), repeat)
    checked_result(cohort, policy, instance, features, solution.pairs, "stable")
    started = time.perf_counter()
    blocking = blocking_pairs(instance, solution.pairs, policy)
    blocking_s = time.perf_counter() - started
    best = solve_total(instance, policy)
    checked_result(cohort, policy, instance, features, best.pairs, "flow", Status.FEASIBLE)
    return {
        "size": [n_mentees, n_mentors],
        "time": summary(seconds),
        "pairs": len(solution.pairs),
        "blocking_pairs": len(blocking),
        "blocking_check_s": round(blocking_s, 4),
        "max_score_pairs": len(best.pairs),
        "max_score_blocking_pairs": len(blocking_pairs(instance, best.pairs, policy)),
        "checker": "passed",
    }


def task_package(n_mentees, n_mentors, seed, program, capacity):
    """The ``matching`` package's resident-optimal matching on the same preferences."""
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    cohort, policy, instance, features = _setup(n_mentees, n_mentors, seed, program, capacity)
    mentee_rank, mentor_rank = preference_ranks(instance)
    residents, hospitals = {}, {}
    for i in range(instance.shape[0]):
        ok = np.flatnonzero(mentee_rank[i] != UNACCEPTABLE)
        residents[i] = ok[np.argsort(mentee_rank[i, ok], kind="stable")].tolist()
    for j in range(instance.shape[1]):
        ok = np.flatnonzero(mentor_rank[:, j] != UNACCEPTABLE)
        hospitals[j] = ok[np.argsort(mentor_rank[ok, j], kind="stable")].tolist()
    capacities = {j: int(instance.capacity[j]) for j in range(instance.shape[1])}
    started = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    create_s = time.perf_counter() - started
    started = time.perf_counter()
    matching = game.solve(optimal="resident")
    solve_s = time.perf_counter() - started
    pairs = sorted((int(r.name), int(h.name)) for h, rs in matching.items() for r in rs)
    checked_result(cohort, policy, instance, features, pairs, "matching package")
    ours = solve_stable(instance, policy)
    return {
        "size": [n_mentees, n_mentors],
        "create_s": round(create_s, 3),
        "solve_s": round(solve_s, 3),
        "time": summary([create_s + solve_s]),
        "pairs": len(pairs),
        "blocking_pairs": len(blocking_pairs(instance, pairs, policy)),
        "same_as_ours": tuple(map(tuple, pairs)) == tuple(ours.pairs),
        "checker": "passed",
    }


def run(config) -> dict:
    """Ours and the package at every stable size, each in its own process."""
    rows = []
    for n_e, n_m in config.stable_sizes:
        kwargs = dict(
            n_mentees=n_e,
            n_mentors=n_m,
            seed=config.seed,
            program=config.program,
            capacity=config.capacity,
        )
        ours = isolated("stable_ours", {**kwargs, "repeat": config.repeat}, config.cap_s)
        print(f"  stable {n_e}x{n_m} ours: {_line(ours)}", flush=True)
        package = isolated("stable_package", kwargs, config.stable_cap_s)
        print(f"  stable {n_e}x{n_m} matching package: {_line(package)}", flush=True)
        ratio = None
        if "error" not in ours and "error" not in package:
            ratio = round(ours["time"]["median_s"] / package["time"]["median_s"], 5)
        rows.append({"size": [n_e, n_m], "ours": ours, "package": package, "ratio": ratio})
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "mentee_wants": 1,
        "package_cap_s": config.stable_cap_s,
        "note": "ours: solve_stable on the built instance (median of repeats); package: "
        "matching.games.HospitalResident create + solve(optimal='resident'), run once.",
        "rows": rows,
    }


def _line(answer: dict) -> str:
    if "error" in answer:
        return f"FAILED: {answer['error']}"
    time_s, blocking = answer["time"]["median_s"], answer["blocking_pairs"]
    return f"{time_s} s, {answer['pairs']} pairs, {blocking} blocking"
