"""Answer jobs through the in-process pool on both databases and a real Celery worker."""

from __future__ import annotations

import secrets

import pytest
from celery_helpers import Worker, clean_redis, executor_for
from jobs_helpers import queue_run, wait_for

from api.db import make_engine, make_sessions, transaction
from api.jobs import make_executor
from api.tables import Run
from api.tables_answers import RunAnswer
from matcher.answers.questions import prices_answer
from matcher.io.policy import preset


def _ask(sessions, run_id: str, kind: str, params: dict) -> str:
    """Queue an answer job about ``run_id`` as the API does (its policy, its cohort)."""
    with transaction(sessions) as session:
        run = session.get(Run, run_id)
        job = Run(
            organization_id=run.organization_id,
            cohort_id=run.cohort_id,
            kind=kind,
            policy=run.policy,
            changes={"params": params},
            previous_run_id=run.id,
        )
        session.add(job)
        session.flush()
        return job.id


def _answer(sessions, job_id: str) -> dict:
    with sessions() as session:
        return session.get(RunAnswer, job_id).answer


def _expected(sessions, run_id: str, **params) -> dict:
    from api.store import solved_inputs

    with sessions() as session:
        cohort, policy = solved_inputs(session, session.get(Run, run_id))
    return prices_answer(cohort, policy, **params)


def test_a_prices_job_runs_in_the_pool(config, sessions):
    pool = make_executor(config, sessions)
    try:
        run_id = queue_run(sessions, policy=preset("coaching"))
        pool.submit(run_id)
        assert wait_for(sessions, run_id).status == "succeeded"
        job_id = _ask(sessions, run_id, "prices", {"top": 2, "hints": 1})
        pool.submit(job_id)
        pool.submit(job_id)  # twice: answered once
        job = wait_for(sessions, job_id)
        assert (job.status, job.attempt, job.error) == ("succeeded", 1, None)
        assert _answer(sessions, job_id) == _expected(sessions, run_id, top=2, hints=1)
    finally:
        pool.shutdown(wait=True)


def test_a_job_about_a_deleted_run_fails_with_a_problem(config, sessions):
    pool = make_executor(config, sessions)
    try:
        job_id = _ask(sessions, queue_run(sessions), "attrition", {"top": 1})
        with transaction(sessions) as session:
            session.get(Run, job_id).previous_run_id = None
        pool.submit(job_id)
        job = wait_for(sessions, job_id)
        assert job.status == "failed"
        assert job.error["type"].endswith("run-input-rejected")
        assert "deleted" in job.error["errors"][0]["message"]
    finally:
        pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def queue():
    name = f"mm-test-{secrets.token_hex(4)}"
    yield name
    clean_redis(name)


def test_a_prices_job_through_a_celery_worker(pg_url, queue, tmp_path):
    engine = make_engine(pg_url)
    sessions = make_sessions(engine)
    worker = Worker(pg_url, queue, tmp_path / "worker.log")
    try:
        executor = executor_for(pg_url, queue, tmp_path)
        run_id = queue_run(sessions)
        executor.submit(run_id)
        assert wait_for(sessions, run_id, timeout=60).status == "succeeded"
        job_id = _ask(sessions, run_id, "prices", {"top": 1, "hints": 0})
        executor.submit(job_id)
        job = wait_for(sessions, job_id, timeout=60)
        assert (job.status, job.attempt) == ("succeeded", 1)
        assert _answer(sessions, job_id) == _expected(sessions, run_id, top=1, hints=0)
        executor.submit(job_id)  # a re-delivery: skipped
        worker.wait_for_log(f"run {job_id} not claimable")
        executor.shutdown()
    finally:
        worker.stop()
        engine.dispose()
