"""The states of a run, moved only by atomic conditional UPDATEs on its row.

The run row is the truth about a job, whichever process runs it::

    queued --claim--> running --finish--> succeeded | cancelled
                         |--fail------> failed (a problem object in ``error``)
                         |--release---> queued (clean shutdown; the attempt is not counted)
                         '--reap------> queued, or failed when attempts are exhausted
    queued --request_cancel--> cancelled;  running --request_cancel--> cancel_requested

A worker *owns* a run while the row says running, with its worker name and the attempt it
claimed. Every later write checks that ownership, so a worker that was presumed dead (its
heartbeat went stale and another worker re-claimed the run) can never overwrite the newer
attempt, and a succeeded run is never run again. Claiming a running run whose heartbeat is
stale is how a re-delivered job takes over from a dead worker.

Every move to succeeded, failed or cancelled writes its webhook deliveries in the same
transaction (:func:`api.hooks.events.run_finished`), so an event is recorded exactly when
the state it tells of is. What workers and reapers do is recorded in the organization's
audit log in that transaction too, as ``system`` (:func:`_audit`: ``run.started``,
``run.finished``, ``run.released``, ``run.requeued``; the run's id, status and attempt only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api import audit
from api.db import transaction
from api.hooks.events import run_finished
from api.jobs import outbox, problems
from api.store import save_result
from api.tables import Run, RunStatus, utcnow
from api.tables_answers import RunAnswer
from matcher.results import MatchResult

QUEUED, RUNNING = RunStatus.QUEUED.value, RunStatus.RUNNING.value
SUCCEEDED, FAILED, CANCELLED = (
    RunStatus.SUCCEEDED.value,
    RunStatus.FAILED.value,
    RunStatus.CANCELLED.value,
)


@dataclass(frozen=True)
class Claim:
    """What a worker holds while it runs a run: the row's id, its name and its attempt."""

    run_id: str
    worker: str
    attempt: int
    kind: str
    cohort_id: str
    policy: dict
    changes: dict | None = None
    cohort_version: int | None = None
    previous_run_id: str | None = None
    scenario_id: str | None = None
    variant: str | None = None


class Beat(StrEnum):
    """What a heartbeat learned: keep going, stop because cancelled, or stop because lost."""

    ALIVE = "alive"
    CANCEL = "cancel"
    LOST = "lost"


@dataclass
class Reaped:
    """Runs a reaper sweep moved, by their new state."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def _stale(stale_after: float):
    """A running row whose heartbeat is missing or older than ``stale_after`` seconds."""
    cutoff = utcnow() - timedelta(seconds=stale_after)
    return and_(Run.status == RUNNING, or_(Run.heartbeat_at.is_(None), Run.heartbeat_at < cutoff))


def _ours(claim: Claim):
    return and_(
        Run.id == claim.run_id,
        Run.status == RUNNING,
        Run.worker == claim.worker,
        Run.attempt == claim.attempt,
    )


def _set(session: Session, where, **values) -> int:
    """UPDATE runs SET values WHERE where; the number of rows changed."""
    statement = update(Run).where(where).values(**values)
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount


def _audit(session: Session, run_id: str, action: str, **detail) -> None:
    """Record a move made by a worker or a reaper (``system``) in the run's organization's
    audit log, in the transaction that makes it."""
    org = session.scalar(select(Run.organization_id).where(Run.id == run_id))
    audit.record(
        session,
        action,
        organization_id=org,
        object_type="run",
        object_id=run_id,
        detail=detail,
        who="system",
    )


def _finished(session: Session, run_id: str) -> None:
    """Webhook deliveries and the audit entry of a run that just ended."""
    run_finished(session, run_id)
    status, attempt = session.execute(select(Run.status, Run.attempt).where(Run.id == run_id)).one()
    _audit(session, run_id, "run.finished", status=status, attempt=attempt)


def claim(
    sessions: sessionmaker[Session],
    run_id: str,
    worker: str,
    *,
    stale_after: float,
    max_attempts: int,
) -> Claim | None:
    """Take ``run_id`` if it is queued, or running with a stale heartbeat; count the attempt.

    Parameters
    ----------
    sessions : the database's session factory.
    run_id : the run to take.
    worker : this worker's name, stored on the row while it runs.
    stale_after : seconds without a heartbeat after which a running run's worker is gone.
    max_attempts : claims allowed per run.

    Returns
    -------
    Claim or None
        None when the run is not claimable: it does not exist, another live worker runs
        it, or it has finished. A claimable run that already used ``max_attempts`` is
        marked failed instead, and one whose cancel was requested is marked cancelled.
    """
    claimable = and_(Run.id == run_id, or_(Run.status == QUEUED, _stale(stale_after)))
    now = utcnow()
    with transaction(sessions) as session:
        taken = _set(
            session,
            and_(claimable, Run.attempt < max_attempts, Run.cancel_requested.is_(False)),
            status=RUNNING,
            attempt=Run.attempt + 1,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
        if not taken:
            ended = _set(
                session,
                and_(claimable, Run.cancel_requested.is_(True)),
                status=CANCELLED,
                finished_at=now,
            )
            ended += _set(
                session,
                and_(claimable, Run.attempt >= max_attempts),
                status=FAILED,
                finished_at=now,
                error=problems.attempts_exhausted(max_attempts),
            )
            if ended:
                _finished(session, run_id)
            return None
        row = session.get(Run, run_id)
        _audit(session, run_id, "run.started", attempt=row.attempt, kind=row.kind)
        return Claim(
            run_id=row.id,
            worker=worker,
            attempt=row.attempt,
            kind=row.kind,
            cohort_id=row.cohort_id,
            policy=dict(row.policy),
            changes=row.changes,
            cohort_version=row.cohort_version,
            previous_run_id=row.previous_run_id,
            scenario_id=row.scenario_id,
            variant=row.variant,
        )


def heartbeat(sessions: sessionmaker[Session], claim: Claim) -> Beat:
    """Refresh the run's ``heartbeat_at`` and say whether to go on.

    Returns
    -------
    Beat
        LOST when the run is no longer this worker's (reaped, re-claimed, deleted),
        CANCEL when a cancel was requested, else ALIVE.
    """
    with transaction(sessions) as session:
        if not _set(session, _ours(claim), heartbeat_at=utcnow()):
            return Beat.LOST
        cancel = session.scalar(select(Run.cancel_requested).where(Run.id == claim.run_id))
    return Beat.CANCEL if cancel else Beat.ALIVE


def finish(
    sessions: sessionmaker[Session],
    claim: Claim,
    result: MatchResult | None,
    columns: Mapping[str, object] | None = None,
    answer: dict | None = None,
) -> str:
    """Store ``result`` and mark the run succeeded, in one transaction, if it is still ours.

    Parameters
    ----------
    sessions : the database's session factory.
    claim : the worker's claim on the run.
    result : the result to store (pairs, unmatched, alternates, figures); None for an
        answer job, which stores ``answer`` instead.
    columns : other columns of the run to set in the same transaction (a rematch's
        ``moves``).
    answer : an answer job's answer (:class:`api.tables_answers.RunAnswer`).

    Returns
    -------
    str
        ``"succeeded"``; ``"cancelled"`` when a cancel was requested (nothing is stored);
        ``"lost"`` when the run is no longer this worker's (nothing changes).
    """
    with transaction(sessions) as session:
        row = session.scalars(select(Run).where(_ours(claim)).with_for_update()).first()
        if row is None:
            return "lost"
        if row.cancel_requested:
            row.status, row.finished_at = CANCELLED, utcnow()
            session.flush()
            _finished(session, row.id)
            return CANCELLED
        if result is not None:
            save_result(session, row, result)
        if answer is not None:
            session.merge(RunAnswer(run_id=row.id, answer=answer))
        for name, value in (columns or {}).items():
            if name not in Run.__table__.columns:
                raise ValueError(f"runs have no column {name!r}")
            setattr(row, name, value)
        row.status, row.finished_at, row.error = SUCCEEDED, utcnow(), None
        session.flush()
        _finished(session, row.id)
    return SUCCEEDED


def fail(sessions: sessionmaker[Session], claim: Claim, problem: dict) -> bool:
    """Mark the run failed with ``problem`` (an RFC 9457 dict); False if it is not ours."""
    with transaction(sessions) as session:
        if not _set(session, _ours(claim), status=FAILED, error=problem, finished_at=utcnow()):
            return False
        _finished(session, claim.run_id)
        return True


def cancelled(sessions: sessionmaker[Session], claim: Claim) -> bool:
    """Mark the run cancelled (its cancel was requested); False if it is not ours."""
    with transaction(sessions) as session:
        if not _set(session, _ours(claim), status=CANCELLED, finished_at=utcnow()):
            return False
        _finished(session, claim.run_id)
        return True


def release(sessions: sessionmaker[Session], claim: Claim) -> bool:
    """Give the run back to the queue (clean shutdown); the attempt is not counted.

    The run gets a new outbox message in the same transaction, so a dispatcher sends it
    again (:mod:`api.jobs.outbox`).
    """
    with transaction(sessions) as session:
        released = _set(
            session,
            _ours(claim),
            status=QUEUED,
            worker=None,
            attempt=Run.attempt - 1,
            heartbeat_at=utcnow(),
        )
        if released:
            outbox.enqueue(session, [claim.run_id], delay=0.0)
            _audit(session, claim.run_id, "run.released", attempt=claim.attempt)
        return bool(released)


def request_cancel(session: Session, run: Run) -> None:
    """Cancel ``run``: a queued run at once, a running one at its worker's next stage.

    A finished run is left unchanged. Runs inside the caller's transaction and refreshes
    ``run`` so the caller sees the new state.
    """
    if _set(
        session,
        and_(Run.id == run.id, Run.status == QUEUED),
        status=CANCELLED,
        cancel_requested=True,
        finished_at=utcnow(),
    ):
        run_finished(session, run.id)
    _set(session, and_(Run.id == run.id, Run.status == RUNNING), cancel_requested=True)
    session.refresh(run)


def reap(
    sessions: sessionmaker[Session],
    *,
    stale_after: float,
    max_attempts: int,
    dispatch_delay: float = 0.0,
) -> Reaped:
    """Move every running run whose worker has gone silent out of "running".

    Each such run goes back to the queue (its ``heartbeat_at`` set to now, the moment it
    was re-queued) with a new outbox message, or is marked failed when it has used
    ``max_attempts``, or cancelled when its cancel was requested.

    Parameters
    ----------
    dispatch_delay : seconds before a dispatcher may send the re-queued runs' messages
        (the caller hands them off itself first: :func:`api.jobs.outbox.hand_off`).

    Returns
    -------
    Reaped
        The ids moved, by new state; the caller hands ``requeued`` to its workers.
    """
    out = Reaped()
    with transaction(sessions) as session:
        rows = session.execute(
            select(Run.id, Run.attempt, Run.cancel_requested).where(_stale(stale_after))
        ).all()
        now = utcnow()
        for run_id, attempt, cancel in rows:
            still = and_(Run.id == run_id, _stale(stale_after))
            if cancel:
                if _set(session, still, status=CANCELLED, finished_at=now):
                    out.cancelled.append(run_id)
                    _finished(session, run_id)
            elif attempt >= max_attempts:
                error = problems.attempts_exhausted(attempt)
                if _set(session, still, status=FAILED, finished_at=now, error=error):
                    out.failed.append(run_id)
                    _finished(session, run_id)
            elif _set(session, still, status=QUEUED, worker=None, heartbeat_at=now):
                out.requeued.append(run_id)
                _audit(session, run_id, "run.requeued", attempt=attempt)
        outbox.enqueue(session, out.requeued, delay=dispatch_delay)
    return out


def queued_ids(sessions: sessionmaker[Session], limit: int = 100) -> list[str]:
    """Ids of queued runs, oldest first (for workers that pick up runs nobody sent them)."""
    with sessions() as session:
        return list(
            session.scalars(
                select(Run.id).where(Run.status == QUEUED).order_by(Run.created_at).limit(limit)
            )
        )
