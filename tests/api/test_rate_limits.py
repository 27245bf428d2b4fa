"""Rate limits per key, per organization and per address, counted in this process's
memory and in a real Redis (127.0.0.1:6379, database 14, keys named by random key
prefixes, so parallel runs do not share counters); a Redis that cannot be reached falls
back to counting in memory instead of failing requests. SQLite only: the limits never
touch the database."""

from __future__ import annotations

import secrets

import pytest
from api_helpers import KeyClient

from api.db import transaction
from api.keys import create_key

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def database_url(tmp_path):
    from api.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'limits.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["memory", "redis"])
def limited(request, database_url, tmp_path, monkeypatch):
    """``limited(**settings)``: an app with those limits, counted in memory or Redis."""
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    storage = REDIS if request.param == "redis" else None
    apps = []

    def make(**settings):
        config = {"DATABASE_URL": database_url, "EXECUTOR": "none"}
        app = create_app({**config, "RATE_LIMIT_STORAGE": storage, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["mentormatch"].close()


def client_of(app, org: str) -> KeyClient:
    with transaction(app.extensions["mentormatch"].sessions) as session:
        key, _ = create_key(session, org)
    return KeyClient(app.test_client(), key)


def assert_refused(response, who: str) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("#problem-rate-limited")
    assert who in body["detail"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Remaining"] == "0"


def test_a_key_is_refused_after_its_limit_with_headers_counting_down(limited):
    app = limited(RATE_LIMIT_KEY="3/minute", RATE_LIMIT_ORG="100/minute")
    org = f"acme-{secrets.token_hex(3)}"
    first, second = client_of(app, org), client_of(app, org)
    remaining = []
    for _ in range(3):
        response = first.get("/api/v1/cohorts")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Policy"] == "3;w=60"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
        remaining.append(response.headers["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    assert_refused(first.get("/api/v1/cohorts"), "this key")
    assert_refused(first.post("/api/v1/match", json={}), "this key")  # every route, shared
    assert second.get("/api/v1/cohorts").status_code == 200  # another key of the org


def test_an_organization_is_refused_across_its_keys(limited):
    app = limited(RATE_LIMIT_KEY="100/minute", RATE_LIMIT_ORG="4/minute")
    org = f"acme-{secrets.token_hex(3)}"
    first, second = client_of(app, org), client_of(app, org)
    other = client_of(app, f"globex-{secrets.token_hex(3)}")
    for client in (first, second, first, second):
        assert client.get("/api/v1/cohorts").status_code == 200
    assert_refused(second.get("/api/v1/cohorts"), "your organization")
    assert other.get("/api/v1/cohorts").status_code == 200


def test_requests_without_a_valid_key_are_counted_by_address_and_open_routes_are_not(limited):
    app = limited(RATE_LIMIT_ANONYMOUS="2/minute")
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    plain = app.test_client()
    environ = {"REMOTE_ADDR": address}
    bad = {"Authorization": "Bearer mm_00000000_nope"}
    assert plain.get("/api/v1/cohorts", environ_base=environ).status_code == 401
    assert plain.get("/api/v1/cohorts", headers=bad, environ_base=environ).status_code == 401
    assert_refused(plain.get("/api/v1/cohorts", environ_base=environ), "this address")
    for path in ("/healthz", "/api/v1/openapi.json", "/api/v1/docs"):
        assert plain.get(path, environ_base=environ).status_code == 200
    assert "RateLimit-Limit" not in plain.get("/healthz", environ_base=environ).headers


def test_limits_are_off_when_disabled(limited):
    app = limited(RATE_LIMITS=0, RATE_LIMIT_KEY="1/minute")
    client = client_of(app, f"acme-{secrets.token_hex(3)}")
    for _ in range(3):
        response = client.get("/api/v1/cohorts")
        assert response.status_code == 200 and "RateLimit-Limit" not in response.headers


def test_an_unreachable_redis_falls_back_to_counting_in_memory(database_url, tmp_path, monkeypatch):
    from api import create_app

    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"DATABASE_URL": database_url, "EXECUTOR": "none", "RATE_LIMIT_KEY": "2/minute"}
    app = create_app({**settings, "RATE_LIMIT_STORAGE": "redis://127.0.0.1:1/0"})
    client = client_of(app, "acme")
    assert [client.get("/api/v1/cohorts").status_code for _ in range(2)] == [200, 200]
    assert_refused(client.get("/api/v1/cohorts"), "this key")
    app.extensions["mentormatch"].close()


def test_the_storage_follows_the_executor():
    from api.limits import storage_uri

    base = {"EXECUTOR": "inprocess", "BROKER_URL": "redis://q:6379/0"}
    assert storage_uri(base) == "memory://"
    assert storage_uri({**base, "EXECUTOR": "celery"}) == "redis://q:6379/0"
    assert storage_uri({**base, "RATE_LIMIT_STORAGE": "redis://r/2"}) == "redis://r/2"
