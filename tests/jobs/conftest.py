"""Fixtures of the job tests: sessions on each database and fast job settings."""

from __future__ import annotations

import pytest

from api.config import load_settings
from api.db import make_engine, make_sessions


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def config(database_url, tmp_path):
    """Settings with short heartbeats, as the tests want them (not the environment's)."""
    return load_settings(
        tmp_path,
        {
            "DATABASE_URL": database_url,
            "HEARTBEAT_SECONDS": 0.05,
            "STALE_AFTER_SECONDS": 30.0,
            "MAX_ATTEMPTS": 3,
            "INPROCESS_WORKERS": 2,
            "TEST_RUN_DELAY_SECONDS": 0.0,
        },
        environ={},
    )
