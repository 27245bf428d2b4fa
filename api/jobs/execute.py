"""Run one job end to end: claim it, heartbeat while it runs, store the result or the reason.

:func:`execute_run` is what every executor calls (in-process threads, Celery tasks). It
is idempotent by run id: a run that is not claimable (finished, or running under a live
worker) is skipped, so a re-delivered message does nothing.

What each kind of run does lives in :data:`KINDS` (the dispatch point): ``"match"``
solves the stored cohort, ``"scenario"`` solves it with a variant's changes applied, and
``"rematch"`` keeps as many pairs of a previous run as possible after changes (its moves
are stored on the run with the result); ``"prices"``, ``"alternatives"`` and
``"attrition"`` answer a question about a succeeded run (:mod:`api.answer_jobs`) and
store the answer instead of a result. A runner gets the claim and a ``check`` callable
to call between stages; ``check`` raises when the run must stop (cancel requested, run
lost to another worker, executor shutting down). It returns a MatchResult, or an
:class:`Output` when it also sets other columns of the run.

Outcomes: the core's :class:`~matcher.model.InputError` fails the run with a
``run-input-rejected`` problem listing every problem. Hard rules that conflict are a
*successful* run whose ``solver_status`` is ``"infeasible"`` with ``conflicts`` (that is
how :func:`matcher.solve.solve` reports them; the caller asked a question and this is its
answer). Any other exception fails the run with a ``run-internal-error`` problem; the log
gets the run id, the exception's class and its stack frames (file, line, function), not
its message or source lines (they can carry people's data).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from api.jobs import lifecycle, problems
from api.jobs.lifecycle import Beat, Claim
from api.store import (
    is_roster_rematch,
    load_cohort,
    roster_base,
    solved_inputs,
    stored_pairs,
)
from api.tables import Run
from matcher.model import InputError
from matcher.results import MatchResult

log = logging.getLogger("mentormatch.jobs")


@dataclass(frozen=True)
class Output:
    """A runner's result and other columns of the run to set with it (``moves``); an
    answer job has no result but an ``answer`` (:mod:`api.answer_jobs`)."""

    result: MatchResult | None
    columns: Mapping[str, object] = field(default_factory=dict)
    answer: dict | None = None


Check = Callable[[str], None]
Runner = Callable[[sessionmaker[Session], Claim, Check], MatchResult | Output]


class Stopped(Exception):
    """Raised by ``check`` when a run must stop; ``reason`` is cancel, lost or shutdown."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def run_match(sessions: sessionmaker[Session], claim: Claim, check: Check) -> MatchResult:
    """A "match" run: solve the stored roster it was queued with, under its policy."""
    from matcher.io.policy import policy_from_dict
    from matcher.solve import solve

    policy = policy_from_dict(claim.policy)
    check("loading")
    with sessions() as session:
        cohort = load_cohort(session, claim.cohort_id, claim.cohort_version)
    return solve(cohort, policy, progress=check)


def run_scenario(sessions: sessionmaker[Session], claim: Claim, check: Check) -> MatchResult:
    """A "scenario" run: solve the stored cohort and policy with the variant's changes."""
    from matcher.solve import solve

    check("loading")
    with sessions() as session:
        cohort, policy = solved_inputs(session, claim)
    return solve(cohort, policy, progress=check)


def run_rematch(sessions: sessionmaker[Session], claim: Claim, check: Check) -> Output:
    """A "rematch" run: keep as many of the previous run's pairs as possible after changes.

    The base is what the previous run solved, or for a people sync's rematch (``roster``
    in its changes) the roster it was queued with plus that sync's leavers, with the
    previous pairs of people still in it; ``claim.changes`` holds ``changes`` (a change
    set) and ``move_cost``. The moves are stored on the run with the result.
    """
    from matcher.io.policy import policy_from_dict
    from matcher.whatif.moves import move_to_dict
    from matcher.whatif.rematch import rematch

    check("loading")
    with sessions() as session:
        previous = session.get(Run, claim.previous_run_id) if claim.previous_run_id else None
        if previous is None:
            raise LookupError(f"the run to rematch ({claim.previous_run_id}) is gone")
        pairs = stored_pairs(session, previous.id)
        if is_roster_rematch(claim):
            cohort = roster_base(session, claim.cohort_id, claim.cohort_version)
            present = set(cohort.mentee_ids), set(cohort.mentor_ids)
            pairs = [(e, m) for e, m in pairs if e in present[0] and m in present[1]]
        else:
            cohort, _ = solved_inputs(session, previous)
    spec = claim.changes or {}
    check("solving")
    outcome = rematch(
        cohort,
        policy_from_dict(claim.policy),
        pairs,
        spec.get("changes") or {},
        move_cost=spec.get("move_cost"),
    )
    return Output(outcome.result, {"moves": [move_to_dict(m) for m in outcome.moves]})


def run_answer(sessions: sessionmaker[Session], claim: Claim, check: Check) -> Output:
    """An answer job ("prices", "alternatives", "attrition") asked of a succeeded run."""
    from api.answer_jobs import answer_of

    return Output(None, answer=answer_of(sessions, claim, check))


KINDS: dict[str, Runner] = {
    "match": run_match,
    "scenario": run_scenario,
    "rematch": run_rematch,
    "prices": run_answer,
    "alternatives": run_answer,
    "attrition": run_answer,
}


def worker_name() -> str:
    """``host:pid:thread``, stored on the runs this thread runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


class Watch:
    """A heartbeat thread for one claim, and the ``check`` its runner calls between stages."""

    def __init__(self, sessions, claim: Claim, interval: float, shutdown=None):
        self.sessions, self.claim, self.interval = sessions, claim, interval
        self.shutdown = shutdown
        self.beat = Beat.ALIVE
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"heartbeat-{claim.run_id}", daemon=True
        )

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(self.interval):
            try:
                beat = lifecycle.heartbeat(self.sessions, self.claim)
            except Exception as error:  # a database hiccup: try again next beat
                log.warning("run %s heartbeat failed: %s", self.claim.run_id, type(error).__name__)
                continue
            if beat is not Beat.ALIVE:
                self.beat = beat
                return

    def check(self, stage: str = "") -> None:
        """Raise :class:`Stopped` when the run must stop; log the stage otherwise."""
        if self.beat is Beat.LOST:
            raise Stopped("lost")
        if self.beat is Beat.CANCEL:
            raise Stopped("cancel")
        if self.shutdown is not None and self.shutdown.is_set():
            raise Stopped("shutdown")
        if stage:
            log.debug("run %s: %s", self.claim.run_id, stage)


def _pause(seconds: float, check: Check) -> None:
    """The test-only delay (``TEST_RUN_DELAY_SECONDS``): wait, checking for a stop."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        check("")
        time.sleep(min(0.05, left))


def execute_run(
    sessions: sessionmaker[Session],
    run_id: str,
    worker: str,
    config: Mapping,
    *,
    shutdown: threading.Event | None = None,
) -> str:
    """Claim and run ``run_id``; the run row ends finished, queued again, or untouched.

    Parameters
    ----------
    sessions : the database's session factory.
    run_id : the run to execute.
    worker : this worker's name (see :func:`worker_name`).
    config : settings (``HEARTBEAT_SECONDS``, ``STALE_AFTER_SECONDS``, ``MAX_ATTEMPTS``,
        ``TEST_RUN_DELAY_SECONDS``).
    shutdown : when set, the run stops at its next stage and goes back to the queue.

    Returns
    -------
    str
        ``"skipped"`` (not claimable), ``"succeeded"``, ``"failed"``, ``"cancelled"``,
        ``"released"`` (shutdown) or ``"lost"`` (another worker owns it now).
    """
    claim = lifecycle.claim(
        sessions,
        run_id,
        worker,
        stale_after=float(config["STALE_AFTER_SECONDS"]),
        max_attempts=int(config["MAX_ATTEMPTS"]),
    )
    if claim is None:
        log.info("run %s not claimable by %s: skipped", run_id, worker)
        return "skipped"
    started = time.perf_counter()
    log.info("run %s attempt %d started by %s", run_id, claim.attempt, worker)
    outcome = _run_claimed(sessions, claim, config, shutdown)
    seconds = time.perf_counter() - started
    log.info("run %s attempt %d %s in %.3f s", run_id, claim.attempt, outcome, seconds)
    return outcome


def _run_claimed(sessions, claim: Claim, config: Mapping, shutdown) -> str:
    runner = KINDS.get(claim.kind)
    if runner is None:
        lifecycle.fail(sessions, claim, problems.unknown_kind(claim.kind, sorted(KINDS)))
        return "failed"
    interval = float(config["HEARTBEAT_SECONDS"])
    with Watch(sessions, claim, interval, shutdown) as watch:
        try:
            _pause(float(config.get("TEST_RUN_DELAY_SECONDS") or 0.0), watch.check)
            output = runner(sessions, claim, watch.check)
            if not isinstance(output, Output):
                output = Output(output)
            watch.check("saving")
            outcome = lifecycle.finish(
                sessions, claim, output.result, output.columns, output.answer
            )
        except Stopped as stop:
            return _stopped(sessions, claim, stop.reason)
        except InputError as error:
            lifecycle.fail(sessions, claim, problems.input_rejected(error))
            return "failed"
        except Exception as error:
            frames = "\n".join(
                f"  {f.filename}:{f.lineno} in {f.name}"
                for f in traceback.extract_tb(error.__traceback__)
            )
            log.error("run %s failed with %s at\n%s", claim.run_id, type(error).__name__, frames)
            lifecycle.fail(sessions, claim, problems.internal_error(claim.run_id, error))
            return "failed"
    if outcome == lifecycle.SUCCEEDED and claim.scenario_id:
        _settle(sessions, claim)
    return outcome


def _settle(sessions, claim: Claim) -> None:
    """Store the scenario's comparison if this run was its last (a failure is logged: the
    next read of the scenario makes it)."""
    from api.whatif import settle_comparison

    try:
        settle_comparison(sessions, claim.scenario_id)
    except Exception as error:
        log.warning("scenario %s: comparison deferred: %s", claim.scenario_id, type(error).__name__)


def _stopped(sessions, claim: Claim, reason: str) -> str:
    if reason == "cancel":
        return "cancelled" if lifecycle.cancelled(sessions, claim) else "lost"
    if reason == "shutdown":
        return "released" if lifecycle.release(sessions, claim) else "lost"
    return "lost"
