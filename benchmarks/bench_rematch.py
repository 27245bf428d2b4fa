"""Rematch benchmark: one mentor leaves a 10,000-mentee cohort; rematch vs a fresh solve().

``generate_cohort(mentees, mentors, seed)`` under the mentoring preset. The previous
assignment is ``solve()``'s; the leaver is the mentor with the most mentees among those
without a minimum load. Both runs are timed in this process, median of ``--repeat``,
side by side (alternating), and the ratio printed. ``--flow-only`` clears the generator's
minimum loads so both runs use the certified flow instead of CP-SAT (whose run stops at
the policy's time limit). Results go to stdout and are appended to
``benchmarks/results/rematch.md``.

    python benchmarks/bench_rematch.py --mentees 10000 --mentors 2000 --seed 0 [--flow-only]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from matcher.check import check
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.solve import solve
from matcher.whatif.rematch import rematch

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flow-only", action="store_true", help="Clear minimum loads.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/rematch.md")
    args = parser.parse_args()

    cohort = generate_cohort(args.mentees, args.mentors, args.seed)
    if args.flow_only:
        mentors = tuple(replace(m, min_capacity=0) for m in cohort.mentors)
        cohort = replace(cohort, mentors=mentors)
    policy = preset("mentoring")
    base = solve(cohort, policy)
    previous = [(p.mentee_id, p.mentor_id) for p in base.pairs]
    load: dict[str, int] = {}
    for _, m in previous:
        load[m] = load.get(m, 0) + 1
    free = [m.id for m in cohort.mentors if m.min_capacity == 0 and m.id in load]
    leaver = max(free, key=lambda m: (load[m], m))
    changes = {"remove_mentors": [leaver]}

    solve_times, rematch_times, outcome = [], [], None
    for _ in range(args.repeat):  # alternate so both see the same machine load
        start = time.perf_counter()
        fresh = solve(cohort, policy)
        solve_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = rematch(cohort, policy, previous, changes)
        rematch_times.append(time.perf_counter() - start)
    problems = check(outcome.cohort, outcome.policy, outcome.result)
    s, r = statistics.median(solve_times), statistics.median(rematch_times)
    lines = [
        f"## rematch after one mentor leaves: {args.mentees} x {args.mentors}, seed "
        f"{args.seed}{', flow only' if args.flow_only else ''}",
        "",
        f"- solve(): {s:.2f} s median of {args.repeat} ({fresh.solver}, {fresh.status.value}); "
        f"runs {', '.join(f'{t:.2f}' for t in solve_times)}",
        f"- rematch(): {r:.2f} s median of {args.repeat} ({outcome.result.solver}, "
        f"{outcome.result.status.value}); runs {', '.join(f'{t:.2f}' for t in rematch_times)}",
        f"- ratio rematch / solve: {r / s:.2f}",
        f"- leaver {leaver} had {load[leaver]} mentees; kept {outcome.kept} of "
        f"{outcome.previous} pairs; {len(outcome.moves)} moves; checker: "
        f"{'ok' if not problems else f'{len(problems)} problems'}",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")


if __name__ == "__main__":
    main()
