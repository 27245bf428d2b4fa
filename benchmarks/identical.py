"""Fingerprints of every solver's complete output, to prove a refactor changed nothing.

``python -m benchmarks.identical --write FILE`` solves fixed cases (the sample cohorts
as given, with their minimum loads, and under total, fair and stable without them, and
rematches; with ``--large``, a generated 10,000 x
2,000 cohort too) and writes one SHA-256 per case of the whole result: pairs with their
components and explanations, unmatched reasons, alternates, metrics, objective, bound,
certificate and notes (timings excluded). ``--check FILE`` recomputes and compares.
``--lazy`` computes scores on demand whatever the size (as large cohorts do), which
must give the same fingerprints.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _api():
    """(read_cohort, load_policy, preset, solve, rematch, generate_cohort)."""
    from matcher.io.cohort_csv import read_cohort
    from matcher.io.generate import generate_cohort
    from matcher.io.policy import load_policy, preset
    from matcher.solve import solve
    from matcher.whatif.rematch import rematch

    return read_cohort, load_policy, preset, solve, rematch, generate_cohort


def digest(result) -> str:
    data = dataclasses.asdict(result)
    data.pop("timings", None)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _no_min_loads(cohort):
    mentors = tuple(dataclasses.replace(m, min_capacity=0) for m in cohort.mentors)
    return dataclasses.replace(cohort, mentors=mentors)


def cases(large: bool):
    """Yield (name, thunk returning a MatchResult)."""
    read_cohort, load_policy, preset, solve, rematch, generate_cohort = _api()
    coaching = read_cohort(ROOT / "data/coaching-sample.csv")
    coach_policy = load_policy(ROOT / "data/coaching.toml")
    mentoring = read_cohort(ROOT / "data/mentoring-500.csv")
    ment_policy = load_policy(ROOT / "data/mentoring.toml")
    strict = dataclasses.replace(
        ment_policy,
        require_shared_language=True,
        max_timezone_diff_hours=4,
        department_rule=type(ment_policy.department_rule)("different"),
        max_per_department=1,
    )
    runs = [
        ("coaching", coaching, coach_policy),
        ("mentoring-500", mentoring, ment_policy),
        ("mentoring-500-strict", mentoring, strict),
    ]
    if large:
        big = generate_cohort(10_000, 2_000, seed=1)
        runs.append(("generated-10000x2000", big, preset("mentoring")))
    for name, cohort, policy in runs:
        free = _no_min_loads(cohort)
        flat = dataclasses.replace(policy, max_per_department=None)
        # The policy as given, minimum loads and department caps included (the flow).
        yield f"{name}/given", lambda c=cohort, p=policy: solve(c, p)
        for objective in ("total", "fair", "stable"):
            p = dataclasses.replace(flat, objective=type(policy.objective)(objective))
            yield f"{name}/{objective}", lambda c=free, p=p: solve(c, p)
        first = solve(free, flat)
        previous = [(p.mentee_id, p.mentor_id) for p in first.pairs]
        leaver = {"remove_mentors": [cohort.mentors[2].id]}
        yield (
            f"{name}/rematch",
            lambda c=free, p=flat, prev=previous, out=leaver: rematch(c, p, prev, out).result,
        )
        yield (
            f"{name}/rematch-cost",
            lambda c=free, p=flat, prev=previous, out=leaver: (
                rematch(c, p, prev, out, move_cost=0.2).result
            ),
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    parser.add_argument("--large", action="store_true", help="add the 10,000 x 2,000 cohort")
    parser.add_argument(
        "--lazy", action="store_true", help="compute scores on demand at every size (no matrix)"
    )
    args = parser.parse_args(argv)
    if args.lazy:
        import matcher.encode.prepare

        matcher.encode.prepare.DENSE_CELLS = 0
    found = {}
    for name, thunk in cases(args.large):
        started = time.perf_counter()
        found[name] = digest(thunk())
        print(f"{name:40s} {found[name][:16]}  {time.perf_counter() - started:6.2f} s")
    if args.write:
        args.write.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
        return 0
    expected = json.loads(args.check.read_text())
    differ = [k for k in found if expected.get(k) != found[k]]
    for name in differ:
        print(f"DIFFERENT: {name}")
    print(f"{len(found) - len(differ)} of {len(found)} cases identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
