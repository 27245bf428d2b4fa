"""Rematch: one mentor leaves; ``rematch()`` against a fresh ``solve()`` of the same cohort.

Per size and path, in a fresh process: generate the cohort (every mentor at the
configured capacity) and solve it; that assignment is the previous one. The leaver is
the mentor with the most mentees among those without a minimum load (ties to the larger
id). Then, taking turns ``repeat`` times so both see the same machine load, time
``rematch(cohort, policy, previous, {"remove_mentors": [leaver]})`` and a fresh
``solve()`` of the cohort without the leaver (the rematch's own new cohort): the fresh
solve is what a coordinator would run instead. Both results go through the checker.

Reported: times and their ratio, the rematch's moves, and how many previous pairs each
keeps (counted here from the pairs, not taken from the rematch), matched places and
total score: a rematch must match as many places as the fresh solve (when both are
optimal) and keeps far more pairs for a slightly lower total. Paths: ``flow`` (minimum
loads removed, the certified flow) and ``min_loads`` (the generated minimum loads, the
certified bounded flow).
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.common import bench_cohort, cohort_args, in_worker, require_valid
from benchmarks.timing import side_by_side
from matcher.io.policy import preset
from matcher.solve import solve
from matcher.whatif.rematch import rematch

PATHS = ("flow", "min_loads")


def _leaver(cohort, previous) -> tuple[str, int]:
    """The mentor without a minimum load who has the most mentees, and that number."""
    load: dict[str, int] = {}
    for _, mentor in previous:
        load[mentor] = load.get(mentor, 0) + 1
    free = [m.id for m in cohort.mentors if m.min_capacity == 0 and m.id in load]
    leaver = max(free, key=lambda m: (load[m], m))
    return leaver, load[leaver]


def _facts(timing, result, previous: set) -> dict:
    pairs = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    return {
        "time": timing.summary(),
        "solver": result.solver,
        "status": result.status.value,
        "matched_places": result.metrics.matched_places,
        "objective": result.objective,
        "kept": len(pairs & previous),
        "checker": "passed",
    }


def task(n_mentees, n_mentors, seed, program, capacity, repeat, path, time_limit):
    """Rematch and fresh solve of one cohort after one mentor leaves (in a worker)."""
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity, min_loads=path != "flow")
    policy = replace(preset(program), time_limit_seconds=time_limit)
    previous = [(p.mentee_id, p.mentor_id) for p in solve(cohort, policy).pairs]
    leaver, leaver_mentees = _leaver(cohort, previous)
    changes = {"remove_mentors": [leaver]}
    latest = {}

    def run_rematch():
        latest["outcome"] = rematch(cohort, policy, previous, changes)
        return latest["outcome"]

    def run_fresh():
        return solve(latest["outcome"].cohort, policy)

    turns = side_by_side({"rematch": run_rematch, "fresh": run_fresh}, repeat)
    (rematch_time, outcome), (fresh_time, fresh) = turns["rematch"], turns["fresh"]
    require_valid(outcome.cohort, outcome.policy, outcome.result, "rematch()")
    require_valid(outcome.cohort, policy, fresh, "solve() without the leaver")
    ours = _facts(rematch_time, outcome.result, set(previous))
    ours["moves"] = len(outcome.moves)
    theirs = _facts(fresh_time, fresh, set(previous))
    both_optimal = ours["status"] == theirs["status"] == "optimal"
    return {
        "size": [n_mentees, n_mentors],
        "path": path,
        "min_loads": sum(1 for m in cohort.mentors if m.min_capacity > 0),
        "leaver": leaver,
        "leaver_mentees": leaver_mentees,
        "previous_pairs": len(previous),
        "rematch": ours,
        "fresh": theirs,
        "ratio": round(rematch_time.median_s / fresh_time.median_s, 3),
        "places_below_fresh": both_optimal and ours["matched_places"] < theirs["matched_places"],
    }


def run(config) -> dict:
    """Both paths at every rematch size, each in its own process."""
    rows = []
    for size in config.rematch_sizes:
        for path in PATHS:
            kwargs = {
                **cohort_args(config, size),
                "repeat": config.repeat,
                "path": path,
                "time_limit": config.side_s,
            }
            label = f"rematch {size[0]}x{size[1]} {path}"
            answer = in_worker("rematch", kwargs, config.cap_s, label, _line)
            rows.append({"size": list(size), "path": path} | answer)
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "time_limit_s": config.side_s,
        "note": "one mentor (the busiest without a minimum load) leaves; rematch() against "
        "a fresh solve() of the cohort without that mentor, taking turns, median of "
        "repeats. 'kept' counts previous pairs still in each result. flow: minimum loads "
        "removed; min_loads: the generated minimum loads (the bounded flow).",
        "rows": rows,
    }


def _line(answer: dict) -> str:
    ours, theirs = answer["rematch"], answer["fresh"]
    return (
        f"rematch {ours['time']['median_s']} s vs fresh {theirs['time']['median_s']} s, "
        f"{ours['moves']} moves, kept {ours['kept']} vs {theirs['kept']} of "
        f"{answer['previous_pairs']}"
    )
