"""OR-Library assignment benchmark: our min-cost flow next to SciPy's linear_sum_assignment.

For every instance in ``--dir`` (default ``../shared/data/orlib-assign`` relative to the
repository root, falling back to ``tests/data/orlib``) both solvers run in this process;
the table of optima and median times goes to ``benchmarks/results/orlib.md`` and stdout.

    python benchmarks/bench_orlib.py --repeat 5
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from timing import median_time

from matcher.encode.instance import Instance
from matcher.solvers.flow import solve_total
from matcher.solvers.integers import to_float, to_int

ROOT = Path(__file__).resolve().parents[1]
MISSING_COST = 10**6  # cost given to pairs a sparse file leaves out, for SciPy's dense matrix


def read_costs(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Cost matrix and listed-pair mask of one OR-Library file."""
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n, rest = int(numbers[0]), numbers[1:]
    if rest.size == n * n:
        return rest.reshape(n, n), np.ones((n, n), bool)
    i, j, cost = rest.reshape(-1, 3).T
    costs = np.full((n, n), MISSING_COST, np.int64)
    listed = np.zeros((n, n), bool)
    costs[i - 1, j - 1], listed[i - 1, j - 1] = cost, True
    return costs, listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/orlib.md")
    args = parser.parse_args()
    folder = args.dir or (ROOT / "../shared/data/orlib-assign").resolve()
    if not folder.is_dir():
        folder = ROOT / "tests/data/orlib"
    optima = {}
    for line in (folder / "assignopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("assign"):
            optima[parts[0]] = int(float(parts[1]))
    rows = [
        "| instance | n | optimum | ours | scipy | our time (s) | scipy time (s) | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, optimum in optima.items():
        path = folder / f"{name}.txt"
        if not path.exists():
            continue
        costs, listed = read_costs(path)
        inst = Instance.from_matrix(-costs.astype(np.float64), eligible=listed)
        ours_s, sol = median_time(lambda inst=inst: solve_total(inst), args.repeat)
        r, c = np.array(sol.pairs).T
        ours = -to_float(to_int(inst.scores[r, c]).sum())
        scipy_s, (sr, sc) = median_time(lambda c=costs: linear_sum_assignment(c), args.repeat)
        theirs = int(costs[sr, sc].sum())
        rows.append(
            f"| {name} | {costs.shape[0]} | {optimum} | {ours:.0f} | {theirs} | {ours_s:.4f} "
            f"| {scipy_s:.4f} | {ours_s / scipy_s:.2f} |"
        )
    table = "\n".join(rows)
    header = f"# OR-Library assignment: flow vs scipy (median of {args.repeat})\n\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(header + table + "\n")
    print(table)


if __name__ == "__main__":
    main()
