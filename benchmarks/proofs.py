"""The receipt's certificate, the group-fair objective and the prices job, timed at scale.

Builds one generated cohort (``--size``, ``--seed``, preset ``--program``; ``--plain``
drops the mentors' minimum loads), and times, each against a baseline in the same run:

* **certificate**: ``make_receipt`` with the certificate (potentials found for the
  optimum's pairs) and ``verify`` re-checking it on every eligible pair, against the plain
  solve that made the result;
* **group-fair** by ``--by`` with ``--time-limit`` seconds for CP-SAT: its time, status,
  worst group mean and gap, against the plain solve;
* **prices job round trip** through the JSON API (Flask test client, SQLite file, the
  in-process executor): POST /runs/{id}/prices, poll the job until it succeeds, against
  ``prices_answer`` called directly on the same inputs (what ``match --json --prices``
  adds to a match), alternated ``--repeat`` times, medians.

Results go to stdout and, as JSON, to ``--out``. CPU-heavy: run it alone.

    python benchmarks/proofs.py                                # 10000x2000, seed 11
    python benchmarks/proofs.py --size 2000x400 --out /tmp/proofs.json
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from matcher.answers.questions import prices_answer
from matcher.answers.receipt import make_receipt
from matcher.answers.verify import certificate_findings, mismatches, pair_findings
from matcher.io.generate import generate_cohort
from matcher.io.policy import preset
from matcher.model import Objective
from matcher.solve import solve


def clock(call):
    started = time.perf_counter()
    value = call()
    return value, round(time.perf_counter() - started, 3)


def make_cohort(n_e: int, n_m: int, seed: int, plain: bool):
    cohort = generate_cohort(n_e, n_m, seed)
    if not plain:
        return cohort
    return replace(cohort, mentors=tuple(replace(m, min_capacity=0) for m in cohort.mentors))


def certificate_figures(cohort, policy) -> dict:
    result, solve_s = clock(lambda: solve(cohort, policy))
    receipt, receipt_s = clock(lambda: make_receipt(cohort, policy, result))
    assert receipt.certificate is not None, receipt.certificate_note
    pairs = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    scores = [p.score for p in result.pairs]
    plain, plain_s = clock(
        lambda: (
            mismatches(receipt, cohort, policy, pairs, scores)
            + pair_findings(cohort, policy, pairs, scores)
        )
    )
    (proof, derived_by), proof_s = clock(
        lambda: certificate_findings(receipt, cohort, policy, pairs)
    )
    assert plain == [] and proof == [], (plain, proof)
    return {
        "plain_solve_seconds": solve_s,
        "receipt_with_certificate_seconds": receipt_s,
        "verify_digests_and_pairs_seconds": plain_s,
        "verify_certificate_seconds": proof_s,
        "derived_by": derived_by,
        "places": len(pairs),
    }


def group_fair_figures(cohort, policy, by: str, limit: float) -> dict:
    plain, plain_s = clock(lambda: solve(cohort, policy))
    fair_policy = replace(
        policy, objective=Objective.GROUP_FAIR, fair_by=by, time_limit_seconds=limit
    )
    fair, fair_s = clock(lambda: solve(cohort, fair_policy))
    return {
        "plain_solve_seconds": plain_s,
        "group_fair_seconds": fair_s,
        "ratio": round(fair_s / plain_s, 1),
        "status": fair.status.value,
        "places": [plain.metrics.matched_places, fair.metrics.matched_places],
        "total": [plain.objective, fair.objective],
        "notes": [n for n in fair.notes if not n.startswith("Lagrangian round")],
    }


def prices_job_figures(cohort, policy, program: str, top: int, hints: int, repeat: int) -> dict:
    from api import create_app
    from api.db import transaction
    from api.keys import create_key
    from api.migrate import upgrade
    from api.store import save_cohort
    from api.tables import Organization

    folder = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    url = f"sqlite:///{folder / 'mm.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "inprocess"})
    services = app.extensions["mentormatch"]
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "bench")
        org = session.query(Organization).filter_by(name="bench").one()
        cohort_id = save_cohort(session, org.id, "bench", program, cohort).id
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}

    def wait(location: str) -> dict:
        while True:
            body = client.get(location, headers=auth).get_json()
            if body["status"] in ("succeeded", "failed", "cancelled"):
                return body
            time.sleep(0.05)

    posted = client.post(f"/api/v1/cohorts/{cohort_id}/runs", json={}, headers=auth)
    run, run_s = clock(lambda: wait(posted.headers["Location"]))
    assert run["status"] == "succeeded", run

    def round_trip():
        asked = client.post(
            f"/api/v1/runs/{run['id']}/prices", json={"top": top, "hints": hints}, headers=auth
        )
        return wait(asked.headers["Location"])

    jobs, directs = [], []
    for _ in range(repeat):
        job, job_s = clock(round_trip)
        assert job["status"] == "succeeded", job
        direct, direct_s = clock(lambda: prices_answer(cohort, policy, top=top, hints=hints))
        assert json.loads(json.dumps(direct)) == job["answer"]
        jobs.append(job_s)
        directs.append(direct_s)
    from api.store import solved_inputs
    from api.tables import Run

    with services.sessions() as session:
        _, load_s = clock(lambda: solved_inputs(session, session.get(Run, run["id"])))
    services.executor.shutdown()
    services.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "load_stored_cohort_seconds": load_s,
        "run_round_trip_seconds": run_s,
        "prices_job_round_trip_seconds": jobs,
        "prices_direct_seconds": directs,
        "median_ratio": round(statistics.median(jobs) / statistics.median(directs), 2),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10000x2000", help="MENTEESxMENTORS")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--program", default="mentoring", choices=("coaching", "mentoring"))
    parser.add_argument("--by", default="department", help="group-fair groups")
    parser.add_argument("--time-limit", type=float, default=60.0, help="group-fair CP-SAT s")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--hints", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="prices job / direct pairs")
    parser.add_argument("--plain", action="store_true", help="drop minimum loads")
    parser.add_argument("--skip", action="append", default=[], help="certificate|fair|job")
    parser.add_argument("--out", type=Path, default=Path("proofs.json"))
    args = parser.parse_args(argv)
    n_e, n_m = (int(x) for x in args.size.lower().split("x"))
    cohort, policy = make_cohort(n_e, n_m, args.seed, args.plain), preset(args.program)
    results = {"size": args.size, "seed": args.seed, "program": args.program}
    results["plain"] = args.plain
    results["machine"] = platform.platform()
    if "certificate" not in args.skip:
        results["certificate"] = certificate_figures(cohort, policy)
        print("certificate:", json.dumps(results["certificate"]))
    if "fair" not in args.skip:
        results["group_fair"] = group_fair_figures(cohort, policy, args.by, args.time_limit)
        print("group-fair:", json.dumps(results["group_fair"]))
    if "job" not in args.skip:
        results["prices_job"] = prices_job_figures(
            cohort, policy, args.program, args.top, args.hints, args.repeat
        )
        print("prices job:", json.dumps(results["prices_job"]))
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
