"""Fixtures of the HTTP tests: an app on each database, keys of two organizations, a
client that sends a key, and sample cohorts.

Jobs do not run here (``EXECUTOR`` "none"); the executor is replaced by one that records
the run ids it is given, and :func:`finish` solves a queued run in the test process the
way a worker would, so result routes can be tested without timing.
"""

from __future__ import annotations

import pytest
from api_helpers import DATA, KeyClient, RecordingExecutor

from api.db import transaction


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "EXECUTOR": "none"})
    services = app.extensions["mentormatch"]
    services.executor.shutdown()
    services.executor = RecordingExecutor()
    yield app
    services.engine.dispose()


@pytest.fixture
def sessions(app):
    return app.extensions["mentormatch"].sessions


def _key(sessions, org: str) -> str:
    from api.keys import create_key

    with transaction(sessions) as session:
        key, _ = create_key(session, org)
    return key


@pytest.fixture
def key(sessions):
    return _key(sessions, "acme")


@pytest.fixture
def other_key(sessions):
    return _key(sessions, "globex")


@pytest.fixture
def client(app, key):
    return KeyClient(app.test_client(), key)


@pytest.fixture
def other(app, other_key):
    return KeyClient(app.test_client(), other_key)


@pytest.fixture(scope="session")
def sample_csv() -> bytes:
    return (DATA / "coaching-sample.csv").read_bytes()
