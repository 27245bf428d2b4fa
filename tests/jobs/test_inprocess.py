"""The in-process pool end to end on both databases, and the executor factory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jobs_helpers import (
    count_rows,
    get_run,
    queue_run,
    sample_cohort,
    set_run,
    stored_result,
    wait_for,
)

from api.jobs import NoExecutor, make_executor
from api.jobs.inprocess import InProcessPool
from api.tables import Assignment, utcnow
from matcher.checker import check
from matcher.io.policy import preset
from matcher.solve import solve


@pytest.fixture
def pool(config, sessions):
    pool = make_executor(config, sessions)
    yield pool
    pool.shutdown(wait=True)


def test_a_submitted_match_runs_to_the_stored_result(pool, sessions):
    assert isinstance(pool, InProcessPool) and pool.ready() == (True, "ok")
    cohort, policy = sample_cohort(), preset("coaching")
    run_id = queue_run(sessions, cohort, policy)
    pool.submit(run_id)
    pool.submit(run_id)  # submitted twice: runs once
    run = wait_for(sessions, run_id)
    assert (run.status, run.attempt, run.solver_status) == ("succeeded", 1, "optimal")
    assert run.worker.split(":")[-1].startswith("mm-worker-")
    expected = solve(cohort, policy)
    stored = stored_result(sessions, run_id)
    assert [(p.mentee_id, p.mentor_id, p.score) for p in stored.pairs] == [
        (p.mentee_id, p.mentor_id, p.score) for p in expected.pairs
    ]
    assert stored.pairs == expected.pairs and stored.metrics == expected.metrics
    assert check(cohort, policy, stored) == []


def test_queued_runs_nobody_submitted_are_picked_up(config, sessions):
    waiting = [queue_run(sessions) for _ in range(3)]  # queued before the pool exists
    pool = InProcessPool(config, sessions)
    try:
        for run_id in waiting:
            assert wait_for(sessions, run_id).status == "succeeded"
    finally:
        pool.shutdown()


def test_the_pool_reaper_requeues_and_reruns_a_dead_workers_run(config, sessions):
    run_id = queue_run(sessions)
    dead = utcnow() - timedelta(seconds=3600)
    set_run(sessions, run_id, status="running", attempt=1, worker="gone:1:x", heartbeat_at=dead)
    pool = InProcessPool(config, sessions)
    try:
        run = wait_for(sessions, run_id)
    finally:
        pool.shutdown()
    assert (run.status, run.attempt) == ("succeeded", 2)
    assert count_rows(sessions, Assignment, run_id) == len(
        solve(sample_cohort(), preset("coaching")).pairs
    )


def test_the_pool_reaper_fails_a_run_out_of_attempts(config, sessions):
    run_id = queue_run(sessions)
    dead = utcnow() - timedelta(seconds=3600)
    set_run(sessions, run_id, status="running", attempt=3, worker="gone:1:x", heartbeat_at=dead)
    pool = InProcessPool(config, sessions)
    try:
        run = wait_for(sessions, run_id)
    finally:
        pool.shutdown()
    assert (run.status, run.attempt) == ("failed", 3)
    assert run.error["type"].endswith("#problem-run-attempts-exhausted")


def test_shutdown_returns_running_runs_to_the_queue(config, sessions):
    pool = InProcessPool({**config, "TEST_RUN_DELAY_SECONDS": 60.0}, sessions)
    run_id = queue_run(sessions)
    pool.submit(run_id)
    wait_for(sessions, run_id, statuses=("running",))
    pool.shutdown(wait=True)
    assert pool.ready() == (False, "worker pool shutting down")
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt, run.worker) == ("queued", 0, None)


def test_make_executor_by_name(config, sessions):
    none = make_executor({**config, "EXECUTOR": "none"}, sessions)
    assert isinstance(none, NoExecutor) and none.ready() == (True, "ok")
    run_id = queue_run(sessions)
    none.submit(run_id)
    none.shutdown()
    assert get_run(sessions, run_id).status == "queued"
    with pytest.raises(ValueError, match=r"EXECUTOR='threads'.*inprocess"):
        make_executor({**config, "EXECUTOR": "threads"}, sessions)
    with pytest.raises(ValueError, match="INPROCESS_WORKERS=0"):
        InProcessPool({**config, "INPROCESS_WORKERS": 0}, sessions)
