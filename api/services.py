"""What a running app holds: settings, database engine and sessions, the job executor,
the prepared-cohort cache.

:func:`create_app` builds one :class:`Services` and keeps it in
``app.extensions["mentormatch"]``; views reach it through :func:`services`.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, make_sessions
from api.prepared_cache import PreparedCache


@dataclass
class Services:
    settings: dict[str, Any]
    engine: Engine
    sessions: sessionmaker[Session]
    executor: Any  # api.jobs Executor: submit(run_id), ready(), shutdown(wait)
    solving: threading.BoundedSemaphore = field(init=False)
    prepared: PreparedCache = field(init=False)  # cohorts prepared for suggestions

    def __post_init__(self) -> None:
        self.solving = threading.BoundedSemaphore(max(1, int(self.settings["MAX_SYNC_SOLVES"])))
        self.prepared = PreparedCache(
            self.settings["PREPARED_CACHE_ENTRIES"], self.settings["PREPARED_CACHE_CELLS"]
        )

    @contextmanager
    def sync_solve(self):
        """Hold one of ``MAX_SYNC_SOLVES`` places for an inline solve, waiting up to
        ``SYNC_WAIT_SECONDS`` for one (a burst queues briefly, a flood is turned away).

        Raises
        ------
        ApiProblem
            503 with ``Retry-After`` (the server is busy; the asynchronous route is not).
        """
        from api.errors import ApiProblem

        if not self.solving.acquire(timeout=float(self.settings["SYNC_WAIT_SECONDS"])):
            raise ApiProblem(
                503,
                "too many inline solves",
                f"this server solves at most {self.settings['MAX_SYNC_SOLVES']} POST /match "
                "requests at once; retry after Retry-After seconds, or queue a run "
                "(POST /api/v1/cohorts, then POST /api/v1/cohorts/{id}/runs)",
                kind="busy",
                headers={"Retry-After": str(self.settings["RETRY_AFTER_SECONDS"])},
            )
        try:
            yield
        finally:
            self.solving.release()

    def hand_off(self, run_ids) -> None:
        """Send just-committed runs to the executor; what fails is left to the dispatcher."""
        from api.jobs.outbox import hand_off

        hand_off(self.sessions, self.executor, run_ids)

    def close(self) -> None:
        """Stop the executor and close the database connections."""
        self.executor.shutdown(wait=True)
        self.engine.dispose()


def build_services(settings: dict[str, Any]) -> Services:
    """Engine, sessions and the executor named by ``settings["EXECUTOR"]``.

    Parameters
    ----------
    settings : as :func:`api.config.load_settings` returns them.

    Returns
    -------
    Services
    """
    from api.jobs import make_executor

    engine = make_engine(str(settings["DATABASE_URL"]))
    sessions = make_sessions(engine)
    return Services(settings, engine, sessions, make_executor(settings, sessions))


def services() -> Services:
    """The current app's services."""
    return current_app.extensions["mentormatch"]
