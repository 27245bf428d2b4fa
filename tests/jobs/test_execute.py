"""execute_run on both databases: results, errors as problems, cancel, shutdown, skip."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import pytest
from jobs_helpers import (
    count_rows,
    get_run,
    queue_run,
    sample_cohort,
    stored_result,
    wait_for,
)

from api.db import transaction
from api.jobs import execute, lifecycle
from api.jobs.execute import execute_run
from api.tables import AlternateRow, Assignment, Run, UnmatchedRow
from matcher.checker import check
from matcher.io.policy import preset
from matcher.model import Objective
from matcher.solve import solve


def test_a_match_run_stores_what_solve_returns(sessions, config):
    cohort, policy = sample_cohort(), preset("coaching")
    run_id = queue_run(sessions, cohort, policy)
    assert execute_run(sessions, run_id, "w1", config) == "succeeded"
    expected = solve(cohort, policy)
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt, run.solver_status) == ("succeeded", 1, "optimal")
    assert run.objective == pytest.approx(expected.objective)
    stored = stored_result(sessions, run_id)
    assert stored.pairs == expected.pairs
    assert stored.unmatched == expected.unmatched
    assert check(cohort, policy, stored) == []
    # A re-delivered message for the finished run changes nothing.
    assert execute_run(sessions, run_id, "w2", config) == "skipped"
    assert count_rows(sessions, Assignment, run_id) == len(expected.pairs)
    assert count_rows(sessions, UnmatchedRow, run_id) == len(expected.unmatched)
    assert count_rows(sessions, AlternateRow, run_id) == len(expected.alternates)
    assert get_run(sessions, run_id).attempt == 1


def test_conflicting_hard_rules_are_a_succeeded_infeasible_run(sessions, config):
    cohort = sample_cohort()
    mentor = cohort.mentors[0]
    mentees = [e.id for e in cohort.mentees[: mentor.capacity + 1]]
    policy = replace(preset("coaching"), pinned_pairs=tuple((e, mentor.id) for e in mentees))
    run_id = queue_run(sessions, cohort, policy)
    assert execute_run(sessions, run_id, "w1", config) == "succeeded"
    run = get_run(sessions, run_id)
    assert (run.status, run.solver_status, run.error) == ("succeeded", "infeasible", None)
    assert run.conflicts and mentor.id in " ".join(run.conflicts)
    assert count_rows(sessions, Assignment, run_id) == 0


def test_a_policy_the_core_rejects_fails_with_every_problem(sessions, config):
    # group-fair without the groups to be fair to: the core refuses it when it solves
    policy = replace(preset("coaching"), objective=Objective.GROUP_FAIR, fair_by=None)
    run_id = queue_run(sessions, sample_cohort(), policy)
    assert execute_run(sessions, run_id, "w1", config) == "failed"
    error = get_run(sessions, run_id).error
    assert error["type"].endswith("#problem-run-input-rejected")
    assert error["status"] == 422 and error["total_errors"] == 1
    assert error["errors"][0]["column"] == "solver.by"
    assert "group-fair" in error["errors"][0]["message"]


def test_an_unknown_kind_fails_with_a_clear_problem(sessions, config):
    run_id = queue_run(sessions, kind="teleport")
    assert execute_run(sessions, run_id, "w1", config) == "failed"
    run = get_run(sessions, run_id)
    assert run.error["type"].endswith("#problem-run-unknown-kind")
    assert run.error["kind"] == "teleport" and "match" in run.error["detail"]


def test_an_unexpected_error_is_a_problem_without_personal_data(
    sessions, config, monkeypatch, caplog
):
    def broken(sessions, claim, check):
        raise RuntimeError("Ada Lovelace <ada@example.com> broke it")

    monkeypatch.setitem(execute.KINDS, "match", broken)
    run_id = queue_run(sessions)
    with caplog.at_level(logging.INFO, logger="mentormatch.jobs"):
        assert execute_run(sessions, run_id, "w1", config) == "failed"
    error = get_run(sessions, run_id).error
    assert error["type"].endswith("#problem-run-internal-error")
    assert (error["status"], error["run_id"]) == (500, run_id)
    assert "RuntimeError" in error["detail"]
    assert "Ada" not in str(error) and "Traceback" not in str(error)
    assert run_id in caplog.text and "RuntimeError" in caplog.text
    assert "Ada" not in caplog.text and "example.com" not in caplog.text


def start_in_thread(sessions, run_id, config, shutdown=None):
    outcome = {}

    def work():
        outcome["value"] = execute_run(sessions, run_id, "w1", config, shutdown=shutdown)

    thread = threading.Thread(target=work)
    thread.start()
    wait_for(sessions, run_id, statuses=("running",), timeout=30)
    return thread, outcome


def test_cancel_while_running_stops_at_the_next_stage(sessions, config):
    run_id = queue_run(sessions)
    config = {**config, "TEST_RUN_DELAY_SECONDS": 60.0}
    thread, outcome = start_in_thread(sessions, run_id, config)
    with transaction(sessions) as session:
        lifecycle.request_cancel(session, session.get(Run, run_id))
    thread.join(30)
    assert not thread.is_alive() and outcome["value"] == "cancelled"
    run = get_run(sessions, run_id)
    assert (run.status, run.cancel_requested) == ("cancelled", True)
    assert count_rows(sessions, Assignment, run_id) == 0


def test_shutdown_puts_a_running_run_back_in_the_queue(sessions, config):
    run_id = queue_run(sessions)
    config = {**config, "TEST_RUN_DELAY_SECONDS": 60.0}
    stop = threading.Event()
    thread, outcome = start_in_thread(sessions, run_id, config, shutdown=stop)
    stop.set()
    thread.join(30)
    assert not thread.is_alive() and outcome["value"] == "released"
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt, run.worker) == ("queued", 0, None)
