"""``GET /scenarios/{id}`` with the stored comparison, against rebuilding it per read.

Stores one generated cohort (``--mentees`` x ``--mentors``, mentor capacity
``--capacity``, ``--seed``) in a fresh database (an SQLite file unless
``--database-url``), posts a capacity sweep with ``--variants`` values through the API,
runs its runs with the workers' own code (the last one stores the comparison), then
times, ``--repeat`` times each, taking turns:

* ``get``: the route as it is now (reads the stored comparison);
* ``rebuild``: what every GET did before the comparison was stored: load the cohort and
  every run's result and compare them (:func:`api.whatif.comparison`), plus the same GET.

Results go to stdout and, as JSON, to ``--out``.

    python benchmarks/scenario_get.py                           # 10,000 x 2,000, 3 variants
    python benchmarks/scenario_get.py --mentees 1000 --mentors 200 --out /tmp/sg.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--capacity", type=int, default=6)
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=Path("scenario_get.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MENTORMATCH_INSTANCE_PATH"] = folder
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        results = measure(args, url)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.mentees}x{args.mentors}, {args.variants} variants: GET {results['get_s']:.3f} s "
        f"(stored) vs {results['rebuild_s']:.3f} s (rebuilt per read), "
        f"{results['speedup']:.0f}x; comparison computed once in {results['settle_s']:.2f} s "
        f"-> {args.out}"
    )
    return results


def measure(args, url: str) -> dict:
    from dataclasses import replace

    from api import create_app
    from api.db import transaction
    from api.jobs.execute import execute_run
    from api.keys import create_key, organization
    from api.migrate import upgrade
    from api.store import save_cohort
    from api.tables import Scenario
    from api.whatif import comparison, scenario_runs
    from matcher.io.generate import generate_cohort

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "none", "MAX_ACTIVE_RUNS": 100})
    services = app.extensions["mentormatch"]
    cohort = generate_cohort(args.mentees, args.mentors, args.seed)
    cohort = replace(
        cohort, mentors=tuple(replace(m, capacity=args.capacity) for m in cohort.mentors)
    )
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "bench")
        org = organization(session, "bench")
        cohort_id = save_cohort(session, org.id, "bench", "mentoring", cohort).id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    values = list(range(args.capacity - 1, args.capacity - 1 + args.variants))
    posted = client.post(
        f"/api/v1/cohorts/{cohort_id}/scenarios",
        json={"vary": {"capacity.all": values}},
        headers=headers,
    )
    assert posted.status_code == 202, posted.get_json()
    scenario_id = posted.get_json()["id"]
    run_ids = [r["run_id"] for r in posted.get_json()["runs"]]
    started = time.perf_counter()
    for run_id in run_ids[:-1]:
        assert execute_run(services.sessions, run_id, "bench", services.settings) == "succeeded"
    solved = time.perf_counter()
    assert execute_run(services.sessions, run_ids[-1], "bench", services.settings) == "succeeded"
    last = time.perf_counter() - solved
    with services.sessions() as session:
        assert session.get(Scenario, scenario_id).comparison is not None

    def get():
        response = client.get(f"/api/v1/scenarios/{scenario_id}", headers=headers)
        assert response.status_code == 200 and response.get_json()["comparison"]
        return response

    def rebuild():
        with services.sessions() as session:
            scenario = session.get(Scenario, scenario_id)
            comparison(session, scenario, scenario_runs(session, scenario))
        return get()

    times = {"get": [], "rebuild": []}
    for _ in range(args.repeat):
        for name, call in (("get", get), ("rebuild", rebuild)):
            clock = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - clock)
    with services.sessions() as session:
        scenario = session.get(Scenario, scenario_id)
        clock = time.perf_counter()
        comparison(session, scenario, scenario_runs(session, scenario))
        settle = time.perf_counter() - clock
    services.close()
    get_s, rebuild_s = statistics.median(times["get"]), statistics.median(times["rebuild"])
    return {
        "mentees": args.mentees,
        "mentors": args.mentors,
        "capacity": args.capacity,
        "variants": args.variants,
        "seed": args.seed,
        "repeat": args.repeat,
        "database": url.split(":", 1)[0],
        "python": platform.python_version(),
        "runs_s": round(solved - started + last, 2),
        "last_run_with_comparison_s": round(last, 2),
        "settle_s": round(settle, 3),
        "get_s": round(get_s, 4),
        "rebuild_s": round(rebuild_s, 4),
        "speedup": round(rebuild_s / get_s, 1),
        "response_bytes": len(get().data),
    }


if __name__ == "__main__":
    main()
