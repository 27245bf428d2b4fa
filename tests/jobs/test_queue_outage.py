"""A Redis of the test's own (a redis-server on a free loopback port, stopped and
started by the test, so nobody else's Redis is disturbed): /readyz is 503 while the
queue is down and 200 again after, and the rate limits counted in that Redis keep
answering (counted in memory meanwhile) instead of failing requests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A throwaway redis-server without persistence on ``port``."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server():
    server = OwnRedis(free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_readiness_follows_the_queue_and_limits_survive_its_outage(
    redis_server, tmp_path, monkeypatch
):
    from api import create_app
    from api.db import transaction
    from api.keys import create_key
    from api.migrate import upgrade

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    upgrade(url)
    broker = f"redis://127.0.0.1:{redis_server.port}/0"
    app = create_app(
        {
            "DATABASE_URL": url,
            "EXECUTOR": "celery",
            "BROKER_URL": broker,
            "RATE_LIMIT_KEY": "50/minute",
        }
    )
    services = app.extensions["mentormatch"]
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "acme")
    plain, auth = app.test_client(), {"Authorization": f"Bearer {key}"}
    try:
        assert plain.get("/readyz").status_code == 200
        assert plain.get("/api/v1/cohorts", headers=auth).headers["RateLimit-Remaining"] == "49"

        redis_server.stop()
        down = plain.get("/readyz")
        assert down.status_code == 503 and down.mimetype == "application/problem+json"
        assert down.get_json()["checks"]["executor"].startswith("queue unreachable")
        assert down.get_json()["checks"]["database"] == "ok"
        for _ in range(3):  # counted in memory now; never a 5xx for the counters' outage
            assert plain.get("/api/v1/cohorts", headers=auth).status_code == 200

        redis_server.start()
        deadline = time.monotonic() + 10
        while plain.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "not ready again after Redis came back"
            time.sleep(0.2)
    finally:
        services.close()
