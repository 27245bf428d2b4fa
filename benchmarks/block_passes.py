"""The sweep's per-block work, numpy against the compiled passes, block by block in turn.

Issue 14: at 50,000 x 10,000 computing and reading every score once (the sweep, inside
the ``candidates`` stage) was the largest stage. From ``COMPILED_CELLS`` pairs two numba
passes do it (:mod:`matcher.encode.score_kernel`, :mod:`matcher.solvers.sweep_kernel`).
This program prepares a generated cohort once, then for each block of ``SWEEP_CELLS``
cells times, taking turns in one thread of one process (so a noisy machine slows both
alike): the numpy score pass (``score_block``) against the compiled one, and the numpy
block read (``block_scan.scan_block``) against the compiled one, checking that each pair
gives the same numbers. Prints the seconds of each and the ratios; start-up costs (numba's
import and cache load) are measured separately, in fresh processes.

    python benchmarks/block_passes.py                       # 50k x 10k, first 20,000 mentees
    python benchmarks/block_passes.py --mentees 20000 --mentors 4000 --rows 0
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.encode.prepare import prepare  # noqa: E402
from matcher.encode.scoring import score_block, weighted_tables  # noqa: E402
from matcher.io.generate import generate_cohort  # noqa: E402
from matcher.io.policy import preset  # noqa: E402
from matcher.solvers import block_scan  # noqa: E402
from matcher.solvers.candidates import make_pool  # noqa: E402
from matcher.solvers.sweep import SWEEP_CELLS, _MentorTop  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "block_passes.json"
START_UP = """
import time
t = time.perf_counter()
import numpy as np
from matcher.solvers.sweep_kernel import scan_block
t1 = time.perf_counter()
z = np.zeros(1, np.int64)
scan_block(np.zeros((1, 1)), np.ones((1, 1), bool), 1, np.zeros(1), (0.0, 1.0),
           (np.zeros((1, 1), np.uint16),) * 2, (z, z.copy(), np.zeros(1)), (z, np.zeros(1), z))
print(time.perf_counter() - t1, t1 - t)
"""


def start_up(runs: int) -> list[list[float]]:
    """(first call, import) seconds of the compiled pass in fresh processes, cache warm."""
    env = {**os.environ, "MENTORMATCH_THREADS": "1"}
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", START_UP], capture_output=True, text=True, check=True, env=env
        )
        out.append([round(float(x), 3) for x in done.stdout.split()])
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rows", type=int, default=20_000, help="mentees timed (0: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from matcher.encode import score_kernel
    from matcher.solvers import sweep_kernel

    prepared = prepare(generate_cohort(args.mentees, args.mentors, args.seed), preset("coaching"))
    inst = prepared.instance
    tables, pool = prepared.tables, make_pool(inst)
    weighted = weighted_tables(tables)
    plan = score_kernel.plan_scores(tables, weighted)
    n_e, n_m = inst.shape
    step, k = max(1, SWEEP_CELLS // n_m), 12
    keep = 2 * pool.cap_left + 5
    floors = {name: _MentorTop(keep) for name in ("numpy", "compiled")}
    buffers = {
        name: (
            (np.empty((step, n_m), np.uint16), np.empty((step, -(-n_m // 32)), np.uint16)),
            (np.empty(step * k, np.int64), np.empty(step * k, np.int64), np.empty(step * k)),
            (np.empty(step * n_m, np.int64), np.empty(step * n_m), np.empty(step * n_m, np.int64)),
        )
        for name in floors
    }
    scans = {"numpy": block_scan.scan_block, "compiled": sweep_kernel.scan_block}
    seconds = {f"{part} {name}": 0.0 for part in ("score", "read") for name in scans}
    blocks = {name: np.empty((step, n_m)) for name in scans}
    score_kernel.score_rows(plan, tables, 0, 1, blocks["compiled"][:1])  # load the machine code
    rows = args.rows or n_e
    for r0 in range(0, min(rows, n_e), step):
        r1 = min(n_e, r0 + step)
        n = r1 - r0
        clock = time.perf_counter()
        score_block(tables, r0, r1, blocks["numpy"][:n], weighted)
        seconds["score numpy"] += time.perf_counter() - clock
        clock = time.perf_counter()
        score_kernel.score_rows(plan, tables, r0, r1, blocks["compiled"][:n])
        seconds["score compiled"] += time.perf_counter() - clock
        if not np.array_equal(blocks["numpy"][:n], blocks["compiled"][:n]):
            raise SystemExit(f"score passes differ in rows {r0}..{r1 - 1}")
        mask, found = pool.mask(r0, r1), {}
        for name, scan in scans.items():
            (codes, maxima), top, hits = buffers[name]
            clock = time.perf_counter()
            got = scan(
                blocks["numpy"][:n], mask, k, floors[name].floor, (0.0, 30_000.0),
                (codes[:n], maxima[:n]), top, hits,
            )  # fmt: skip
            n_hits = got[1]
            floors[name].add(*(part[:n_hits].copy() for part in hits))
            seconds[f"read {name}"] += time.perf_counter() - clock
            chosen = set(zip(top[0][: got[0]].tolist(), top[1][: got[0]].tolist(), strict=True))
            found[name] = (got[2:], codes[:n].copy(), chosen)
        (a, a_codes, a_top), (b, b_codes, b_top) = found.values()
        if a != b or a_top != b_top or not np.array_equal(a_codes, b_codes):
            raise SystemExit(f"read passes differ in rows {r0}..{r1 - 1}")
    for name in floors:
        floors[name].merge()
    kept = [f.kept for f in floors.values()]
    same = all(np.array_equal(a, b) for a, b in zip(*kept, strict=True))
    started = start_up(3)
    result = {
        "cohort": f"{args.mentees} x {args.mentors}, seed {args.seed}, coaching",
        "mentees timed": min(rows, n_e),
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
        "score ratio compiled/numpy": round(seconds["score compiled"] / seconds["score numpy"], 2),
        "read ratio compiled/numpy": round(seconds["read compiled"] / seconds["read numpy"], 2),
        "per-mentor lists equal": same,
        "start-up s (first call, import), fresh processes": started,
    }
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
