"""Baselines: our flow solver and six other methods on the identical instance.

Per size, the cohort is generated with every mentor at the configured capacity and every
mentee wanting exactly one mentor (the generator gives 5% of mentees two; scipy's
assignment routes replicate mentor columns only, since replicating mentee rows too
could pair the same two people twice). :func:`benchmarks.common.prepared` gives the score
matrix and eligibility, deterministically, in each method's own process (so each
method's peak RSS is its own); ineligible pairs are never used. Methods too large for
their limit (see :class:`benchmarks.config.Config`) are skipped with the reason; each
runs under a time cap. Every output goes through the checker. "Equal" means the same
matched count and total score within 1e-6 relative.

Besides the other libraries, our own flow with every eligible pair as an arc
(``flow_dense``) shows what the certified candidate graph saves in time and memory.
"""

from __future__ import annotations

from benchmarks import baselines as methods
from benchmarks.common import (
    bench_cohort,
    checked_result,
    cohort_args,
    in_worker,
    prepared,
    total_of,
)
from benchmarks.timing import timed
from matcher.io.policy import preset
from matcher.solvers.flow import solve_total
from matcher.solvers.integers import to_int

METHODS = ("ours", "flow_dense", "lsa", "min_weight_full", "mcf_dense", "greedy", "cpsat")
EXACT = ("flow_dense", "lsa", "min_weight_full", "mcf_dense", "cpsat")
ALL_ARCS = 10**12  # a dense_limit no pool reaches: every eligible pair becomes an arc
FUNCTIONS = {
    "lsa": methods.lsa_dense,
    "min_weight_full": methods.min_weight_full,
    "mcf_dense": methods.mcf_dense,
    "greedy": methods.greedy,
}
LABELS = {
    "ours": "ours: solve_total (candidate graph + certificate)",
    "flow_dense": "ours, all pairs: solve_total with every eligible pair an arc",
    "lsa": "scipy linear_sum_assignment, replicated columns",
    "min_weight_full": "scipy min_weight_full_bipartite_matching, replicated columns",
    "mcf_dense": "OR-Tools SimpleMinCostFlow, all eligible pairs",
    "greedy": "greedy by score",
    "cpsat": "plain CP-SAT, all pairs, 2 workers",
}


def _solve(method: str, instance, policy, time_limit: float):
    if method in ("ours", "flow_dense"):
        limit = {"dense_limit": ALL_ARCS} if method == "flow_dense" else {}
        solution = solve_total(instance, policy, **limit)
        facts = {"status": solution.status.value, "certified": solution.certified}
        return solution.pairs, {**facts, "notes": list(solution.notes)}
    if method == "cpsat":
        return methods.cpsat_plain(instance, time_limit, workers=2, seed=policy.seed)
    return FUNCTIONS[method](instance), {}


def task(n_mentees, n_mentors, seed, program, capacity, method, repeat, slow_after, time_limit):
    """Time one method on one size (inside a worker process); see the module docstring."""
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity, single=True)
    policy = preset(program)
    build_time, (instance, prep) = timed(lambda: prepared(cohort, policy))
    timing, (pairs, facts) = timed(
        lambda: _solve(method, instance, policy, time_limit), repeat, slow_after
    )
    if pairs is None:  # plain CP-SAT without a solution in its time limit: nothing to check
        return {"method": method, "time": timing.summary(), "no_solution": True, **facts}
    checked_result(cohort, policy, instance, prep, pairs, method)
    matched, total = total_of(instance, pairs)
    scaled = int(to_int(instance.scores[tuple(zip(*pairs, strict=True))]).sum()) if pairs else 0
    return {
        "method": method,
        "time": timing.summary(),
        "build_s": round(build_time.median_s, 4),
        "eligible_pairs": int(methods.eligible_pairs(instance)[0].size),
        "matched": matched,
        "total": total,
        "scaled_total": scaled,
        "checker": "passed",
        **facts,
    }


def problem_size(method: str, n_e: int, n_m: int, capacity: int) -> int:
    """The figure a method's limit is compared with (an upper bound before building)."""
    if method in ("lsa", "min_weight_full"):
        return n_e * n_m * capacity
    return n_e * n_m


def equal(ours: dict, theirs: dict) -> bool:
    """Same matched count and total score within 1e-6 relative."""
    same_count = ours["matched"] == theirs["matched"]
    scale = max(1.0, abs(ours["total"]))
    return same_count and abs(ours["total"] - theirs["total"]) <= 1e-6 * scale


def run(config) -> dict:
    """Every method at every size it fits; ratios and equality against ours."""
    sizes = []
    for n_e, n_m in config.sizes:
        entry = {"size": [n_e, n_m], "methods": {}, "skipped": {}}
        to_run = []
        for method in METHODS[1:]:
            need = problem_size(method, n_e, n_m, config.capacity)
            if need > config.limits[method]:
                entry["skipped"][method] = f"size {need:,} > limit {config.limits[method]:,}"
            else:
                to_run.append(method)
        if not to_run:
            entry["note"] = "every baseline is over its memory/size limit here"
            sizes.append(entry)
            print(f"  baselines {n_e}x{n_m}: all skipped", flush=True)
            continue
        for method in ("ours", *to_run):
            kwargs = {
                **cohort_args(config, (n_e, n_m)),
                "method": method,
                "repeat": config.repeat,
                "slow_after": config.slow_after_s,
                "time_limit": config.cpsat_s,
            }
            label = f"baselines {n_e}x{n_m} {method}"
            entry["methods"][method] = in_worker("baseline", kwargs, config.cap_s, label, _line)
        _compare(entry)
        sizes.append(entry)
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "mentee_wants": 1,
        "labels": LABELS,
        "limits": config.limits,
        "cap_s": config.cap_s,
        "note": "mentees want exactly one mentor here (scipy routes replicate mentor columns "
        "only). Baselines slower than slow_after_s per run are not repeated. 'ours' is the "
        "solver alone (solve_total) on the instance; build time is listed separately.",
        "sizes": sizes,
    }


def _compare(entry: dict) -> None:
    ours = entry["methods"].get("ours", {})
    for method, answer in entry["methods"].items():
        if method == "ours" or "error" in answer or "error" in ours or "no_solution" in answer:
            continue
        answer["equal_to_ours"] = equal(ours, answer)
        answer["ours_over_theirs"] = round(ours["time"]["median_s"] / answer["time"]["median_s"], 4)
        answer["total_vs_ours"] = answer["total"] / ours["total"] if ours["total"] else None


def _line(answer: dict) -> str:
    if answer.get("no_solution"):
        return f"no solution within the time limit ({answer['status']})"
    return (
        f"{answer['time']['median_s']} s, {answer['matched']} matched, total {answer['total']:.4f}"
    )
