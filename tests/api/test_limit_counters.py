"""The in-process rate-limit counters (api.limit_counters): fixed windows, expiry read as
zero, expired counters swept inline, and no thread started per request."""

from __future__ import annotations

import threading

import pytest

from api import limit_counters
from api.limit_counters import Counters


@pytest.fixture
def clock(monkeypatch):
    """``clock.now``: the time the counters see (seconds), set by the test."""

    class Clock:
        now = 1_000.0

    monkeypatch.setattr(limit_counters.time, "time", lambda: Clock.now)
    return Clock


def test_a_window_counts_then_starts_again_after_its_expiry(clock):
    counters = Counters()
    assert counters.get("k") == 0 and counters.get_expiry("k") == clock.now
    assert [counters.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.incr("k", 60, amount=2) == 5
    assert counters.get("k") == 5 and counters.get_expiry("k") == 1_060.0
    assert counters.get("other") == 0
    clock.now = 1_060.0  # the window has ended
    assert counters.get("k") == 0 and counters.get_expiry("k") == 1_060.0
    assert counters.incr("k", 60) == 1
    assert counters.get_expiry("k") == 1_120.0


def test_expired_counters_are_swept_inline_at_most_every_sweep_interval(clock):
    counters = Counters()
    counters.incr("old", 1)
    clock.now += 2  # "old" has expired but is not removed before the sweep is due
    counters.incr("new", 60)
    assert set(counters._counts) == {"old", "new"}
    clock.now += limit_counters.SWEEP_SECONDS
    counters.incr("new", 60)
    assert set(counters._counts) == {"new"} and counters.get("new") == 2


def test_clear_and_reset_drop_counters(clock):
    counters = Counters()
    counters.incr("a", 60)
    counters.incr("b", 60)
    counters.clear("a")
    assert counters.get("a") == 0 and counters.get("b") == 1
    assert counters.reset() == 1 and counters.get("b") == 0
    assert counters.check()


def test_the_app_counts_in_memory_without_starting_threads(tmp_path, monkeypatch):
    from api import create_app
    from api.db import transaction
    from api.keys import create_key
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'limits.db'}"
    upgrade(url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": url, "EXECUTOR": "none", "RATE_LIMIT_KEY": "3/minute"})
    (limiter,) = app.extensions["limiter"]
    assert isinstance(limiter.storage, Counters)
    with transaction(app.extensions["mentormatch"].sessions) as session:
        key, _ = create_key(session, "acme")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    client.get("/api/v1/cohorts", headers=headers)
    started = threading.active_count()
    codes = [client.get("/api/v1/cohorts", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert threading.active_count() == started
    app.extensions["mentormatch"].close()
