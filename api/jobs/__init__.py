"""Runs as jobs: the executor an app submits run ids to, chosen by ``EXECUTOR``.

* ``inprocess`` (default): threads in the serving process (:mod:`api.jobs.inprocess`).
* ``celery``: run ids sent to Celery workers on Redis (:mod:`api.jobs.celery_app`).
* ``none``: nothing runs here; queued runs wait in the database for workers elsewhere
  (every executor's workers also pick up queued runs they were not sent).

Every executor has ``submit(run_id)`` (called after the queued run row and its outbox
message are committed: :mod:`api.jobs.outbox`; it raises when the queue is unreachable),
``ready() -> (bool, reason)`` for ``/readyz`` and ``shutdown(wait=True)``. What a worker
does with a run is :func:`api.jobs.execute.execute_run`; the run's states are moved by
:mod:`api.jobs.lifecycle`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

EXECUTORS = ("inprocess", "celery", "none")


class NoExecutor:
    """``EXECUTOR=none``: submitted runs stay queued for workers in other processes.

    Their outbox messages stay unsent (``sends`` is False) for the workers' dispatchers.
    """

    sends = False

    def submit(self, run_id: str) -> None:
        """Do nothing: the committed queued row is the message."""

    def ready(self) -> tuple[bool, str]:
        """Always ready: there is nothing here to be down."""
        return True, "ok"

    def shutdown(self, wait: bool = True) -> None:
        """Nothing to stop."""


def make_executor(config: Mapping, sessions: sessionmaker[Session]):
    """The executor named by ``config["EXECUTOR"]``.

    Parameters
    ----------
    config : settings as :func:`api.config.load_settings` returns them.
    sessions : the app's session factory (the in-process pool and the outbox dispatcher
        use it; None: no dispatcher thread).

    Returns
    -------
    NoExecutor, InProcessPool or CeleryExecutor

    Raises
    ------
    ValueError
        If ``EXECUTOR`` is not one of inprocess, celery, none.
    """
    kind = config["EXECUTOR"]
    if kind == "none":
        return NoExecutor()
    if kind == "inprocess":
        from api.jobs.inprocess import InProcessPool

        return InProcessPool(config, sessions)
    if kind == "celery":
        from api.jobs.celery_app import CeleryExecutor

        return CeleryExecutor(config, sessions)
    raise ValueError(f"EXECUTOR={kind!r} (MENTORMATCH_EXECUTOR): expected one of {EXECUTORS}")


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"event": "job", "level": record.levelname.lower(), "message": record.getMessage()}
        return json.dumps(line)


def log_to_stderr(level: int = logging.INFO) -> None:
    """Job events (run ids, attempts, outcomes; never people's data) as JSON lines on stderr.

    For `mentormatch serve`; Celery workers log through Celery's own handlers. Does
    nothing when the ``mentormatch.jobs`` logger already has a handler.
    """
    log = logging.getLogger("mentormatch.jobs")
    if log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_JsonLines())
    log.addHandler(handler)
    log.setLevel(level)
