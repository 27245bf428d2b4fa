"""Soak test: many HR clients for minutes on PostgreSQL + Celery while workers are killed
and Redis restarts; then every run is accounted for. Loopback only, bounded.

    python -m benchmarks.soak [--clients 50] [--minutes 10] [--workers 2] [--seed 1]

It starts, all of its own: a redis-server without persistence on ``--redis-port`` (6390:
restarting it never disturbs anyone else's Redis, and a restart loses every queued
message), a fresh PostgreSQL database (dropped after), ``mentormatch serve`` with
``MENTORMATCH_EXECUTOR=celery`` and ``--workers`` ``mentormatch worker`` processes. Each
client is one organization's HR system with its own key; in a closed loop it uploads a
small cohort, starts a run with an ``Idempotency-Key`` (retried with the same key after
a connection error, a 429 or a 503), polls the run until it ends and reads its pairs.
Meanwhile a seeded chaos loop SIGKILLs a worker's whole process group (and starts a new
one) every ``--kill-every`` seconds and kills and restarts Redis every
``--redis-every`` seconds; the server's resident memory is sampled every 2 s.

After ``--minutes`` the chaos stops, the clients stop starting new work, and every run
they were given gets up to ``--drain`` seconds to end. The result (JSON, ``--out``):
runs lost (given to a client, never ended, or missing from the database), duplicated
(more than one run or cohort for one Idempotency-Key), answers by status code, 5xx other
than the documented 503s, and the server's memory (first, last, max MB).
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.soak_stack import Stack, call, rss_mb

FINISHED = ("succeeded", "failed", "cancelled")
RETRIED = (409, 429, 503)  # in progress, rate limited, unavailable: retry, same key
tally_lock = threading.Lock()


class Client(threading.Thread):
    """One HR system: upload, run (idempotent), poll, read pairs; again until told to stop."""

    def __init__(self, n: int, key: str, base, stop, records, tally):
        super().__init__(name=f"soak-client-{n}", daemon=True)
        self.n, self.base, self.stop, self.records = n, base, stop, records
        self.tally, self.tally_lock = tally, tally_lock
        self.auth = {"Authorization": f"Bearer {key}"}
        self.given: dict[str, set] = {}  # Idempotency-Key -> run ids the server answered
        self.cohorts: dict[str, set] = {}

    def send(self, method, path, body=None, key=None):
        """Send until an answer that is not to be retried, or the soak winds down."""
        headers = {**self.auth, **({"Idempotency-Key": key} if key else {})}
        while True:
            try:
                status, payload, answer = call(self.base, method, path, body, headers)
            except OSError:
                status, payload, answer = 0, {}, {}
            with self.tally_lock:
                self.tally[status] += 1
            if status and status not in RETRIED:
                return status, payload
            if self.stop.is_set():  # winding down: what is unanswered is not "given"
                return status, payload
            time.sleep(min(5.0, float(answer.get("Retry-After", 1))) * random.random() + 0.2)

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            tag = f"c{self.n}-{number}-{secrets.token_hex(4)}"
            body = {"name": tag, "program": "coaching", "participants": self.records}
            status, cohort = self.send("POST", "/api/v1/cohorts", body, key=f"{tag}-cohort")
            if status != 201:
                continue
            self.cohorts.setdefault(tag, set()).add(cohort["id"])
            path = f"/api/v1/cohorts/{cohort['id']}/runs"
            status, run = self.send("POST", path, {}, key=f"{tag}-run")
            if status != 202:
                continue
            self.given.setdefault(f"{tag}-run", set()).add(run["id"])
            while not self.stop.is_set():
                status, run = self.send("GET", f"/api/v1/runs/{run['id']}")
                if status == 200 and run["status"] in FINISHED:
                    if run["status"] == "succeeded":
                        self.send("GET", f"/api/v1/runs/{run['id']}/assignments")
                    break
                time.sleep(1.0)


def chaos(stack: Stack, stop: threading.Event, args, events: list) -> None:
    """Kill a worker every ``kill_every`` s, restart Redis every ``redis_every`` s."""
    rng = random.Random(args.seed)
    start = time.monotonic()
    next_kill, next_redis = args.kill_every, args.redis_every
    while not stop.wait(1.0):
        elapsed = time.monotonic() - start
        if elapsed >= next_kill:
            stack.kill_worker(rng)
            events.append({"t": round(elapsed, 1), "event": "worker SIGKILL"})
            next_kill += args.kill_every * rng.uniform(0.5, 1.5)
        if elapsed >= next_redis:
            stack.restart_redis(rng.uniform(1.0, 5.0))
            events.append({"t": round(elapsed, 1), "event": "redis restart"})
            next_redis += args.redis_every * rng.uniform(0.5, 1.5)


def account(url: str, clients: list[Client], drain: float) -> dict:
    """Wait up to ``drain`` s for every given run to end; count lost and duplicated ones."""
    from sqlalchemy import func, select

    from api.db import make_engine, make_sessions
    from api.tables import Cohort, Run

    given = {run for c in clients for runs in c.given.values() for run in runs}
    engine = make_engine(url)
    sessions = make_sessions(engine)
    deadline = time.monotonic() + drain
    while True:
        with sessions() as session:
            rows = dict(session.execute(select(Run.id, Run.status)).all())
            retried = session.scalar(select(func.count()).where(Run.attempt > 1))
            per_cohort = session.execute(
                select(Run.cohort_id, func.count()).group_by(Run.cohort_id)
            ).all()
            names = session.execute(select(Cohort.name, func.count()).group_by(Cohort.name)).all()
        unfinished = [run for run in given if rows.get(run) not in FINISHED]
        if not unfinished or time.monotonic() > deadline:
            break
        time.sleep(2)
    engine.dispose()
    keys_with_two = [k for c in clients for k, runs in c.given.items() if len(runs) > 1]
    keys_with_two += [k for c in clients for k, ids in c.cohorts.items() if len(ids) > 1]
    return {
        "runs_given": len(given),
        "runs_in_database": len(rows),
        "statuses": dict(Counter(rows.get(run, "missing") for run in given)),
        "lost": len(unfinished),
        "lost_ids": sorted(unfinished)[:20],
        "duplicated": sum(n - 1 for _, n in per_cohort if n > 1)
        + sum(n - 1 for _, n in names if n > 1)
        + len(keys_with_two),
        "runs_nobody_was_given": len(set(rows) - given),
        "runs_executed_again_after_a_kill": retried,
    }


def small_cohort(seed: int) -> list[dict]:
    """A 30 x 10 generated cohort as JSON records (matcher's generator, seeded)."""
    from benchmarks.common import bench_cohort
    from matcher.io.records import cohort_to_records

    cohort = bench_cohort(30, 10, seed, capacity=4)
    return [{k: v for k, v in r.items() if v not in ("", None)} for r in cohort_to_records(cohort)]


def soak(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="mm-soak-"))
    folder.chmod(0o700)
    stack, memory, events = Stack(args, folder), [], []
    tally: Counter = Counter()
    try:
        with stack.running():
            stop_clients, stop_chaos = threading.Event(), threading.Event()
            records = small_cohort(args.seed)
            clients = [
                Client(n, key, stack.base, stop_clients, records, tally)
                for n, key in enumerate(stack.keys)
            ]
            chaos_thread = threading.Thread(
                target=chaos, args=(stack, stop_chaos, args, events), daemon=True
            )
            started = time.monotonic()
            for client in clients:
                client.start()
            chaos_thread.start()
            while time.monotonic() - started < args.minutes * 60:
                memory.append(rss_mb(stack.server.pid))
                time.sleep(2)
            stop_chaos.set()
            chaos_thread.join()
            stop_clients.set()
            for client in clients:
                client.join(60)
            outcome = account(stack.url, clients, args.drain)
            memory.append(rss_mb(stack.server.pid))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    samples = [m for m in memory if m is not None]
    errors = {str(k): v for k, v in tally.items() if k >= 500 and k != 503}
    return {
        "suite": "soak",
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "command": " ".join(["python -m benchmarks.soak", *sys.argv[1:]]),
        "answers_by_status": {str(k): v for k, v in sorted(tally.items())},
        "server_errors_other_than_503": sum(errors.values()),
        "connection_failures": tally.get(0, 0),
        **outcome,
        "worker_kills": stack.kills,
        "redis_restarts": stack.redis_restarts,
        "chaos": events,
        "server_rss_mb": {
            "first": round(samples[0], 1),
            "last": round(samples[-1], 1),
            "max": round(max(samples), 1),
            "samples": len(samples),
        },
    }


OPTIONS = [  # name, type, default, help
    ("clients", int, 50, "concurrent HR clients, one organization each"),
    ("minutes", float, 10.0, "how long the clients start new work"),
    ("workers", int, 2, "mentormatch worker processes"),
    ("seed", int, 1, "seeds the chaos loop"),
    ("redis-port", int, 6390, "the port of the soak's own redis-server"),
    ("kill-every", float, 30.0, "seconds between worker kills, on average"),
    ("redis-every", float, 90.0, "seconds between Redis restarts, on average"),
    ("run-delay", float, 1.0, "seconds each run waits before it solves (killable)"),
    ("drain", float, 300.0, "seconds the given runs get to end after the soak"),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, kind, default, words in OPTIONS:
        parser.add_argument(f"--{name}", type=kind, default=default, help=words)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/soak.json"))
    args = parser.parse_args(argv)
    result = soak(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    keys = ("runs_given", "lost", "duplicated", "server_errors_other_than_503", "server_rss_mb")
    print(json.dumps({k: result[k] for k in keys}))
    ok = result["lost"] == 0 and result["duplicated"] == 0
    return 0 if ok and result["server_errors_other_than_503"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
