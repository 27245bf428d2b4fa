"""This checkout against another one (an earlier release), side by side at 10,000 x 2,000.

``python -m benchmarks.versus OTHER_CHECKOUT [--rounds 3]`` times ``solve()`` (total, fair,
stable objectives) and a rematch after one mentor leaves, on a cohort as ``mentormatch
generate`` writes it with minimum loads removed (so every release takes the same flow
path), in fresh processes that alternate between the two checkouts so both see the same
machine load, and prints each side's medians and their ratio. Make the other checkout
with ``git worktree add /tmp/old <commit>``. Each process imports the core of its own
checkout, whatever its module layout (the layout before ``matcher/io`` is supported).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

_TASK = r"""
import sys, time, json, statistics, dataclasses
sys.path.insert(0, sys.argv[1])
try:
    from matcher.io.generate import generate_cohort
    from matcher.io.policy import preset
    from matcher.whatif.rematch import rematch
except ImportError:  # the layout before matcher/io
    from matcher.generate import generate_cohort
    from matcher.policy import preset
    from matcher.rematch import rematch
from matcher.solve import solve
c = generate_cohort(10_000, 2_000, seed=1)
c = dataclasses.replace(
    c, mentors=tuple(dataclasses.replace(m, min_capacity=0) for m in c.mentors)
)
p = preset("mentoring")
def seconds(run):
    started = time.perf_counter(); out = run(); return time.perf_counter() - started, out
out = {}
out["total"], first = seconds(lambda: solve(c, p))
previous = [(x.mentee_id, x.mentor_id) for x in first.pairs]
for name in ("fair", "stable"):
    policy = dataclasses.replace(p, objective=type(p.objective)(name))
    out[name], _ = seconds(lambda: solve(c, policy))
leaver = {"remove_mentors": [c.mentors[2].id]}
out["rematch"], _ = seconds(lambda: rematch(c, p, previous, leaver))
print(json.dumps(out))
"""


def _run(checkout: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _TASK, str(checkout)],
        capture_output=True,
        text=True,
        check=True,
        cwd=checkout,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout (e.g. a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sides = {"other": args.other.resolve(), "this": HERE}
    seen: dict[str, list[dict]] = {name: [] for name in sides}
    for k in range(args.rounds):
        for name, checkout in sides.items():
            seen[name].append(_run(checkout))
            print(f"round {k + 1} {name}: {seen[name][-1]}", file=sys.stderr)
    keys = seen["this"][0].keys()
    median = {
        n: {k: statistics.median(r[k] for r in runs) for k in keys} for n, runs in seen.items()
    }
    table = {
        k: {
            "other_s": round(median["other"][k], 3),
            "this_s": round(median["this"][k], 3),
            "this_over_other": round(median["this"][k] / median["other"][k], 2),
        }
        for k in keys
    }
    print(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
