"""What a running app holds: settings, database engine and sessions, the job executor.

:func:`create_app` builds one :class:`Services` and keeps it in
``app.extensions["mentormatch"]``; views reach it through :func:`services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, make_sessions


@dataclass
class Services:
    settings: dict[str, Any]
    engine: Engine
    sessions: sessionmaker[Session]
    executor: Any  # api.jobs Executor: submit(run_id), ready(), shutdown(wait)

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
