"""The run's states on both databases: claim, heartbeat, finish, fail, cancel, reap."""

from __future__ import annotations

from datetime import timedelta

from jobs_helpers import count_rows, get_run, queue_run, set_run

from api.db import transaction
from api.jobs import lifecycle
from api.jobs.lifecycle import Beat
from api.tables import Assignment, Run, utcnow
from matcher.io.policy import policy_from_dict
from matcher.solve import solve

STALE = 30.0


def claim(sessions, run_id, worker="w1", max_attempts=3):
    return lifecycle.claim(sessions, run_id, worker, stale_after=STALE, max_attempts=max_attempts)


def silence(sessions, run_id, seconds=3600):
    """Make the run's heartbeat ``seconds`` old, as if its worker died that long ago."""
    set_run(sessions, run_id, heartbeat_at=utcnow() - timedelta(seconds=seconds))


def test_claim_twice_gives_the_second_nothing(sessions):
    run_id = queue_run(sessions)
    first = claim(sessions, run_id, "w1")
    assert (first.run_id, first.worker, first.attempt, first.kind) == (run_id, "w1", 1, "match")
    assert policy_from_dict(first.policy).program == "coaching"
    assert claim(sessions, run_id, "w2") is None
    run = get_run(sessions, run_id)
    assert (run.status, run.worker, run.attempt) == ("running", "w1", 1)
    assert run.started_at is not None and run.heartbeat_at is not None


def test_unknown_run_is_not_claimed(sessions):
    assert claim(sessions, "run_nope") is None


def test_stale_heartbeat_is_reclaimed_and_the_old_worker_loses_it(sessions):
    run_id = queue_run(sessions)
    old = claim(sessions, run_id, "w1")
    assert claim(sessions, run_id, "w2") is None  # fresh heartbeat: w1 is alive
    silence(sessions, run_id)
    new = claim(sessions, run_id, "w2")
    assert (new.worker, new.attempt) == ("w2", 2)
    # The presumed-dead worker wakes up: every write it tries is refused.
    assert lifecycle.heartbeat(sessions, old) is Beat.LOST
    result = solve(lifecycle_cohort(sessions, run_id), policy_from_dict(old.policy))
    assert lifecycle.finish(sessions, old, result) == "lost"
    assert lifecycle.fail(sessions, old, {"title": "x"}) is False
    assert lifecycle.release(sessions, old) is False
    assert count_rows(sessions, Assignment, run_id) == 0
    assert lifecycle.heartbeat(sessions, new) is Beat.ALIVE
    assert lifecycle.finish(sessions, new, result) == "succeeded"
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt, run.worker, run.error) == ("succeeded", 2, "w2", None)
    assert count_rows(sessions, Assignment, run_id) == len(result.pairs) > 0


def lifecycle_cohort(sessions, run_id):
    from api.store import load_cohort

    with sessions() as session:
        return load_cohort(session, session.get(Run, run_id).cohort_id)


def test_succeeded_run_is_never_claimed_again(sessions):
    run_id = queue_run(sessions)
    c = claim(sessions, run_id)
    result = solve(lifecycle_cohort(sessions, run_id), policy_from_dict(c.policy))
    assert lifecycle.finish(sessions, c, result) == "succeeded"
    silence(sessions, run_id)  # even with an old heartbeat
    assert claim(sessions, run_id, "w2") is None
    assert get_run(sessions, run_id).attempt == 1


def test_attempts_exhausted_fails_the_run_with_a_reason(sessions):
    run_id = queue_run(sessions)
    for attempt in (1, 2):
        assert claim(sessions, run_id, f"w{attempt}", max_attempts=2).attempt == attempt
        silence(sessions, run_id)
    assert claim(sessions, run_id, "w3", max_attempts=2) is None
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt) == ("failed", 2)
    assert run.error["type"].endswith("#problem-run-attempts-exhausted")
    assert run.error["status"] == 500 and run.error["attempts"] == 2
    assert "2 time(s)" in run.error["detail"] and run.finished_at is not None


def test_reaper_requeues_fails_and_cancels_silent_runs_only(sessions):
    requeue, exhausted, cancel, alive, queued = (queue_run(sessions) for _ in range(5))
    for run_id in (requeue, exhausted, cancel, alive):
        claim(sessions, run_id)
    set_run(sessions, exhausted, attempt=3)
    set_run(sessions, cancel, cancel_requested=True)
    for run_id in (requeue, exhausted, cancel):
        silence(sessions, run_id)
    reaped = lifecycle.reap(sessions, stale_after=STALE, max_attempts=3)
    assert (reaped.requeued, reaped.failed, reaped.cancelled) == ([requeue], [exhausted], [cancel])
    back = get_run(sessions, requeue)
    assert (back.status, back.worker, back.attempt) == ("queued", None, 1)
    assert get_run(sessions, exhausted).error["attempts"] == 3
    assert get_run(sessions, cancel).status == "cancelled"
    assert get_run(sessions, alive).status == "running"
    assert get_run(sessions, queued).status == "queued"
    assert lifecycle.queued_ids(sessions) == [requeue, queued]  # oldest first
    assert claim(sessions, requeue, "w9").attempt == 2
    nothing = lifecycle.reap(sessions, stale_after=STALE, max_attempts=3)
    assert (nothing.requeued, nothing.failed, nothing.cancelled) == ([], [], [])


def request_cancel(sessions, run_id) -> Run:
    with transaction(sessions) as session:
        run = session.get(Run, run_id)
        lifecycle.request_cancel(session, run)
        return run


def test_cancel_a_queued_run_at_once(sessions):
    run_id = queue_run(sessions)
    run = request_cancel(sessions, run_id)
    assert (run.status, run.cancel_requested) == ("cancelled", True)
    assert run.finished_at is not None
    assert claim(sessions, run_id) is None
    assert get_run(sessions, run_id).status == "cancelled"


def test_cancel_a_running_run_stops_it_before_saving(sessions):
    run_id = queue_run(sessions)
    c = claim(sessions, run_id)
    run = request_cancel(sessions, run_id)
    assert (run.status, run.cancel_requested) == ("running", True)
    assert lifecycle.heartbeat(sessions, c) is Beat.CANCEL
    result = solve(lifecycle_cohort(sessions, run_id), policy_from_dict(c.policy))
    assert lifecycle.finish(sessions, c, result) == "cancelled"
    assert get_run(sessions, run_id).status == "cancelled"
    assert count_rows(sessions, Assignment, run_id) == 0


def test_cancel_a_finished_run_changes_nothing(sessions):
    run_id = queue_run(sessions)
    c = claim(sessions, run_id)
    lifecycle.fail(sessions, c, {"type": "about:blank", "title": "t", "status": 500})
    run = request_cancel(sessions, run_id)
    assert (run.status, run.cancel_requested) == ("failed", False)


def test_release_gives_the_attempt_back(sessions):
    run_id = queue_run(sessions)
    c = claim(sessions, run_id)
    assert lifecycle.release(sessions, c) is True
    run = get_run(sessions, run_id)
    assert (run.status, run.attempt, run.worker) == ("queued", 0, None)


def test_no_attempts_allowed_fails_at_once(sessions):
    run_id = queue_run(sessions)
    assert claim(sessions, run_id, max_attempts=0) is None
    assert get_run(sessions, run_id).status == "failed"


def test_a_run_whose_cohort_was_deleted_mid_run_is_lost_quietly(sessions):
    from api.tables import Cohort

    run_id = queue_run(sessions)
    c = claim(sessions, run_id)
    result = solve(lifecycle_cohort(sessions, run_id), policy_from_dict(c.policy))
    with transaction(sessions) as session:
        session.delete(session.get(Cohort, c.cohort_id))
    assert lifecycle.heartbeat(sessions, c) is Beat.LOST
    assert lifecycle.finish(sessions, c, result) == "lost"
    assert get_run(sessions, run_id) is None
    assert count_rows(sessions, Assignment, run_id) == 0
