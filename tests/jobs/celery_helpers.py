"""Real `mentormatch worker` processes for the Celery tests, and Redis cleanup.

Each worker is its own process group (kill -9 takes the main process and its pool
children together, as a machine dying would). Queues are named per test session so
parallel test runs never take each other's messages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from api.config import load_settings
from api.jobs import make_executor

REDIS_URL = os.environ.get("MENTORMATCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
FAST = {"MENTORMATCH_HEARTBEAT_SECONDS": "0.2", "MENTORMATCH_STALE_AFTER_SECONDS": "1.5"}


class Worker:
    """A `mentormatch worker` subprocess writing its log to ``log``."""

    def __init__(self, database_url: str, queue: str, log: Path, **env: str):
        self.log = log
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MENTORMATCH_")}
        environ.update(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            MENTORMATCH_QUEUE=queue,
            MENTORMATCH_INSTANCE_PATH=str(log.parent),
            **FAST,
            **env,
        )
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            ["mentormatch", "worker", "--concurrency", "1", "--loglevel", "info"],
            env=environ,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_for_log(" ready.", timeout=60)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            code = self.process.poll()
            assert code is None, f"worker exited with {code}:\n{self.text()[-3000:]}"
            assert time.monotonic() < deadline, f"no {needle!r} in worker log:\n{self.text()}"
            time.sleep(0.05)

    def kill9(self) -> None:
        """SIGKILL the worker's whole process group: no cleanup, no acknowledgement."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._out.close()

    def stop(self) -> None:
        """SIGTERM (warm shutdown), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._out.close()


def clean_redis(queue: str) -> None:
    """Remove the session's queue, send markers and unacknowledged messages from Redis."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue)
    for key in client.scan_iter(f"mentormatch:{queue}:sent:*"):
        client.delete(key)
    for tag, raw in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


def executor_for(pg_url: str, queue: str, tmp_path):
    """The API side's executor (EXECUTOR=celery) sending to ``queue``."""
    settings = load_settings(
        tmp_path,
        {
            "DATABASE_URL": pg_url,
            "EXECUTOR": "celery",
            "BROKER_URL": REDIS_URL,
            "QUEUE": queue,
            "STALE_AFTER_SECONDS": 1.5,
        },
        environ={},
    )
    return make_executor(settings, None)
