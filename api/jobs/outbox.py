"""The transactional outbox: a queued run and its queue message are committed together.

A request that queues runs writes an :class:`~api.tables.OutboxMessage` per run in the
same transaction as the run rows (:func:`enqueue`), so the database holds either both or
neither. After the commit the request tries the hand-off at once (:func:`hand_off`); if
the queue is down the request still answers 202, since the run is safely recorded, and a
dispatcher sends the message later (:func:`dispatch`, run by :class:`Dispatcher` threads
in ``serve`` and in every Celery worker). Nothing between the database and the queue can
create a second run or lose one:

* a message is marked sent only after the executor accepted it;
* a message whose sending was not confirmed (the process died, the queue refused, the
  mark could not be written) is sent again once ``available_at`` has passed;
* sending a run twice is harmless: a worker runs only a run it can claim
  (:func:`api.jobs.lifecycle.claim`), so a second message finds nothing to do.

Dispatchers on several processes may run at once: each takes a message by moving its
``available_at`` forward in one conditional UPDATE, so two never send it in the same lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.tables import OutboxMessage, utcnow

log = logging.getLogger("mentormatch.jobs")
KEEP_SENT = timedelta(hours=1)  # sent messages are kept this long, then deleted
BATCH = 100


def enqueue(session: Session, run_ids: Iterable[str], delay: float) -> None:
    """Add a message per run to the caller's transaction.

    Parameters
    ----------
    session : the transaction that queues the runs.
    run_ids : the queued runs (flushed, so they have ids).
    delay : seconds a dispatcher waits before taking the messages (the caller tries to
        send them itself after the commit: :func:`hand_off`).
    """
    now = utcnow()
    later = now + timedelta(seconds=delay)
    session.add_all(
        OutboxMessage(run_id=run_id, created_at=now, available_at=later) for run_id in run_ids
    )


def _mark_sent(sessions: sessionmaker[Session], message_ids: list[int]) -> None:
    with transaction(sessions) as session:
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None))
            .values(sent_at=utcnow())
        )
        session.execute(statement.execution_options(synchronize_session=False))


def _send(executor, messages: list[tuple[int, str]]) -> list[int]:
    """Submit each message's run; stop at the first refusal. The ids of those sent."""
    sent = []
    for message_id, run_id in messages:
        try:
            executor.submit(run_id)
        except Exception as error:  # the queue is down: the message waits for a dispatcher
            log.warning("run %s: hand-off to the queue failed: %s", run_id, type(error).__name__)
            break
        sent.append(message_id)
    return sent


def hand_off(sessions: sessionmaker[Session], executor, run_ids: Iterable[str]) -> int:
    """Send the unsent messages of committed runs now; never raises.

    Called after the commit that queued ``run_ids``. Whatever is not sent here (the queue
    or the database is down) a dispatcher sends later. An executor with ``sends = False``
    (``EXECUTOR=none``) sends nothing: the messages wait for the workers' dispatchers.

    Returns
    -------
    int
        How many messages were sent and marked.
    """
    run_ids = list(run_ids)
    if not run_ids or not getattr(executor, "sends", True):
        return 0
    try:
        with sessions() as session:
            messages = session.execute(
                select(OutboxMessage.id, OutboxMessage.run_id)
                .where(OutboxMessage.run_id.in_(run_ids), OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
            ).all()
        sent = _send(executor, [tuple(m) for m in messages])
        if sent:
            _mark_sent(sessions, sent)
    except Exception as error:  # the database went away: the dispatcher will send them
        log.warning("hand-off of %d run(s) deferred: %s", len(run_ids), type(error).__name__)
        return 0
    return len(sent)


def dispatch(sessions: sessionmaker[Session], executor, *, lease: float) -> int:
    """One dispatcher pass: take due messages, send them, mark them; purge old sent ones.

    Parameters
    ----------
    sessions : the database's session factory.
    executor : has ``submit(run_id)`` (raises when the queue is unreachable).
    lease : seconds a taken message is left alone before another attempt, if this one is
        not confirmed.

    Returns
    -------
    int
        How many messages were sent.
    """
    now = utcnow()
    pending = and_(OutboxMessage.sent_at.is_(None), OutboxMessage.available_at <= now)
    with transaction(sessions) as session:
        due = select(OutboxMessage.id).where(pending).order_by(OutboxMessage.id).limit(BATCH)
        taken = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.scalar_subquery()), pending)
            .values(
                available_at=now + timedelta(seconds=lease),
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id, OutboxMessage.run_id)
            .execution_options(synchronize_session=False)
        ).all()
        session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < now - KEEP_SENT))
    sent = _send(executor, sorted(tuple(m) for m in taken))
    if sent:
        _mark_sent(sessions, sent)
        log.info("dispatcher sent %d queued run(s) to the executor", len(sent))
    return len(sent)


def pending_count(sessions: sessionmaker[Session]) -> int:
    """How many messages are not sent yet (for tests and operators)."""
    with sessions() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )


class Dispatcher:
    """A daemon thread running :func:`dispatch` every ``interval`` seconds until stopped.

    Parameters
    ----------
    sessions : the database's session factory.
    executor : what messages are sent to (``submit(run_id)``).
    interval : seconds between passes (``DISPATCH_SECONDS``).
    lease : seconds before an unconfirmed message is tried again (``DISPATCH_RETRY_SECONDS``).
    """

    def __init__(self, sessions, executor, *, interval: float, lease: float):
        self.sessions, self.executor = sessions, executor
        self.interval, self.lease = interval, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mm-dispatcher", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()

    def run_once(self) -> int:
        """One pass; a database or queue failure is logged and tried again next pass."""
        try:
            return dispatch(self.sessions, self.executor, lease=self.lease)
        except Exception as error:
            log.warning("dispatcher pass failed: %s", type(error).__name__)
            return 0

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not threading.current_thread():
            self._thread.join(10)
