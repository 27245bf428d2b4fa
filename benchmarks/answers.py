"""How long the answers of issue 17 take at scale, against cold re-solves in the same run.

Builds one generated cohort (``--size``, ``--seed``, preset ``--program``), solves its
certified optimum once (prepare + exact flow: the baseline every answer starts from),
then times:

* **why-not** for ``--pairs`` allowed, unpaired pairs drawn with the seed: the answer on
  the solved cohort (a warm re-solve with the pair pinned), the same answer end to end
  (prepare, optimum, forced optimum), and for comparison a cold ``solve()`` with the pair
  pinned; the figures must agree;
* **rule prices** for every hard rule that is on or removes pairs (minimum loads, the
  department cap and pinned pairs too), warm, against cold ``solve()`` runs without each
  rule (``--cold`` only: they double the run); the figures must agree;
* **one more place** for the ``--top`` most promising mentors and **recruiting hints**
  (``--hints``), each exact re-solves;
* with ``--all`` also **alternatives** (k 3 within 1%) and **attrition** (the 3 busiest
  mentors, move cost 0.2: past ~10,000 places the lexicographic rematch does not fit).

Targets (issue 17, 10,000 x 2,000): why-not <= 2 s, prices for every rule <= 10 s.
Results go to stdout and, as JSON, to ``--out``. CPU-heavy: run it alone.

    python benchmarks/answers.py                        # 10000x2000, seed 1, mentoring
    python benchmarks/answers.py --size 2000x400 --cold --all --out /tmp/answers.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from matcher.answers.optimum import baseline
from matcher.answers.prices import place_values, rule_prices
from matcher.answers.recruit import recruiting_hints
from matcher.answers.why_not import why_not
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import DepartmentRule
from matcher.solve import solve


def clock(call):
    started = time.perf_counter()
    value = call()
    return value, round(time.perf_counter() - started, 3)


def sample_pairs(base, n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` allowed pairs the optimum does not make, both people taking part."""
    instance = base.instance
    rng = np.random.default_rng(seed)
    made, out = set(base.solution.pairs), []
    while len(out) < n:
        i, j = int(rng.integers(instance.shape[0])), int(rng.integers(instance.shape[1]))
        usable = instance.wanted[i] > 0 and instance.capacity[j] > 0
        if usable and instance.eligible[i, j] and (i, j) not in made:
            out.append((instance.mentee_ids[i], instance.mentor_ids[j]))
    return out


def without(cohort, policy, rule):
    """The inputs without one rule, said as a coordinator would (the cold comparison)."""
    if rule == "min_capacity":
        mentors = tuple(replace(m, min_capacity=0) for m in cohort.mentors)
        return replace(cohort, mentors=mentors), policy
    changes = {
        "forbidden_pair": {"forbidden_pairs": ()},
        "exclude": {"honour_exclude": False},
        "reporting_chain": {"no_reporting_chain": False},
        "seniority_gap": {"seniority": replace(policy.seniority, min_gap=None, max_gap=None)},
        "language": {"require_shared_language": False},
        "timezone": {"max_timezone_diff_hours": None},
        "department": {"department_rule": DepartmentRule.ANY},
        "max_per_department": {"max_per_department": None},
        "pinned_pairs": {"pinned_pairs": ()},
    }[rule]
    return cohort, replace(policy, **changes)


def agree(optimum, result) -> bool:
    places = result.metrics.matched_places
    return optimum.places == places and abs(optimum.score - result.objective) <= 1e-6 * places


def bench_why_not(cohort, policy, base, pairs) -> dict:
    rows = []
    for e, m in pairs:
        answer, warm = clock(lambda e=e, m=m: why_not(cohort, policy, e, m, base=base))
        pinned = replace(policy, pinned_pairs=(*policy.pinned_pairs, (e, m)))
        cold_result, cold = clock(lambda p=pinned: solve(cohort, p))
        assert agree(answer.optimum_with_pair, cold_result), (e, m)
        rows.append(
            {
                "pair": [e, m],
                "seconds_on_solved_cohort": warm,
                "cold_pinned_solve_seconds": cold,
                "cost": {"places": answer.cost.places, "score": answer.cost.score},
                "moves": len(answer.moves),
            }
        )
    e, m = pairs[0]
    _, end_to_end = clock(lambda: why_not(cohort, policy, e, m))
    return {
        "pairs": rows,
        "median_seconds_on_solved_cohort": float(
            np.median([r["seconds_on_solved_cohort"] for r in rows])
        ),
        "end_to_end_seconds": end_to_end,
    }


def bench_prices(cohort, policy, base, cold: bool) -> dict:
    prices, seconds = clock(lambda: rule_prices(base))
    rows = []
    for price in prices:
        row = {
            "rule": price.rule,
            "pairs_only": price.pairs_only,
            "cost": {"places": price.cost.places, "score": price.cost.score},
        }
        if cold:
            result, row["cold_solve_seconds"] = clock(
                lambda r=price.rule: solve(*without(cohort, policy, r))
            )
            expected = price.optimum_without or base.optimum
            assert agree(expected, result), price.rule
        rows.append(row)
    return {"seconds": seconds, "rules": rows}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10000x2000", help="MENTEESxMENTORS")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--program", default="mentoring", choices=("coaching", "mentoring"))
    parser.add_argument("--pairs", type=int, default=3, help="why-not questions to time")
    parser.add_argument("--top", type=int, default=10, help="mentors for one more place")
    parser.add_argument("--hints", type=int, default=3, help="recruiting hints to simulate")
    parser.add_argument("--cold", action="store_true", help="cold solves without each rule")
    parser.add_argument("--all", action="store_true", help="also alternatives and attrition")
    parser.add_argument("--out", type=Path, default=Path("answers.json"))
    args = parser.parse_args(argv)
    n_e, n_m = (int(x) for x in args.size.lower().split("x"))
    cohort = generate_cohort(n_e, n_m, args.seed)
    policy = preset(args.program)
    base, base_seconds = clock(lambda: baseline(cohort, policy))
    results = {
        "size": args.size,
        "seed": args.seed,
        "program": args.program,
        "python": platform.python_version(),
        "optimum": {"places": base.optimum.places, "score": base.optimum.score},
        "baseline_seconds": base_seconds,
        "why_not": bench_why_not(cohort, policy, base, sample_pairs(base, args.pairs, args.seed)),
        "prices": bench_prices(cohort, policy, base, args.cold),
    }
    values, results["place_values_seconds"] = clock(lambda: place_values(base, top=args.top))
    results["place_values"] = [[v.mentor_id, v.gain.places, v.gain.score] for v in values]
    hints, results["recruiting_seconds"] = clock(lambda: recruiting_hints(base, args.hints))
    results["recruiting"] = [h.text for h in hints]
    if args.all:
        from matcher.answers.alternatives import search
        from matcher.answers.attrition import attrition

        found, results["alternatives_seconds"] = clock(lambda: search(base, 3, 0.01))
        results["alternatives"] = [a.result.objective for a in found.alternatives]
        risk, results["attrition_seconds"] = clock(
            lambda: attrition(cohort, policy, top=3, move_cost=0.2, base=base)
        )
        results["attrition"] = [[r.mentor_id, r.places_lost, r.score_lost] for r in risk.risks]
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    w = results["why_not"]
    print(
        f"{args.size} {args.program} (seed {args.seed}): optimum {base.optimum.places} places, "
        f"baseline {base_seconds:.2f} s; why-not {w['median_seconds_on_solved_cohort']:.2f} s on "
        f"the solved cohort (median of {args.pairs}), {w['end_to_end_seconds']:.2f} s end to "
        f"end; prices of {len(results['prices']['rules'])} rules "
        f"{results['prices']['seconds']:.2f} s; one more place x{len(values)} "
        f"{results['place_values_seconds']:.2f} s; {len(hints)} recruiting hints "
        f"{results['recruiting_seconds']:.2f} s -> {args.out}"
    )
    return results


if __name__ == "__main__":
    main()
