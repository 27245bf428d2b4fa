"""A run through a real Celery worker: queued row + submit -> succeeded, against solve().

For a generated cohort (default 10,000 mentees x 2,000 mentors, coaching preset, mentor
capacity 6, no minimum loads: the same cohorts as the scale suite) stored in a fresh
PostgreSQL database, a `mentormatch worker --concurrency 1` subprocess on the local Redis
runs each repeat; we time from inserting the queued run row (what POST /runs does before
it answers 202) to seeing ``succeeded`` in the database (polled every 20 ms). The
baseline, measured in the same run on the same cohort, is ``solve()`` called directly in
this process: the difference is what the service adds (queue, loading the cohort from the
database, storing every pair, unmatched row and alternate).

    python -m benchmarks.bench_service_run                    # 10000x2000, 3 repeats
    python -m benchmarks.bench_service_run --size 1000x200 --repeat 5 --out /tmp/s.json

Needs PostgreSQL at 127.0.0.1:5432 (``MENTORMATCH_TEST_PG`` overrides the admin URL) and
Redis at 127.0.0.1:6379 (``--redis``). Writes JSON (default
``benchmarks/results/service_run.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from benchmarks.common import CLI, bench_cohort, machine, parse_size, summary

PG_ADMIN = os.environ.get("MENTORMATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).resolve().parent / "results" / "service_run.json"


def _database() -> tuple[str, object]:
    admin_url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg")
    name = f"mm_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return admin_url.set(database=name).render_as_string(hide_password=False), admin


def _worker(url: str, redis: str, queue: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORMATCH_")}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=redis,
        MENTORMATCH_QUEUE=queue,
        MENTORMATCH_INSTANCE_PATH=str(log.parent),
    )
    process = subprocess.Popen(
        [*CLI, "worker", "--concurrency", "1", "--loglevel", "warning"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process


def measure(n_mentees: int, n_mentors: int, seed: int, repeat: int, redis: str) -> dict:
    """Time ``repeat`` runs through a Celery worker and ``repeat`` direct solves.

    Returns
    -------
    dict
        ``service`` (median/min/runs of queued -> succeeded), ``solve`` (the same for
        ``solve()`` in this process), ``overhead_s`` (difference of medians), per-run
        ``runs`` (queue wait, worker seconds, stored rows) and ``store_cohort_s``.
    """
    from api.config import load_settings
    from api.db import make_engine, make_sessions, transaction
    from api.jobs import make_executor
    from api.keys import organization
    from api.migrate import upgrade
    from api.store import save_cohort
    from api.tables import Assignment, Run
    from matcher.io.policy import policy_to_dict, preset
    from matcher.solve import solve

    cohort = bench_cohort(n_mentees, n_mentors, seed)
    policy = preset("coaching")
    solve_seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        expected = solve(cohort, policy)
        solve_seconds.append(time.perf_counter() - started)

    url, admin = _database()
    queue = f"mm-bench-{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    worker = None
    try:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessions(engine)
        started = time.perf_counter()
        with transaction(sessions) as session:
            org = organization(session, "bench", create=True)
            stored = save_cohort(session, org.id, "bench", "coaching", cohort)
        store_seconds = time.perf_counter() - started
        settings = load_settings(
            folder,
            {"DATABASE_URL": url, "EXECUTOR": "celery", "BROKER_URL": redis, "QUEUE": queue},
            environ={},
        )
        executor = make_executor(settings, sessions)
        worker = _worker(url, redis, queue, folder / "worker.log")
        ok, why = executor.ready()
        if not ok:
            raise RuntimeError(f"Redis at {redis}: {why}")
        time.sleep(3)  # let the worker start: its start-up is not part of a run
        runs, service_seconds = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            with transaction(sessions) as session:
                run = Run(
                    organization_id=org.id, cohort_id=stored.id, policy=policy_to_dict(policy)
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
                    raise RuntimeError((folder / "worker.log").read_text()[-3000:])
                time.sleep(0.02)
            service_seconds.append(time.perf_counter() - started)
            if row.status != "succeeded":
                raise RuntimeError(f"run {run_id} {row.status}: {row.error}")
            with sessions() as session:
                pairs = session.query(Assignment).filter(Assignment.run_id == run_id).count()
            if pairs != len(expected.pairs):
                raise RuntimeError(
                    f"run {run_id} stored {pairs} pairs, solve() made {len(expected.pairs)}"
                )
            runs.append(
                {
                    "seconds": round(service_seconds[-1], 4),
                    "queue_wait_s": round((row.started_at - row.created_at).total_seconds(), 4),
                    "worker_s": round((row.finished_at - row.started_at).total_seconds(), 4),
                    "pairs": pairs,
                    "solver_status": row.solver_status,
                    "timings": row.timings,
                }
            )
        executor.shutdown()
        engine.dispose()
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(60)
        with admin.connect() as connection:
            name = make_url(url).database
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    service, direct = summary(service_seconds), summary(solve_seconds)
    return {
        "size": [n_mentees, n_mentors],
        "seed": seed,
        "service": service,
        "solve": direct,
        "overhead_s": round(service["median_s"] - direct["median_s"], 4),
        "store_cohort_s": round(store_seconds, 4),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10000x2000", type=parse_size, help="MENTEESxMENTORS")
    parser.add_argument("--seed", default=0, type=int)
    parser.add_argument("--repeat", default=3, type=int)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    result = measure(*args.size, args.seed, max(1, args.repeat), args.redis)
    result = {
        "suite": "service_run",
        "date": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        **result,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("size", "service", "solve", "overhead_s")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
