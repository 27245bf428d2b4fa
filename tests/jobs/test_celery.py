"""Celery on the local Redis and the session's PostgreSQL, through a real worker process:
a match, a re-delivered message, a queued run nobody sent (kill -9: test_celery_kill.py)."""

from __future__ import annotations

import secrets
import time

import pytest
from celery_helpers import Worker, clean_redis, executor_for
from jobs_helpers import count_rows, queue_run, sample_cohort, stored_result, wait_for

from api.config import load_settings
from api.db import make_engine, make_sessions
from api.jobs.celery_app import CeleryExecutor, celery_config
from api.tables import AlternateRow, Assignment
from matcher.checker import check
from matcher.io.policy import preset
from matcher.solve import solve


@pytest.fixture(scope="module")
def queue():
    name = f"mm-test-{secrets.token_hex(4)}"
    yield name
    clean_redis(name)


@pytest.fixture(scope="module")
def pg_sessions(pg_url):
    engine = make_engine(pg_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def worker(pg_url, queue, tmp_path_factory):
    process = Worker(pg_url, queue, tmp_path_factory.mktemp("worker") / "worker.log")
    yield process
    process.stop()


def test_a_match_through_a_celery_worker(worker, pg_url, queue, pg_sessions, tmp_path):
    executor = executor_for(pg_url, queue, tmp_path)
    assert isinstance(executor, CeleryExecutor) and executor.ready() == (True, "ok")
    cohort, policy = sample_cohort(), preset("coaching")
    run_id = queue_run(pg_sessions, cohort, policy)
    executor.submit(run_id)
    run = wait_for(pg_sessions, run_id, timeout=60)
    assert (run.status, run.attempt, run.solver_status) == ("succeeded", 1, "optimal")
    expected = solve(cohort, policy)
    stored = stored_result(pg_sessions, run_id)
    assert stored.pairs == expected.pairs
    assert check(cohort, policy, stored) == []
    # The same message again (a re-delivery): the worker skips it, nothing is doubled.
    executor.submit(run_id)
    worker.wait_for_log(f"run {run_id} not claimable")
    assert count_rows(pg_sessions, Assignment, run_id) == len(expected.pairs)
    assert count_rows(pg_sessions, AlternateRow, run_id) == len(expected.alternates)
    executor.shutdown()


def test_a_queued_run_nobody_sent_is_picked_up(worker, pg_sessions):
    run_id = queue_run(pg_sessions)  # as an EXECUTOR=none API node leaves it
    run = wait_for(pg_sessions, run_id, timeout=60)
    assert (run.status, run.attempt) == ("succeeded", 1)
    assert f"run {run_id} was queued without a message: sent" in worker.text()


def test_an_unreachable_queue_is_not_ready(tmp_path):
    settings = load_settings(
        tmp_path, {"BROKER_URL": "redis://127.0.0.1:1/0", "EXECUTOR": "celery"}, environ={}
    )
    ok, why = CeleryExecutor(settings).ready()
    assert not ok and why.startswith("queue unreachable")


def test_messages_are_json_acknowledged_late_and_carry_the_run_id_only(tmp_path):
    settings = load_settings(tmp_path, {"MAX_SOLVER_SECONDS": 600.0}, environ={})
    conf = celery_config(settings)
    assert conf["task_serializer"] == "json" and conf["accept_content"] == ["json"]
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["broker_transport_options"]["visibility_timeout"] == 1260.0


def test_the_workers_dispatcher_sends_and_marks_an_outbox_message(worker, pg_sessions):
    from api.db import transaction
    from api.jobs import outbox

    run_id = queue_run(pg_sessions)
    with transaction(pg_sessions) as session:  # as a request whose hand-off failed leaves it
        outbox.enqueue(session, [run_id], delay=0.0)
    run = wait_for(pg_sessions, run_id, timeout=60)
    assert (run.status, run.attempt) == ("succeeded", 1)
    deadline = time.monotonic() + 30
    while outbox.pending_count(pg_sessions):
        assert time.monotonic() < deadline, "the worker's dispatcher did not mark the message"
        time.sleep(0.1)
