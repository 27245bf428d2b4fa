"""Scale: end-to-end time, time per stage and peak memory on generated cohorts.

Each size runs in a fresh process (:func:`benchmarks.common.isolated`), so its peak RSS
is its own. In that process: generate the cohort (every mentor at the configured
capacity, minimum loads removed so the default flow path applies), write it to CSV and
time ``read_cohort`` (read + validate), then time ``solve()`` ``repeat`` times (wall and
CPU time; the CPU time counts every thread, see ``--threads``); the stages (build = rules
+ scores, candidates, flow, certify, explain) come from ``MatchResult.timings``. The last
result goes through the checker.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.common import bench_cohort, cohort_args, in_worker, require_valid
from benchmarks.timing import peak_rss_mib, timed
from matcher.io.cohort_csv import read_cohort, write_cohort
from matcher.io.policy import preset
from matcher.solve import solve


def task(n_mentees: int, n_mentors: int, seed: int, program: str, capacity: int, repeat: int):
    """Measure one size (run inside a worker process); see the module docstring."""
    cohort = bench_cohort(n_mentees, n_mentors, seed, capacity=capacity)
    policy = preset(program)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.csv"
        write_cohort(cohort, path)
        csv_bytes = path.stat().st_size
        read_time, read = timed(lambda: read_cohort(path), repeat)
    if read != cohort:
        raise AssertionError("the cohort read back from CSV differs from the one written")
    stages_of_runs = []

    def once():
        result = solve(cohort, policy)
        stages_of_runs.append(dict(result.timings))
        return result

    solve_time, result = timed(once, repeat)
    check_time, _ = timed(lambda: require_valid(cohort, policy, result, "solve()"))
    stages = {
        stage: round(statistics.median(t.get(stage, 0.0) for t in stages_of_runs), 4)
        for stage in stages_of_runs[0]
    }
    return {
        "size": [n_mentees, n_mentors],
        "pairs": n_mentees * n_mentors,
        "csv_bytes": csv_bytes,
        "read_validate": read_time.summary(),
        "solve": solve_time.summary(),
        "end_to_end_s": round(read_time.median_s + solve_time.median_s, 4),
        "stages": stages,
        "solver": result.solver,
        "status": result.status.value,
        "certified": result.certified,
        "gap": result.gap,
        "objective": result.objective,
        "matched_places": result.metrics.matched_places,
        "wanted_places": result.metrics.wanted_places,
        "checker": "passed",
        "check_s": round(check_time.median_s, 4),
        "peak_rss_mib": peak_rss_mib(),
        "notes": list(result.notes),
    }


def run(config) -> dict:
    """Every configured size, each in its own process; failures are recorded, not hidden."""
    rows = []
    for n_e, n_m in config.sizes:
        kwargs = {**cohort_args(config, (n_e, n_m)), "repeat": config.repeat}
        cap = max(config.cap_s, 60.0 * config.repeat)
        answer = in_worker("scale", kwargs, cap, f"scale {n_e}x{n_m}", _line)
        rows.append({"size": [n_e, n_m]} | answer)
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "threads": config.threads,
        "note": "generated cohorts (matcher.io.generate), min loads removed so the flow path "
        "applies; mentees keep the generated wants (95% one mentor, 5% two). Peak RSS is "
        "the whole worker process (generation, CSV, repeats).",
        "rows": rows,
    }


def _line(answer: dict) -> str:
    return (
        f"solve {answer['solve']['median_s']} s, read {answer['read_validate']['median_s']} s, "
        f"{answer['status']}, certified {answer['certified']}, "
        f"peak {answer['peak_rss_mib']} MiB"
    )
