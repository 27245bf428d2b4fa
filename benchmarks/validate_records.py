"""Record validation (``cohort_from_records``, ``read_cohort``) against another commit's.

Issue 14: validating the 200-person ``/match`` cohort (160 mentees, 40 mentors, typed JSON
records as :mod:`benchmarks.suites.service` builds them) was ~13 ms of a 33 ms request.
This times, in CPU time (the machine is shared), ``cohort_from_records`` on those records
and ``read_cohort`` on ``data/mentoring-500.csv``, each ``--repeat`` times per process,
taking turns ``--rounds`` times between this checkout and ``--baseline`` (a directory
holding another commit's ``matcher/``, e.g. from ``git archive``), each in a fresh
process; prints medians, ratios, and whether both built the same Cohorts.

    git archive 3f62cff matcher | tar -x -C /tmp/base
    python benchmarks/validate_records.py --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "validate_records.json"
CSV = ROOT / "data" / "mentoring-500.csv"


def measure(root: Path, repeat: int) -> dict:
    """Median CPU ms of each input, with the ``matcher`` package of ``root``."""
    sys.path[:0] = [str(root), str(ROOT)]  # benchmarks.suites from this checkout
    from benchmarks.suites.service import match_body
    from matcher.io.cohort_csv import read_cohort
    from matcher.io.records import cohort_from_records

    records = json.loads(match_body(0)[0])["cohort"]["participants"]
    out = {}
    for name, build in (
        ("json_200", lambda: cohort_from_records(records)),
        ("csv_500", lambda: read_cohort(CSV)),
    ):
        for _ in range(5):  # first calls: imports, caches
            cohort = build()
        times = []
        for _ in range(repeat):
            started = time.process_time()
            build()
            times.append(time.process_time() - started)
        out[name] = statistics.median(times) * 1000
        out[name + "_cohort"] = hashlib.sha256(repr(cohort).encode()).hexdigest()
    import matcher

    out["matcher"] = matcher.__file__
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one side, in a child
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat)))
        return {}
    if args.baseline is None:
        parser.error("--baseline DIR is required")
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for _ in range(args.rounds):
        for side, root in (("baseline", args.baseline.resolve()), ("this", ROOT)):
            done = subprocess.run(
                [sys.executable, __file__, "--measure", str(root), "--repeat", str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[side].append(json.loads(done.stdout))
    answer = {"command": "python benchmarks/validate_records.py " + " ".join(argv or sys.argv[1:])}
    for name in ("json_200", "csv_500"):
        base = statistics.median(r[name] for r in runs["baseline"])
        this = statistics.median(r[name] for r in runs["this"])
        same = runs["baseline"][0][name + "_cohort"] == runs["this"][0][name + "_cohort"]
        answer[name] = {"baseline_cpu_ms": round(base, 2), "this_cpu_ms": round(this, 2),
                        "ratio": round(this / base, 3), "same_cohort": same}  # fmt: skip
        assert runs["baseline"][0]["matcher"].startswith(str(args.baseline.resolve()))
        print(f"{name}: baseline {base:.2f} ms, this {this:.2f} ms CPU (medians), "
              f"ratio {this / base:.2f}, same Cohort: {same}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    return answer


if __name__ == "__main__":
    main()
