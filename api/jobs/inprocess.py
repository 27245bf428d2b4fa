"""The embedded executor: worker threads in the serving process, a reaper and a dispatcher.

Threads suffice: OR-Tools releases the GIL while it solves and numpy does for most of the
build, and a thread shares the process's database engine. Each worker thread takes run
ids from a local queue (``submit``) and, when that is empty for a poll interval, claims
the oldest queued run in the database, so runs queued by other processes (an API node
with ``EXECUTOR=none``, a restart, the reaper) are picked up too. The reaper thread
sweeps stale running runs back to the queue every heartbeat interval. The dispatcher
thread (:class:`api.jobs.outbox.Dispatcher`) puts runs whose outbox message no request
confirmed into the local queue, the webhook dispatcher
(:class:`api.hooks.deliver.WebhookDispatcher`) sends due webhook deliveries, and a purge
thread applies the retention settings every ``PURGE_SECONDS`` (:mod:`api.retention`).

Shutdown sets an event that stops each running run at its next stage and puts it back in
the queue (see :func:`api.jobs.execute.execute_run`); a run that cannot stop in time is
re-queued by the reaper of the next process once its heartbeat is stale.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from api import retention
from api.hooks.deliver import WebhookDispatcher
from api.jobs import lifecycle, outbox
from api.jobs.execute import execute_run, worker_name

log = logging.getLogger("mentormatch.jobs")
SHUTDOWN_WAIT_SECONDS = 10.0


class InProcessPool:
    """``INPROCESS_WORKERS`` threads running runs from this process's database.

    Parameters
    ----------
    config : settings (``INPROCESS_WORKERS``, ``HEARTBEAT_SECONDS``,
        ``STALE_AFTER_SECONDS``, ``MAX_ATTEMPTS``, ``DISPATCH_SECONDS``,
        ``DISPATCH_RETRY_SECONDS``, ``TEST_RUN_DELAY_SECONDS``).
    sessions : the database's session factory.
    """

    def __init__(self, config: Mapping, sessions: sessionmaker[Session]):
        self.config = dict(config)
        self.sessions = sessions
        self.size = int(self.config["INPROCESS_WORKERS"])
        if self.size < 1:
            raise ValueError(f"INPROCESS_WORKERS={self.size}: expected at least 1")
        self.poll = float(self.config["HEARTBEAT_SECONDS"])
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._start()

    def _start(self) -> None:
        """Start the threads (again after a fork: threads do not survive one)."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._queue: queue.Queue[str] = queue.Queue()
            self._stop = threading.Event()
            self._threads = [
                threading.Thread(target=self._work, name=f"mm-worker-{k}", daemon=True)
                for k in range(self.size)
            ]
            self._threads.append(threading.Thread(target=self._reap, name="mm-reaper", daemon=True))
            for thread in self._threads:
                thread.start()
            self._dispatcher = outbox.Dispatcher(
                self.sessions,
                self,
                interval=float(self.config["DISPATCH_SECONDS"]),
                lease=float(self.config["DISPATCH_RETRY_SECONDS"]),
            )
            self._webhooks = WebhookDispatcher(
                self.sessions, self.config, interval=float(self.config["DISPATCH_SECONDS"])
            )
            self._purge = retention.Schedule(self.sessions, self.config)

    def submit(self, run_id: str) -> None:
        """Run ``run_id`` soon (its queued row must be committed)."""
        self._start()
        self._queue.put(run_id)

    def ready(self) -> tuple[bool, str]:
        """Ready while every thread is alive."""
        if self._pid != os.getpid():
            return False, "worker pool not started in this process"
        dead = [t.name for t in self._threads if not t.is_alive()]
        if not self._dispatcher.alive():
            dead.append("mm-dispatcher")
        if not self._webhooks.alive():
            dead.append("mm-webhooks")
        if self._stop.is_set():
            return False, "worker pool shutting down"
        if dead:
            return False, f"worker threads stopped: {', '.join(dead)}"
        return True, "ok"

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking runs; running runs stop at their next stage and return to the queue.

        With ``wait``, wait up to 10 seconds for the threads to end.
        """
        self._stop.set()
        self._dispatcher.stop(wait=wait)
        self._webhooks.stop(wait=wait)
        self._purge.stop(wait=wait)
        if not wait:
            return
        for thread in self._threads:
            thread.join(SHUTDOWN_WAIT_SECONDS)
            if thread.is_alive():
                log.warning("%s still busy at shutdown; the reaper will re-queue its run", thread)

    def _next(self) -> list[str]:
        """Run ids to try: the next submitted one, else the oldest queued in the database."""
        try:
            return [self._queue.get(timeout=self.poll)]
        except queue.Empty:
            pass
        try:
            return lifecycle.queued_ids(self.sessions, limit=self.size)
        except Exception as error:  # the database is down: try again next poll
            log.warning("looking for queued runs failed: %s", type(error).__name__)
            return []

    def _work(self) -> None:
        while not self._stop.is_set():
            for run_id in self._next():
                if self._stop.is_set():
                    return
                try:
                    outcome = execute_run(
                        self.sessions, run_id, worker_name(), self.config, shutdown=self._stop
                    )
                except Exception as error:  # claim/finish could not reach the database
                    log.error("run %s: executor error %s", run_id, type(error).__name__)
                    continue
                if outcome != "skipped":
                    break  # ran one: look at the local queue again before the database

    def _reap(self) -> None:
        while not self._stop.wait(self.poll):
            sweep(self.sessions, self.config, self)


def sweep(sessions: sessionmaker[Session], config: Mapping, executor) -> lifecycle.Reaped | None:
    """One reaper pass: stale running runs re-queued (and handed to ``executor``) or failed.

    A re-queued run gets an outbox message with the re-queue; what ``executor`` does not
    accept now (the queue is down) a dispatcher sends later.
    """
    try:
        reaped = lifecycle.reap(
            sessions,
            stale_after=float(config["STALE_AFTER_SECONDS"]),
            max_attempts=int(config["MAX_ATTEMPTS"]),
            dispatch_delay=float(config["DISPATCH_RETRY_SECONDS"]),
        )
    except Exception as error:
        log.warning("reaper sweep failed: %s", type(error).__name__)
        return None
    for run_id in reaped.requeued:
        log.info("run %s: worker gone silent, re-queued", run_id)
    outbox.hand_off(sessions, executor, reaped.requeued)
    for run_id in reaped.failed:
        log.warning("run %s: worker gone silent, attempts exhausted, failed", run_id)
    for run_id in reaped.cancelled:
        log.info("run %s: worker gone silent, cancel requested, cancelled", run_id)
    return reaped
