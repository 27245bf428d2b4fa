"""Service (issue 6, part 6): sync ``/match`` under concurrent clients, and a Celery run.

1. ``POST /api/v1/match`` of a generated 200-person cohort (160 mentees, 40 mentors,
   capacities 1-6, no minimum loads, so the flow path; names and emails included as an
   HR system sends them) against each production server on loopback: waitress as
   ``mentormatch serve`` starts it (one process, 8 threads) and gunicorn with one
   process per core (gthread, 4 threads each) when installed. First one client (the
   time one request costs the server), then ``clients`` concurrent clients in a closed
   loop. The baseline, in this process on the same cohort, is ``solve()`` alone: the rest
   of a request is HTTP, JSON, validation, key lookup and logging. With every core busy,
   Little's law bounds a closed loop: p50 >= clients x (one request's CPU time) / cores.
2. ``POST runs`` -> ``succeeded`` through a real Celery worker for the largest size, with
   ``solve()`` in this process as the baseline (see :mod:`benchmarks.bench_service_run`).
"""

from __future__ import annotations

import json
import os
import statistics
import time

from benchmarks import http_load
from benchmarks.common import bench_cohort

SYNC_SIZE = (160, 40)
NOTE = (
    "Sync /match: a generated 200-person cohort (flow path, names and emails included) "
    "posted by one client, then by concurrent clients in a closed loop, to each production "
    "server on loopback (waitress as `mentormatch serve` runs it: 1 process, 8 threads; "
    "gunicorn: 1 process per core, gthread, 4 threads); the first answer must hold the same "
    "pairs as solve() in this process. Little's law floors a closed loop's p50 at clients x "
    "one request's time / processes. Celery: queued run row -> succeeded through a real "
    "`mentormatch worker` on PostgreSQL + Redis, against solve() in this process."
)
MODES = {  # (clients, recorded requests, one-client requests, Celery size, Celery repeats)
    "full": (20, 1_000, 100, (10_000, 2_000), 3),
    "quick": (20, 300, 40, (1_000, 200), 2),
    "smoke": (4, 20, 5, (200, 40), 1),
}


def match_body(seed: int) -> tuple[bytes, object]:
    """The ``/match`` request body and the cohort it carries."""
    from matcher.io.records import cohort_to_records

    cohort = bench_cohort(*SYNC_SIZE, seed, capacity=None)
    records = [
        {k: v for k, v in r.items() if v not in ("", None)} for r in cohort_to_records(cohort)
    ]
    body = {"cohort": {"participants": records}, "policy": {"program": "coaching"}}
    return json.dumps(body).encode(), cohort


def solve_floor(cohort, repeat: int) -> tuple[dict, object]:
    """Median ``solve()`` of the cohort in this process (coaching preset), in ms; the result."""
    from matcher.io.policy import preset
    from matcher.solve import solve

    policy = preset("coaching")
    solve(cohort, policy)
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = solve(cohort, policy)
        seconds.append(time.perf_counter() - began)
    figures = {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "solver": result.solver,
        "status": result.status.value,
    }
    return figures, result


def sync_match(config) -> dict:
    """One- and many-client latency of ``/match`` on every installed production server."""
    clients, requests, single, _, _ = MODES[config.mode]
    body, cohort = match_body(config.seed)
    floor, expected = solve_floor(cohort, max(single, 5))
    pairs = [[p.mentee_id, p.mentor_id] for p in expected.pairs]
    out = {
        "cohort": {"mentees": SYNC_SIZE[0], "mentors": SYNC_SIZE[1], "request_bytes": len(body)},
        "solve_in_process": floor,
        "servers": {},
    }
    for name in ("waitress", "gunicorn"):
        if not http_load.available(name):
            out["servers"][name] = {"skipped": f"{name} is not installed"}
            continue
        try:
            with http_load.serving(name) as server:
                status, answer = http_load.post_json(server, "/api/v1/match", body)
                got = [[p["mentee_id"], p["mentor_id"]] for p in answer.get("pairs", [])]
                if status != 200 or got != pairs:
                    raise RuntimeError(f"/match answered {status} with other pairs than solve()")
                one = http_load.load(server, "/api/v1/match", body, clients=1, requests=single)
                many = http_load.load(
                    server, "/api/v1/match", body, clients=clients, requests=requests
                )
        except (OSError, RuntimeError) as error:
            out["servers"][name] = {"error": str(error)[-500:]}
            continue
        cores = os.cpu_count() or 1
        processes = cores if name == "gunicorn" else 1
        bound = clients * one["p50_ms"] / processes
        out["servers"][name] = {
            "same_pairs_as_solve": True,
            "processes": processes,
            "one_client": one,
            "concurrent": many,
            "littles_law_p50_floor_ms": round(bound, 1),
        }
    return out


def celery_run(config) -> dict:
    """``POST runs`` -> succeeded through a Celery worker (needs PostgreSQL and Redis)."""
    from benchmarks.bench_service_run import measure

    _, _, _, size, repeat = MODES[config.mode]
    try:
        return measure(*size, config.seed, repeat, "redis://127.0.0.1:6379/0")
    except Exception as error:  # a missing service is a failed measurement, said in words
        return {"size": list(size), "error": f"{type(error).__name__}: {str(error)[-500:]}"}


def run(config) -> dict:
    """Both measurements; see the module docstring."""
    return {
        "note": NOTE,
        "sync_match": sync_match(config),
        "celery_run": celery_run(config),
    }
