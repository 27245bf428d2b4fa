"""Programme cycles: pairing-history modes in solve(), and request routes beside suggestions.

Two measurements on one generated cohort (``--mentees`` x ``--mentors``, ``--seed``,
the mentoring preset):

* ``solve``: :func:`matcher.solve.solve` with ``history`` ignore (the baseline), avoid and
  prefer, the earlier pairs being the baseline's own result, taking turns ``--repeat``
  times; each result is checked by :func:`matcher.checker.check` and the pairs kept from
  the earlier cycle are counted.
* ``routes`` (with ``--routes``): the cohort stored in a fresh SQLite file through the
  API, then for ``--repeat`` mentees in turn: ``GET .../suggestions`` (the baseline),
  ``POST .../requests`` for the first suggestion and ``POST .../decline`` (which asks the
  next suggestion), through the Flask test client; once with the prepared-cohort cache
  off (``PREPARED_CACHE_ENTRIES`` 0: every call prepares the cohort) and once with it on
  (the first call prepares it; its time is ``first_ms``), in the same process, and each
  route's ``speedup`` (median without the cache / median with it).

Medians and ratios to the baseline go to stdout and, as JSON, to ``--out``.

    python benchmarks/cycles.py --mentees 2000 --mentors 400 --routes
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def _solve_modes(cohort, repeat: int) -> dict:
    from matcher.checker import check
    from matcher.io.policy import preset
    from matcher.model import History
    from matcher.solve import solve

    base = replace(preset("mentoring"), time_limit_seconds=300)
    earlier = tuple((p.mentee_id, p.mentor_id) for p in solve(cohort, base).pairs)
    policies = {mode.value: replace(base, previous_pairs=earlier, history=mode) for mode in History}
    seconds: dict[str, list[float]] = {name: [] for name in policies}
    out = {}
    for _ in range(repeat):
        for name, policy in policies.items():
            started = time.perf_counter()
            result = solve(cohort, policy)
            seconds[name].append(time.perf_counter() - started)
            kept = len(set(earlier) & {(p.mentee_id, p.mentor_id) for p in result.pairs})
            out[name] = {"pairs": len(result.pairs), "kept": kept, "objective": result.objective}
            out[name]["check"] = "ok" if not check(cohort, policy, result) else "FAILED"
    baseline = statistics.median(seconds["ignore"])
    for name in policies:
        median = statistics.median(seconds[name])
        out[name] |= {"median_s": round(median, 4), "ratio": round(median / baseline, 3)}
    return {"earlier_pairs": len(earlier), "modes": out}


def _routes(cohort, repeat: int, cache_entries: int) -> dict:
    from api import create_app
    from api.db import transaction
    from api.keys import create_key
    from api.migrate import upgrade
    from matcher.io.records import cohort_to_records

    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/cycles.db"
    upgrade(url)
    config = {"DATABASE_URL": url, "EXECUTOR": "none", "PREPARED_CACHE_ENTRIES": cache_entries}
    app = create_app(config)
    with transaction(app.extensions["mentormatch"].sessions) as session:
        key, _ = create_key(session, "bench")
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    records = [
        {k: v for k, v in r.items() if k not in ("name", "email")}
        for r in cohort_to_records(cohort)
    ]
    body = {"name": "cycles", "program": "mentoring", "participants": records}
    cohort_id = client.post("/api/v1/cohorts", json=body, headers=headers).get_json()["id"]
    base = f"/api/v1/cohorts/{cohort_id}"
    seconds: dict[str, list[float]] = {"suggestions": [], "request": [], "decline": []}
    for mentee in [r["id"] for r in records if r["role"] == "mentee"][:repeat]:
        started = time.perf_counter()
        items = client.get(f"{base}/people/{mentee}/suggestions", headers=headers).get_json()
        seconds["suggestions"].append(time.perf_counter() - started)
        ask = {"mentee": mentee, "mentor": items["items"][0]["mentor_id"]}
        started = time.perf_counter()
        made = client.post(f"{base}/requests", json=ask, headers=headers)
        seconds["request"].append(time.perf_counter() - started)
        assert made.status_code == 201, made.get_json()
        started = time.perf_counter()
        done = client.post(f"{base}/requests/{made.get_json()['id']}/decline", headers=headers)
        seconds["decline"].append(time.perf_counter() - started)
        assert done.status_code == 200, done.get_json()
    app.extensions["mentormatch"].engine.dispose()
    baseline = statistics.median(seconds["suggestions"])
    return {
        name: {
            "median_ms": round(statistics.median(v) * 1000, 1),
            "first_ms": round(v[0] * 1000, 1),
            "ratio": round(statistics.median(v) / baseline, 3),
        }
        for name, v in seconds.items()
    }


def _cache_compared(cohort, repeat: int) -> dict:
    """The routes without the prepared-cohort cache, then with it, and the speedups."""
    off, on = _routes(cohort, repeat, 0), _routes(cohort, repeat, 8)
    speedup = {n: round(off[n]["median_ms"] / on[n]["median_ms"], 2) for n in off}
    return {"no_cache": off, "cache": on, "speedup": speedup}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=2_000)
    parser.add_argument("--mentors", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--routes", action="store_true", help="also time the request routes")
    parser.add_argument("--out", type=Path, default=Path("cycles.json"))
    args = parser.parse_args(argv)
    from matcher.io.generate import generate_cohort

    cohort = generate_cohort(args.mentees, args.mentors, args.seed)
    report = {
        "size": [args.mentees, args.mentors],
        "seed": args.seed,
        "machine": platform.platform(),
        "solve": _solve_modes(cohort, args.repeat),
    }
    if args.routes:
        report["routes"] = _cache_compared(cohort, max(args.repeat, 5))
    print(json.dumps(report, indent=2))
    args.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
