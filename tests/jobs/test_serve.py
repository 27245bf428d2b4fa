"""`mentormatch serve` as a real process on SQLite with in-process workers: the HR flow
over HTTP, and SIGTERM while a run is running (it goes back to the queue and the next
start finishes it)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from jobs_helpers import SAMPLE

FAST = {"MENTORMATCH_HEARTBEAT_SECONDS": "0.2", "MENTORMATCH_STALE_AFTER_SECONDS": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def environ(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env = {k: v for k, v in env.items() if not k.startswith("MENTORMATCH_")}
    env.update(MENTORMATCH_INSTANCE_PATH=str(tmp_path / "instance"), **FAST)
    return env


class Server:
    def __init__(self, environ, log, **extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            ["mentormatch", "serve", "--port", str(self.port), "--threads", "4"],
            env={**environ, **extra},
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

    def call(self, method, path, body=None, key=None, content_type="application/json"):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_run(self, run_id, key, statuses, timeout=60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            code, body = self.call("GET", f"/api/v1/runs/{run_id}", key=key)
            run = json.loads(body)
            if code == 200 and run["status"] in statuses:
                return run
            assert time.monotonic() < deadline, run
            time.sleep(0.1)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        self._out.close()
        return code


def make_key(environ) -> str:
    done = subprocess.run(
        ["mentormatch", "keys", "create", "--org", "acme"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def start_run(server, key) -> str:
    path = "/api/v1/cohorts?name=sample&program=coaching"
    code, body = server.call("POST", path, SAMPLE.read_bytes(), key, "text/csv")
    assert code == 201, body
    cohort = json.loads(body)["id"]
    code, body = server.call("POST", f"/api/v1/cohorts/{cohort}/runs", b"{}", key)
    assert code == 202, body
    return json.loads(body)["id"]


def test_serve_runs_the_hr_flow_and_stops_on_sigterm(environ, tmp_path):
    key = make_key(environ)
    server = Server(environ, tmp_path / "serve.log")
    try:
        assert server.call("GET", "/readyz")[0] == 200
        run_id = start_run(server, key)
        run = server.wait_run(run_id, key, ("succeeded", "failed"))
        assert (run["status"], run["attempt"], run["solver_status"]) == ("succeeded", 1, "optimal")
        code, body = server.call("GET", f"/api/v1/runs/{run_id}/assignments?per_page=1000", key=key)
        assert code == 200 and len(json.loads(body)["items"]) == run["metrics"]["matched_places"]
    finally:
        assert server.terminate() == 0
    text = (tmp_path / "serve.log").read_text()
    assert "mentormatch serving on http://127.0.0.1:" in text and "executor inprocess" in text


def test_sigterm_mid_run_requeues_it_and_the_next_start_finishes_it(environ, tmp_path):
    key = make_key(environ)
    log = tmp_path / "serve.log"
    slow = Server(environ, log, MENTORMATCH_TEST_RUN_DELAY_SECONDS="120")
    try:
        run_id = start_run(slow, key)
        slow.wait_run(run_id, key, ("running",))
    finally:
        assert slow.terminate() == 0
    assert "stopping: running runs go back to the queue" in log.read_text()
    server = Server(environ, log)
    try:
        run = server.wait_run(run_id, key, ("succeeded", "failed"))
    finally:
        server.terminate()
    assert (run["status"], run["attempt"]) == ("succeeded", 1)  # the released try is not counted
