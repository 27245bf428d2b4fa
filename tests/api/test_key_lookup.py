"""The key lookup of every request only reads: on SQLite it begins deferred, so a request
that touches nothing else (POST /match) answers while another connection writes."""

from __future__ import annotations

import sqlite3
import time

import pytest
from api_helpers import small_records


@pytest.fixture
def database_url(tmp_path):
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    return url


def test_match_answers_while_another_connection_holds_the_write_lock(client, database_url):
    body = {"cohort": {"participants": small_records()}}
    assert client.post("/api/v1/match", json=body).status_code == 200  # use recorded now
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as a run writing its results would
    try:
        started = time.monotonic()
        assert client.post("/api/v1/match", json=body).status_code == 200
        assert time.monotonic() - started < 5  # the busy timeout is 30 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_due_use_is_still_recorded_after_the_read(client, sessions, key):
    from sqlalchemy import select

    from api.tables import ApiKey

    prefix = key.split("_")[1]
    client.post("/api/v1/match", json={"cohort": {"participants": small_records()}})
    with sessions() as session:
        assert session.scalar(select(ApiKey.last_used_at).where(ApiKey.prefix == prefix))
