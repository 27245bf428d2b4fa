"""Fairness (max-min, then total) and side rules (minimum loads, department caps), next to
a plain solve.

Fairness: the generated cohort (mentor capacity as configured, no minimum loads) is
solved with the default objective and with ``objective = "fair"``, taking turns
``repeat`` times so both see the same machine load; both through ``solve()``, both
checked. The fair result is exact (threshold search over flow feasibility), so its
"bound" is itself; we report its worst and total score against the plain solve, whose
total is the upper bound on any total.

Side rules: the same cohort keeps the generated minimum loads (5% of mentors must take
at least one mentee) and the policy caps each mentor at ``max_per_department`` mentees
of one department. ``solve()`` keeps both inside the exact min-cost flow (lower bounds,
mentor x department sub-nodes) and certifies it; it takes turns with the plain solve of
the cohort without either rule. Beside it, once, the same policy with ``solver =
"cpsat"`` (warm-started from the flow, time limit ``side_s``), reported against its bound.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from benchmarks.common import bench_cohort, cohort_args, in_worker, require_valid
from benchmarks.timing import side_by_side, timed
from matcher.io.policy import preset
from matcher.model import Objective, SolverChoice
from matcher.solve import solve

MAX_PER_DEPARTMENT = 2


def _timed_solves(cohort, policy, repeat: int):
    timing, result = timed(lambda: solve(cohort, policy), repeat)
    return _checked(cohort, policy, (timing, result))


def _checked(cohort, policy, turn):
    """``turn`` = (timing, result), after the checker passed the result."""
    result = turn[1]
    require_valid(cohort, policy, result, f"solve() with {policy.objective.value}/{result.solver}")
    return turn


def _in_turns(runs: dict, repeat: int) -> dict:
    """name -> (cohort, policy): solved taking turns, checked; name -> (timing, result)."""
    solves = {name: partial(solve, *inputs) for name, inputs in runs.items()}
    turns = side_by_side(solves, repeat)
    return {name: _checked(*runs[name], turns[name]) for name in runs}


def _facts(timing, result) -> dict:
    return {
        "time": timing.summary(),
        "solver": result.solver,
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "certified": result.certified,
        "matched_places": result.metrics.matched_places,
        "min_score": result.metrics.min_score,
        "checker": "passed",
        "notes": list(result.notes),
    }


def task(n_mentees, n_mentors, seed, program, capacity, repeat):
    """Plain and fair solve of one cohort (inside a worker process)."""
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity)
    policy = preset(program)
    fair_policy = replace(policy, objective=Objective.FAIR)
    turns = _in_turns({"plain": (cohort, policy), "fair": (cohort, fair_policy)}, repeat)
    plain, fair = _facts(*turns["plain"]), _facts(*turns["fair"])
    fair["ratio_to_plain"] = round(fair["time"]["median_s"] / plain["time"]["median_s"], 3)
    fair["total_vs_plain"] = fair["objective"] / plain["objective"] if plain["objective"] else None
    return {"size": [n_mentees, n_mentors], "plain": plain, "fair": fair}


def side_task(n_mentees, n_mentors, seed, program, capacity, repeat, time_limit):
    """Minimum loads + department caps (exact flow; CP-SAT on request) against a plain solve."""
    plain_cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity)
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity, min_loads=True)
    base = preset(program)
    policy = replace(base, max_per_department=MAX_PER_DEPARTMENT, time_limit_seconds=time_limit)
    turns = _in_turns({"plain": (plain_cohort, base), "side": (cohort, policy)}, repeat)
    plain, side = _facts(*turns["plain"]), _facts(*turns["side"])
    side["ratio_to_plain"] = round(side["time"]["median_s"] / plain["time"]["median_s"], 3)
    side["min_loads"] = sum(1 for m in cohort.mentors if m.min_capacity > 0)
    side["max_per_department"] = MAX_PER_DEPARTMENT
    forced = replace(policy, solver=SolverChoice.CPSAT)
    cpsat = _facts(*_timed_solves(cohort, forced, 1))
    cpsat["ratio_to_plain"] = round(cpsat["time"]["median_s"] / plain["time"]["median_s"], 3)
    cpsat["time_limit_s"] = time_limit
    return {"size": [n_mentees, n_mentors], "plain": plain, "side_rules": side, "cpsat": cpsat}


def run(config) -> dict:
    """Both measurements at ``config.side_size``, each in its own process."""
    n_e, n_m = config.side_size
    common = {**cohort_args(config, config.side_size), "repeat": config.repeat}
    fair = in_worker(
        "fairness", common, config.cap_s, f"fairness {n_e}x{n_m}", lambda a: _line(a, "fair")
    )
    side = in_worker(
        "side_rules",
        {**common, "time_limit": config.side_s},
        config.cap_s,
        f"side rules {n_e}x{n_m}",
        lambda a: _line(a, "side_rules"),
    )
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "note": "fair = most places, then the best worst score, then the total (exact). "
        f"Side rules: generated minimum loads + max_per_department={MAX_PER_DEPARTMENT}, "
        f"CP-SAT time limit {config.side_s:g} s.",
        "fairness": fair,
        "side_rules": side,
    }


def _line(answer: dict, key: str) -> str:
    part = answer[key]
    return (
        f"{part['time']['median_s']} s ({part['ratio_to_plain']}x plain), {part['status']}, "
        f"gap {part['gap']}"
    )
