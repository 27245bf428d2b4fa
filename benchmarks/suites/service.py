"""Service (issue 6, part 6): sync ``/match`` under concurrent clients, and a Celery run.

1. ``POST /api/v1/match`` of a generated 200-person cohort (160 mentees, 40 mentors,
   capacities 1-6, no minimum loads, so the flow path; names and emails included as an
   HR system sends them) against each production server on loopback: waitress as
   ``mentormatch serve`` starts it (one process, 8 threads) and gunicorn with one
   process per core (gthread, 4 threads each) when installed. First one client (the
   time one request costs the server), then ``clients`` concurrent clients in a closed
   loop (:mod:`benchmarks.http_load`). The baseline, in this process on the same cohort,
   is ``solve()`` alone: the rest of a request is HTTP, JSON, validation, key lookup and
   logging. With every core busy, Little's law bounds a closed loop: p50 >= clients x
   (one request's CPU time) / cores.
2. A run through a real Celery worker (:func:`celery_run`): the cohort of the scale suite
   (coaching preset, mentor capacity 6, no minimum loads) is stored in a fresh PostgreSQL
   database and a ``mentormatch worker --concurrency 1`` subprocess on the local Redis
   runs each repeat; we time from inserting the queued run row (what ``POST runs`` does
   before it answers 202) to seeing ``succeeded`` in the database (polled every 20 ms).
   The baseline, on the same cohort in the same run, is ``solve()`` in this process: the
   difference is what the service adds (queue, loading the cohort from the database,
   storing every pair, unmatched row and alternate). Needs PostgreSQL at
   127.0.0.1:5432 (``MENTORMATCH_TEST_PG`` overrides the admin URL) and Redis at
   127.0.0.1:6379.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import http_load
from benchmarks.common import CLI, background, bench_cohort, service_env
from benchmarks.timing import timed
from matcher.io.policy import preset
from matcher.io.records import cohort_to_records
from matcher.solve import solve

PG_ADMIN = os.environ.get("MENTORMATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = "redis://127.0.0.1:6379/0"
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
    cohort = bench_cohort(*SYNC_SIZE, seed, capacity=None)
    records = [
        {k: v for k, v in r.items() if v not in ("", None)} for r in cohort_to_records(cohort)
    ]
    body = {"cohort": {"participants": records}, "policy": {"program": "coaching"}}
    return json.dumps(body).encode(), cohort


def solve_floor(cohort, repeat: int) -> tuple[dict, object]:
    """Median ``solve()`` of the cohort in this process (coaching preset), in ms; the result."""
    policy = preset("coaching")
    solve(cohort, policy)  # imports and first-call costs are not part of a request
    timing, result = timed(lambda: solve(cohort, policy), repeat)
    figures = {
        "median_ms": round(timing.median_s * 1000, 1),
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


def _database() -> tuple[str, object]:
    """A fresh PostgreSQL database: its URL and the admin engine that drops it."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin_url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg")
    name = f"mm_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return admin_url.set(database=name).render_as_string(hide_password=False), admin


def _drop(url: str, admin) -> None:
    from sqlalchemy.engine import make_url

    with admin.connect() as connection:
        name = make_url(url).database
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def measure(n_mentees: int, n_mentors: int, seed: int, repeat: int, redis: str = REDIS) -> dict:
    """Time ``repeat`` runs through a Celery worker and ``repeat`` direct solves.

    Returns
    -------
    dict
        ``service`` (timing of queued -> succeeded), ``solve`` (the same for ``solve()``
        in this process), ``overhead_s`` (difference of medians), per-run ``runs`` (queue
        wait, worker seconds, stored rows) and ``store_cohort_s``.

    Raises
    ------
    RuntimeError
        If Redis does not answer, the worker dies, a run does not succeed, or it stores
        another number of pairs than ``solve()`` makes.
    """
    from api.config import load_settings
    from api.db import make_engine, make_sessions, transaction
    from api.jobs import make_executor
    from api.keys import organization
    from api.migrate import upgrade
    from api.store import save_cohort
    from api.tables import Assignment, Run
    from matcher.io.policy import policy_to_dict

    cohort = bench_cohort(n_mentees, n_mentors, seed)
    policy = preset("coaching")
    solve_time, expected = timed(lambda: solve(cohort, policy), repeat)
    url, admin = _database()
    queue = f"mm-bench-{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    log = folder / "worker.log"
    try:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessions(engine)

        def store():
            with transaction(sessions) as session:
                org = organization(session, "bench", create=True)
                return org.id, save_cohort(session, org.id, "bench", "coaching", cohort).id

        store_time, (org_id, cohort_id) = timed(store)
        config = {"DATABASE_URL": url, "EXECUTOR": "celery", "BROKER_URL": redis, "QUEUE": queue}
        executor = make_executor(load_settings(folder, config, environ={}), sessions)
        env = service_env(
            DATABASE_URL=url,
            REDIS_URL=redis,
            MENTORMATCH_QUEUE=queue,
            MENTORMATCH_INSTANCE_PATH=str(folder),
        )

        def one_run():  # runs while the worker below is up
            with transaction(sessions) as session:
                run = Run(
                    organization_id=org_id, cohort_id=cohort_id, policy=policy_to_dict(policy)
                )
                session.add(run)
                session.flush()
                run_id = run.id
            executor.submit(run_id)
            while True:
                with sessions() as session:
                    row = session.get(Run, run_id)
                if row.status in ("succeeded", "failed", "cancelled"):
                    break
                if worker.poll() is not None:
                    raise RuntimeError(log.read_text()[-3000:])
                time.sleep(0.02)
            if row.status != "succeeded":
                raise RuntimeError(f"run {run_id} {row.status}: {row.error}")
            return row

        command = [*CLI, "worker", "--concurrency", "1", "--loglevel", "warning"]
        with background(command, env, log, stop_within=60) as worker:
            ok, why = executor.ready()
            if not ok:
                raise RuntimeError(f"Redis at {redis}: {why}")
            time.sleep(3)  # let the worker start: its start-up is not part of a run
            rows = []
            service_time, _ = timed(lambda: rows.append(one_run()), repeat)
            executor.shutdown()
        details = []
        for row, seconds in zip(rows, service_time.seconds, strict=True):
            with sessions() as session:
                pairs = session.query(Assignment).filter(Assignment.run_id == row.id).count()
            if pairs != len(expected.pairs):
                raise RuntimeError(
                    f"run {row.id} stored {pairs} pairs, solve() made {len(expected.pairs)}"
                )
            details.append(
                {
                    "seconds": round(seconds, 4),
                    "queue_wait_s": round((row.started_at - row.created_at).total_seconds(), 4),
                    "worker_s": round((row.finished_at - row.started_at).total_seconds(), 4),
                    "pairs": pairs,
                    "solver_status": row.solver_status,
                    "timings": row.timings,
                }
            )
        engine.dispose()
    finally:
        _drop(url, admin)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "size": [n_mentees, n_mentors],
        "seed": seed,
        "service": service_time.summary(),
        "solve": solve_time.summary(),
        "overhead_s": round(service_time.median_s - solve_time.median_s, 4),
        "store_cohort_s": round(store_time.median_s, 4),
        "runs": details,
    }


def celery_run(config) -> dict:
    """:func:`measure` at the mode's size; a missing database or broker is said in words."""
    _, _, _, size, repeat = MODES[config.mode]
    try:
        return measure(*size, config.seed, repeat)
    except Exception as error:  # a missing service is a failed measurement, said in words
        return {"size": list(size), "error": f"{type(error).__name__}: {str(error)[-500:]}"}


def run(config) -> dict:
    """Both measurements; see the module docstring."""
    return {
        "note": NOTE,
        "sync_match": sync_match(config),
        "celery_run": celery_run(config),
    }
