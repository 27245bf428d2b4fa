"""The soak test's system under test (benchmarks/soak.py), all of its own, on loopback:
a redis-server without persistence, a fresh PostgreSQL database, ``mentormatch serve``
with the Celery executor and ``mentormatch worker`` processes that can be SIGKILLed and
replaced; plus one-request HTTP calls and the memory of a process.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks.common import CLI, background, service_env
from benchmarks.http_load import free_port
from benchmarks.suites.service import _database, _drop


def rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Redis:
    """A redis-server of our own, no persistence, on loopback ``port``."""

    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.process = port, folder, None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Stack:
    """The system under test: Redis, PostgreSQL, the server and the workers."""

    def __init__(self, args, folder: Path):
        self.args, self.folder = args, folder
        self.redis = Redis(args.redis_port, folder)
        self.workers: list = []
        self.kills = self.redis_restarts = 0
        self.lock = threading.Lock()

    @contextmanager
    def running(self):
        url, admin = _database()
        self.url = url
        port = free_port()
        self.base = ("127.0.0.1", port)
        self.env = service_env(
            DATABASE_URL=url,
            REDIS_URL=f"redis://127.0.0.1:{self.args.redis_port}/0",
            MENTORMATCH_EXECUTOR="celery",
            MENTORMATCH_INSTANCE_PATH=str(self.folder),
            MENTORMATCH_QUEUE=f"soak-{secrets.token_hex(3)}",
            MENTORMATCH_HEARTBEAT_SECONDS="2",
            MENTORMATCH_STALE_AFTER_SECONDS="10",
            MENTORMATCH_MAX_ATTEMPTS="5",
            MENTORMATCH_TEST_RUN_DELAY_SECONDS=str(self.args.run_delay),
            MENTORMATCH_RATE_LIMIT_KEY="600/minute",
        )
        try:
            self.redis.start()
            subprocess.run([*CLI, "db", "upgrade"], env=self.env, check=True, capture_output=True)
            self.keys = self._keys(self.args.clients)
            serve = [*CLI, "serve", "--port", str(port), "--threads", "16"]
            with ExitStack() as stack:
                self.server = stack.enter_context(
                    background(serve, self.env, self.folder / "server.log")
                )
                self.stack = stack
                for _ in range(self.args.workers):
                    self.start_worker()
                self._wait_ready()
                yield self
                for worker in self.workers:
                    self._stop(worker)
        finally:
            self.redis.kill()
            _drop(url, admin)

    def _keys(self, count: int) -> list[str]:
        """One organization and key per client, made in this process (one transaction)."""
        from api.db import make_engine, make_sessions, transaction
        from api.keys import create_key

        engine = make_engine(self.url)
        with transaction(make_sessions(engine)) as session:
            keys = [create_key(session, f"soak-{n:03d}")[0] for n in range(count)]
        engine.dispose()
        return keys

    def start_worker(self) -> None:
        command = [*CLI, "worker", "--concurrency", "1", "--loglevel", "warning"]
        log = (self.folder / f"worker-{len(self.workers)}.log").open("ab")
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.workers.append(process)

    def kill_worker(self, rng: random.Random) -> None:
        """SIGKILL one live worker's whole process group and start another in its place."""
        with self.lock:
            live = [w for w in self.workers if w.poll() is None]
            victim = rng.choice(live)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            self.workers.remove(victim)
            self.start_worker()
            self.kills += 1

    def restart_redis(self, down_seconds: float) -> None:
        self.redis.kill()
        time.sleep(down_seconds)
        self.redis.start()
        self.redis_restarts += 1

    def _stop(self, worker) -> None:
        if worker.poll() is None:  # SIGKILL: what it ran is re-queued, nothing waits on it
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if call(self.base, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError((self.folder / "server.log").read_text()[-2000:])


def call(base, method: str, path: str, body=None, headers=None) -> tuple[int, dict, dict]:
    """One request on a fresh connection: status, JSON body (or {}), headers."""
    connection = http.client.HTTPConnection(*base, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})} if data else headers
        connection.request(method, path, body=data, headers=sent or {})
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {}
        return response.status, parsed, dict(response.getheaders())
    finally:
        connection.close()
