"""End-to-end match of a generated cohort: build, certified flow, explanations, checker.

Generates a cohort (every mentor at the same capacity, minimum loads removed so the flow
path applies), runs ``matcher.solve.solve`` --repeat times and reports the median of each
stage, then, as the baseline in the same run, solves the same instance with every eligible
pair as an arc (``solve_total(dense_limit=inf)``) and compares totals and time. The
baseline needs about 150 bytes per pair, so it is skipped above ``--baseline-max-pairs``
eligible pairs (50,000 x 10,000 would need ~60 GB). Peak memory is the process's maximum
RSS after the certified runs (before the baseline). ``--threads`` sets
``MENTORMATCH_THREADS`` (matrix passes shared among threads; 1 = single-threaded).

    python benchmarks/bench_match.py --mentees 10000 --mentors 2000 --capacity 6
    python benchmarks/bench_match.py --mentees 50000 --mentors 10000 --capacity 6 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path

from matcher.check import check
from matcher.encode.prepare import build_instance
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.solve import solve
from matcher.solvers.flow import solve_total


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--capacity", type=int, default=6)
    parser.add_argument("--program", default="mentoring", choices=["coaching", "mentoring"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline-max-pairs", type=int, default=50_000_000)
    parser.add_argument("--threads", type=int, default=None, help="MENTORMATCH_THREADS")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "match.md"))
    args = parser.parse_args()
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads must be at least 1, got {args.threads}")
        os.environ["MENTORMATCH_THREADS"] = str(args.threads)

    cohort = generate_cohort(args.mentees, args.mentors, args.seed)
    mentors = tuple(replace(m, capacity=args.capacity, min_capacity=0) for m in cohort.mentors)
    cohort = replace(cohort, mentors=mentors)
    policy = preset(args.program)

    runs, result, cpu = [], None, []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = solve(cohort, policy)
        runs.append((time.perf_counter() - started, dict(result.timings)))
        cpu.append(time.process_time() - cpu_started)
    rss = peak_rss_mib()
    started = time.perf_counter()
    violations = check(cohort, policy, result)
    check_seconds = time.perf_counter() - started

    total = statistics.median(seconds for seconds, _ in runs)
    stages = {s: statistics.median(t[s] for _, t in runs) for s in runs[0][1]}
    lines = [
        f"# End-to-end match: {args.mentees} x {args.mentors}, capacity {args.capacity}, "
        f"{args.program} preset, seed {args.seed}",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| solve() wall time, median of {args.repeat} | {total:.2f} s |",
        f"| solve() CPU time (all threads), median | {statistics.median(cpu):.2f} s |",
        f"| threads | {os.environ.get('MENTORMATCH_THREADS', 'default (usable cores, max 4)')} |",
        *(f"| stage {stage} | {seconds:.2f} s |" for stage, seconds in stages.items()),
        f"| status / certified | {result.status.value} / {result.certified} |",
        f"| matched places | {result.metrics.matched_places} of {result.metrics.wanted_places} |",
        f"| total score | {result.objective:.4f} |",
        f"| checker | {'passes' if not violations else violations[:3]} ({check_seconds:.2f} s) |",
        f"| peak RSS after solving | {rss:.0f} MiB |",
    ]
    n_pairs = args.mentees * args.mentors
    if not args.no_baseline and n_pairs > args.baseline_max_pairs:
        lines.append(
            f"| baseline: all-pairs flow | skipped: {n_pairs:,} pairs > --baseline-max-pairs "
            f"{args.baseline_max_pairs:,} (about 150 bytes per pair) |"
        )
    elif not args.no_baseline:
        instance, _ = build_instance(cohort, policy)
        started = time.perf_counter()
        dense = solve_total(instance, policy, dense_limit=10**12)
        dense_seconds = time.perf_counter() - started
        flow_seconds = stages.get("flow", 0) + stages.get("candidates", 0)
        flow_seconds += stages.get("certify", 0)
        dense_total = sum(float(instance.scores[i, j]) for i, j in dense.pairs)
        lines += [
            f"| baseline: all-pairs flow on the same instance | {dense_seconds:.2f} s "
            f"(total {dense_total:.4f}, {len(dense.pairs)} places) |",
            f"| candidate+certify flow vs all-pairs flow | {flow_seconds:.2f} s vs "
            f"{dense_seconds:.2f} s ({dense_seconds / max(flow_seconds, 1e-9):.1f}x) |",
            f"| peak RSS after baseline | {peak_rss_mib():.0f} MiB |",
        ]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
