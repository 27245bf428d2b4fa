"""The outbox on both databases: a run started while Redis is unreachable is recorded once,
answered 202, replayed on retry, and sent when Redis is back; dispatchers take a message
once per lease, and the in-process pool's dispatcher sends what no request confirmed."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta

import pytest
from celery_helpers import REDIS_URL, clean_redis
from jobs_helpers import queue_run, set_run, wait_for
from sqlalchemy import func, select, update

from api.config import load_settings
from api.db import transaction
from api.jobs import outbox
from api.jobs.celery_app import CeleryExecutor
from api.jobs.inprocess import InProcessPool
from api.keys import create_key
from api.tables import OutboxMessage, Run, utcnow

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
PEOPLE = [
    {"id": "M1", "role": "mentor", "skills": "python", "capacity": 2},
    {"id": "E1", "role": "mentee", "skills": "python"},
    {"id": "E2", "role": "mentee", "skills": "python"},
]


@pytest.fixture
def queue():
    name = f"mm-test-outbox-{secrets.token_hex(4)}"
    yield name
    clean_redis(name)


@pytest.fixture
def down_app(database_url, queue, tmp_path, monkeypatch):
    """The service with EXECUTOR=celery and Redis unreachable (its dispatcher idle)."""
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"DATABASE_URL": database_url, "EXECUTOR": "celery", "BROKER_URL": CLOSED}
    settings.update(QUEUE=queue, DISPATCH_SECONDS=3600.0, DISPATCH_RETRY_SECONDS=0.0)
    app = create_app(settings)
    yield app
    app.extensions["mentormatch"].close()


def run_ids(sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Run.id)))


def queued_messages(queue: str) -> list[list]:
    """The task arguments of the messages waiting in ``queue`` on the real Redis."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        raw = client.lrange(queue, 0, -1)
    finally:
        client.close()
    return [json.loads(base64.b64decode(json.loads(item)["body"]))[0] for item in raw]


def test_redis_down_gives_202_once_and_the_run_is_sent_when_redis_is_back(down_app, queue):
    services = down_app.extensions["mentormatch"]
    with transaction(services.sessions) as session:
        key, _ = create_key(session, "acme")
    client = down_app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    body = {"name": "spring", "program": "coaching", "participants": PEOPLE}
    cohort = client.post("/api/v1/cohorts", json=body, headers=auth).get_json()["id"]

    headers = {**auth, "Idempotency-Key": "spring-1"}
    first = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    assert first.status_code == 202, first.get_json()
    again = client.post(f"/api/v1/cohorts/{cohort}/runs", json={}, headers=headers)
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert run_ids(services.sessions) == [first.get_json()["id"]]
    assert outbox.pending_count(services.sessions) == 1

    # Redis is reachable again: one dispatcher pass sends the one message, then nothing.
    settings = {**services.settings, "BROKER_URL": REDIS_URL}
    sender = CeleryExecutor(settings)
    try:
        assert outbox.dispatch(services.sessions, sender, lease=60.0) == 1
        assert outbox.dispatch(services.sessions, sender, lease=0.0) == 0
    finally:
        sender.shutdown()
    assert queued_messages(queue) == [[first.get_json()["id"]]]
    assert outbox.pending_count(services.sessions) == 0


class Flaky:
    """An executor whose queue is down until ``up`` is set; remembers what it accepted."""

    def __init__(self):
        self.up, self.sent = False, []

    def submit(self, run_id):
        if not self.up:
            raise ConnectionError("queue down")
        self.sent.append(run_id)


def make_due(sessions) -> None:
    with transaction(sessions) as session:
        session.execute(update(OutboxMessage).values(available_at=utcnow() - timedelta(1)))


def attempts(sessions) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage.attempts).order_by(OutboxMessage.id)))


def test_a_message_is_taken_once_per_lease_and_marked_only_when_sent(sessions):
    run_id = queue_run(sessions)
    with transaction(sessions) as session:
        outbox.enqueue(session, [run_id], delay=60.0)
    executor = Flaky()
    assert outbox.dispatch(sessions, executor, lease=60.0) == 0  # not due: the request tries
    assert outbox.hand_off(sessions, executor, [run_id]) == 0  # the queue is down
    make_due(sessions)
    assert outbox.dispatch(sessions, executor, lease=60.0) == 0  # taken, refused
    assert attempts(sessions) == [1] and outbox.pending_count(sessions) == 1
    executor.up = True
    assert outbox.dispatch(sessions, executor, lease=60.0) == 0  # leased: left alone
    make_due(sessions)
    assert outbox.dispatch(sessions, executor, lease=60.0) == 1
    assert executor.sent == [run_id] and outbox.pending_count(sessions) == 0
    make_due(sessions)
    assert outbox.dispatch(sessions, executor, lease=60.0) == 0  # sent messages stay sent
    assert outbox.hand_off(sessions, executor, [run_id]) == 0 and executor.sent == [run_id]


def test_deleting_a_run_deletes_its_message_and_sent_ones_are_purged(sessions):
    gone, kept = queue_run(sessions), queue_run(sessions)
    with transaction(sessions) as session:
        outbox.enqueue(session, [gone, kept], delay=0.0)
        session.delete(session.get(Run, gone).cohort)
    executor = Flaky()
    executor.up = True
    assert outbox.dispatch(sessions, executor, lease=60.0) == 1 and executor.sent == [kept]
    with transaction(sessions) as session:
        old = utcnow() - outbox.KEEP_SENT - timedelta(minutes=1)
        session.execute(update(OutboxMessage).values(sent_at=old))
    outbox.dispatch(sessions, executor, lease=60.0)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_reaped_run_gets_a_message_with_its_requeue(sessions):
    from api.jobs import lifecycle

    run_id = queue_run(sessions)
    lifecycle.claim(sessions, run_id, "w1", stale_after=30.0, max_attempts=3)
    set_run(sessions, run_id, heartbeat_at=utcnow() - timedelta(hours=1))
    reaped = lifecycle.reap(sessions, stale_after=30.0, max_attempts=3, dispatch_delay=60.0)
    assert reaped.requeued == [run_id] and outbox.pending_count(sessions) == 1


def test_the_pools_dispatcher_sends_what_no_request_confirmed(config, sessions):
    run_id = queue_run(sessions)
    with transaction(sessions) as session:
        outbox.enqueue(session, [run_id], delay=0.0)
    settings = load_settings(".", {**config, "DISPATCH_SECONDS": 0.05}, environ={})
    pool = InProcessPool(settings, sessions)
    try:
        assert wait_for(sessions, run_id).status == "succeeded"
    finally:
        pool.shutdown()
    assert outbox.pending_count(sessions) == 0
