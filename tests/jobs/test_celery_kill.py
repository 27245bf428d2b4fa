"""kill -9 of a Celery worker mid-run: another worker's reaper re-queues the run and it
ends succeeded exactly once, on attempt 2.

A module of its own: every live worker on the session's database would pick the run up
(that is the point of the reaper), so no other worker may be running during this test.
"""

from __future__ import annotations

import secrets

import pytest
from celery_helpers import Worker, clean_redis, executor_for
from jobs_helpers import count_rows, queue_run, sample_cohort, stored_result, wait_for

from api.db import make_engine, make_sessions
from api.tables import Assignment
from matcher.io.policy import preset
from matcher.solve import solve


@pytest.fixture
def pg_sessions(pg_url):
    engine = make_engine(pg_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def queue():
    name = f"mm-test-kill-{secrets.token_hex(4)}"
    yield name
    clean_redis(name)


def test_kill_9_mid_run_then_another_worker_finishes_it_once(pg_url, pg_sessions, queue, tmp_path):
    executor = executor_for(pg_url, queue, tmp_path)
    # The first worker waits 120 s inside each run (TEST_RUN_DELAY_SECONDS): still running
    # when it is killed.
    slow = Worker(pg_url, queue, tmp_path / "a.log", MENTORMATCH_TEST_RUN_DELAY_SECONDS="120")
    try:
        run_id = queue_run(pg_sessions)
        executor.submit(run_id)
        first = wait_for(pg_sessions, run_id, statuses=("running",), timeout=60)
        assert first.attempt == 1
    finally:
        slow.kill9()
    second = Worker(pg_url, queue, tmp_path / "b.log")
    try:
        run = wait_for(pg_sessions, run_id, timeout=60)
    finally:
        second.stop()
        executor.shutdown()
    assert (run.status, run.attempt, run.error) == ("succeeded", 2, None)
    assert run.worker != first.worker
    assert f"run {run_id}: worker gone silent, re-queued" in second.text()
    expected = solve(sample_cohort(), preset("coaching"))
    assert count_rows(pg_sessions, Assignment, run_id) == len(expected.pairs)
    assert stored_result(pg_sessions, run_id).pairs == expected.pairs
