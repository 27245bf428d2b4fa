"""Flow benchmark: the certified candidate graph next to the all-pairs network.

Uniform random scores in [0, 1), every pair eligible, every mentee wanting one mentor,
every mentor taking ``--capacity``. Both paths run in this process (the all-pairs one
only when the pair count is at most ``--dense-max``); medians of ``--repeat`` runs, the
candidate arcs and rounds, and the peak RSS after each path go to stdout and to
``benchmarks/results/flow.md`` (appended).

    python benchmarks/bench_flow.py --mentees 10000 --mentors 2000 --capacity 6 --seed 0
"""

from __future__ import annotations

import argparse
import resource
from pathlib import Path

import numpy as np
from timing import median_time

from matcher.encode.instance import Instance
from matcher.solvers.flow import solve_total
from matcher.solvers.integers import to_int

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def int_total(inst: Instance, pairs) -> int:
    """The scaled integer total the solver optimises (float totals of ties may differ)."""
    rows, cols = np.array(pairs, np.int64).T
    return int(to_int(inst.scores[rows, cols]).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--capacity", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dense-max", type=int, default=5_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/flow.md")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    scores = rng.random((args.mentees, args.mentors))
    inst = Instance.from_matrix(scores, capacity=np.full(args.mentors, args.capacity))
    base_rss = peak_rss_mb()
    sparse_s, sparse = median_time(lambda: solve_total(inst, dense_limit=0), args.repeat)
    sparse_rss = peak_rss_mb()
    lines = [
        f"## {args.mentees} x {args.mentors}, capacity {args.capacity}, seed {args.seed}",
        "",
        f"- input matrix peak RSS: {base_rss:.0f} MB",
        f"- candidate graph: {sparse_s:.3f} s median of {args.repeat}; {sparse.status.value}, "
        f"certified {sparse.certified}; peak RSS {sparse_rss:.0f} MB",
        f"- stages: {', '.join(f'{name} {sec:.3f} s' for name, sec in sparse.timings)}",
        *(f"- note: {note}" for note in sparse.notes),
    ]
    if args.mentees * args.mentors <= args.dense_max:
        dense_s, dense = median_time(lambda: solve_total(inst, dense_limit=10**12), args.repeat)
        same = int_total(inst, dense.pairs) == int_total(inst, sparse.pairs)
        lines += [
            f"- all pairs: {dense_s:.3f} s median of {args.repeat}; peak RSS "
            f"{peak_rss_mb():.0f} MB; same scaled total: {same}",
            f"- ratio all-pairs / candidate graph: {dense_s / sparse_s:.2f}",
        ]
    else:
        lines.append(f"- all pairs: skipped ({args.mentees * args.mentors} pairs > --dense-max)")
    text = "\n".join(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as out:
        out.write(text + "\n\n")
    print(text)


if __name__ == "__main__":
    main()
