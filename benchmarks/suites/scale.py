"""Scale: end-to-end time, time per stage and peak memory on generated cohorts.

Each size runs in a fresh process (:func:`benchmarks.common.isolated`), so its peak RSS
is its own. In that process: generate the cohort (every mentor at the configured
capacity, minimum loads removed so the default flow path applies), write it to CSV and
time ``read_cohort`` (read + validate), then time ``solve()`` ``repeat`` times; the
stages (build = rules + scores, candidates, flow, certify, explain) come from
``MatchResult.timings``. The last result goes through the checker.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    bench_cohort,
    isolated,
    peak_rss_mib,
    require_valid,
    summary,
    timed_runs,
)
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
        read_times, read = timed_runs(lambda: read_cohort(path), repeat)
    if read != cohort:
        raise AssertionError("the cohort read back from CSV differs from the one written")
    runs = []
    result = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = solve(cohort, policy)
        runs.append((time.perf_counter() - started, dict(result.timings)))
    started = time.perf_counter()
    require_valid(cohort, policy, result, "solve()")
    check_s = time.perf_counter() - started
    stages = {s: round(statistics.median(t.get(s, 0.0) for _, t in runs), 4) for s in runs[0][1]}
    solve_s = [s for s, _ in runs]
    read_median = statistics.median(read_times)
    return {
        "size": [n_mentees, n_mentors],
        "pairs": n_mentees * n_mentors,
        "csv_bytes": csv_bytes,
        "read_validate": summary(read_times),
        "solve": summary(solve_s),
        "end_to_end_s": round(read_median + statistics.median(solve_s), 4),
        "stages": stages,
        "solver": result.solver,
        "status": result.status.value,
        "certified": result.certified,
        "gap": result.gap,
        "objective": result.objective,
        "matched_places": result.metrics.matched_places,
        "wanted_places": result.metrics.wanted_places,
        "checker": "passed",
        "check_s": round(check_s, 4),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "notes": list(result.notes),
    }


def run(config) -> dict:
    """Every configured size, each in its own process; failures are recorded, not hidden."""
    rows = []
    for n_e, n_m in config.sizes:
        kwargs = dict(
            n_mentees=n_e,
            n_mentors=n_m,
            seed=config.seed,
            program=config.program,
            capacity=config.capacity,
            repeat=config.repeat,
        )
        answer = isolated("scale", kwargs, timeout=max(config.cap_s, 60.0 * config.repeat))
        answer.setdefault("size", [n_e, n_m])
        rows.append(answer)
        print(f"  scale {n_e}x{n_m}: {_line(answer)}", flush=True)
    return {
        "program": config.program,
        "mentor_capacity": config.capacity,
        "note": "generated cohorts (matcher.io.generate), min loads removed so the flow path "
        "applies; mentees keep the generated wants (95% one mentor, 5% two). Peak RSS is "
        "the whole worker process (generation, CSV, repeats).",
        "rows": rows,
    }


def _line(answer: dict) -> str:
    if "error" in answer:
        return f"FAILED: {answer['error']}"
    return (
        f"solve {answer['solve']['median_s']} s, read {answer['read_validate']['median_s']} s, "
        f"{answer['status']}, certified {answer['certified']}, "
        f"peak {answer['peak_rss_mib']} MiB"
    )
