"""A closed-loop HTTP load generator and a production server under test, on loopback.

:func:`serving` starts ``mentormatch serve`` (waitress) or gunicorn in a subprocess on a
fresh SQLite instance folder with one organization key; :func:`load` has ``clients``
threads, each on its own keep-alive connection, send the same request back to back until
``requests`` answers have come back. Latency is measured per request by the client, from
sending the request to reading the whole body. Both servers are started with this
interpreter (``python -m matcher.cli serve``, ``python -m gunicorn``), so the benchmark
needs no virtual environment on ``PATH``.
"""

from __future__ import annotations

import http.client
import importlib.util
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import CLI, background, service_env


@dataclass(frozen=True)
class Server:
    """A running server: where it listens, its key, and its log file."""

    name: str
    port: int
    key: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(name: str, port: int) -> list[str]:
    if name == "waitress":
        return [*CLI, "serve", "--port", str(port), "--threads", "8"]
    if name == "gunicorn":
        workers = str(os.cpu_count() or 1)
        return [
            sys.executable, "-m", "gunicorn", "-w", workers, "-k", "gthread", "--threads", "4",
            "-b", f"127.0.0.1:{port}", "api.wsgi:app",
        ]  # fmt: skip
    raise ValueError(f"unknown server {name!r}: expected waitress or gunicorn")


def available(name: str) -> bool:
    """Whether this interpreter can import the server (gunicorn is an optional extra)."""
    return importlib.util.find_spec(name) is not None


@contextmanager
def serving(name: str, timeout: float = 60.0):
    """Start server ``name`` ("waitress" or "gunicorn"), yield a :class:`Server`, stop it.

    Raises
    ------
    RuntimeError
        If the server does not answer ``/readyz`` within ``timeout`` seconds (with the
        end of its log).
    """
    folder = Path(tempfile.mkdtemp(prefix="mm-serve-"))
    env = service_env(MENTORMATCH_INSTANCE_PATH=str(folder), MENTORMATCH_EXECUTOR="inprocess")
    # serve migrates on start; gunicorn's app does not, so migrate first for both.
    subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*CLI, "keys", "create", "--org", "bench"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    key = made.stdout.strip().splitlines()[-1]
    port = free_port()
    log = folder / "server.log"
    try:
        with background(_command(name, port), env, log) as process:
            _wait_ready(port, process, log, timeout)
            yield Server(name, port, key, log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(port: int, process, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout:g} s: {log.read_text()[-2000:]}")


def load(
    server: Server, path: str, body: bytes, *, clients: int, requests: int, warmup: int = 2
) -> dict:
    """Send ``requests`` POSTs of ``body`` from ``clients`` threads; latency figures.

    Parameters
    ----------
    server : from :func:`serving`.
    path : the route, e.g. ``/api/v1/match``.
    body : the JSON request body.
    clients : concurrent connections, each sending its next request as soon as the last
        answer is read (a closed loop, as HR systems calling in parallel would).
    requests : answers to record, after ``warmup`` unrecorded requests per client.

    Returns
    -------
    dict
        ``clients``, ``requests``, ``errors`` (non-200 answers and failed connections),
        ``p50_ms``, ``p90_ms``, ``p99_ms``, ``max_ms``, ``mean_ms``, ``requests_per_s``.
    """
    headers = {
        "Authorization": f"Bearer {server.key}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    tickets = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        for _ in range(warmup):
            _send(connection, path, body, headers)
        start.wait()
        while next(tickets) < requests:
            began = time.perf_counter()
            try:
                status = _send(connection, path, body, headers)
            except OSError as error:
                status = type(error).__name__
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(str(status))
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies)
    return {
        "clients": clients,
        "requests": len(ms),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "p50_ms": round(_percentile(ms, 50), 1),
        "p90_ms": round(_percentile(ms, 90), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "requests_per_s": round(len(ms) / wall, 1),
    }


def post_json(server: Server, path: str, body: bytes) -> tuple[int, dict]:
    """One POST of ``body``; (status, parsed JSON answer)."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def _send(connection, path: str, body: bytes, headers: dict):
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _percentile(sorted_ms: list[float], q: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    rank = max(1, round(q / 100 * len(sorted_ms) + 0.5 - 1e-9))
    return sorted_ms[min(rank, len(sorted_ms)) - 1]
