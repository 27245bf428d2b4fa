"""Keys with scopes, expiry, rotation with overlap, last use and listing, on both
databases: through the HTTP API and through `mentormatch keys`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import KeyClient, make_cohort
from click.testing import CliRunner
from sqlalchemy import select

from api.auth import ROUTE_SCOPES
from api.db import transaction
from api.keys import KeyProblem, create_key, parse_duration, revoke_key, rotate_key
from api.tables import ApiKey, utcnow
from matcher.cli import main


def keyed(app, sessions, org="acme", **options) -> KeyClient:
    with transaction(sessions) as session:
        key, _ = create_key(session, org, **options)
    return KeyClient(app.test_client(), key)


def test_a_read_key_reads_and_is_refused_writes_naming_the_scope(app, client, sessions):
    cohort = make_cohort(client)
    reader = keyed(app, sessions, scopes=["read"])
    assert reader.get(f"/api/v1/cohorts/{cohort}").status_code == 200
    refused = reader.post(f"/api/v1/cohorts/{cohort}/runs", json={})
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["required_scope"] == "write" and "'write' scope" in body["detail"]
    assert 'scope="write"' in refused.headers["WWW-Authenticate"]
    assert reader.get("/api/v1/keys").get_json()["required_scope"] == "admin"
    assert reader.get("/api/v1/webhooks").status_code == 403


def test_a_write_key_without_admin_cannot_manage_webhooks_or_list_keys(app, sessions):
    writer = keyed(app, sessions, scopes=["write"])
    assert writer.post("/api/v1/cohorts", json={"participants": []}).status_code != 403
    assert writer.get("/api/v1/cohorts").status_code == 403  # write does not include read
    assert writer.get("/api/v1/keys").status_code == 403
    hook = {"url": "https://hr.example.com/mm", "events": ["run.succeeded"]}
    assert writer.post("/api/v1/webhooks", json=hook).status_code == 403


def test_every_keyed_route_declares_its_scope(app):
    from api.auth import PROTECTED

    keyed_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in PROTECTED
    }
    assert keyed_routes == set(ROUTE_SCOPES)
    assert set(ROUTE_SCOPES.values()) == {"read", "write", "admin"}


def test_an_expired_key_is_refused_with_401(app, sessions):
    past = keyed(app, sessions, expires_at=utcnow() - timedelta(seconds=1))
    response = past.get("/api/v1/cohorts")
    assert response.status_code == 401
    assert "expired" in response.get_json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    future = keyed(app, sessions, expires_at=utcnow() + timedelta(hours=1))
    assert future.get("/api/v1/cohorts").status_code == 200


def test_a_revoked_key_is_refused_from_the_next_request(app, sessions):
    with transaction(sessions) as session:
        key, row = create_key(session, "acme")
    client = KeyClient(app.test_client(), key)
    assert [client.get("/api/v1/cohorts").status_code for _ in range(2)] == [200, 200]
    with transaction(sessions) as session:  # as `mentormatch keys revoke` does it
        revoke_key(session, row.prefix)
    response = client.get("/api/v1/cohorts")
    assert response.status_code == 401
    assert "revoked" in response.get_json()["detail"]


def test_rotation_keeps_the_old_key_until_the_overlap_ends(app, sessions):
    with transaction(sessions) as session:
        old_key, old = create_key(session, "acme", "hr", scopes=["read", "write"])
    with transaction(sessions) as session:
        new_key, new, _ = rotate_key(session, "acme", old.prefix, timedelta(hours=1))
    old_client, new_client = (
        KeyClient(app.test_client(), old_key),
        KeyClient(app.test_client(), new_key),
    )
    assert old_client.get("/api/v1/cohorts").status_code == 200
    assert new_client.get("/api/v1/cohorts").status_code == 200
    with transaction(sessions) as session:
        assert session.get(ApiKey, new.id).scopes == "read write"
        assert session.get(ApiKey, new.id).label == "hr"
        row = session.get(ApiKey, old.id)
        assert row.replaced_by == new.prefix
        row.expires_at = utcnow() - timedelta(seconds=1)  # the overlap has passed
    assert old_client.get("/api/v1/cohorts").status_code == 401
    assert new_client.get("/api/v1/cohorts").status_code == 200
    with transaction(sessions) as session, pytest.raises(KeyProblem, match="no live key"):
        rotate_key(session, "acme", old.prefix, timedelta(hours=1))
    with transaction(sessions) as session, pytest.raises(KeyProblem, match="no live key"):
        rotate_key(session, "globex", new.prefix, timedelta(hours=1))  # another org's key


def test_last_use_is_written_at_most_once_a_minute(client, sessions, key):
    prefix = key.split("_")[1]

    def last_used():
        with sessions() as session:
            return session.scalar(select(ApiKey.last_used_at).where(ApiKey.prefix == prefix))

    assert last_used() is None
    client.get("/api/v1/cohorts")
    first = last_used()
    assert first is not None
    client.get("/api/v1/cohorts")
    assert last_used() == first  # within the minute: no write
    with transaction(sessions) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        row.last_used_at = utcnow() - timedelta(minutes=2)
    client.get("/api/v1/cohorts")
    assert last_used() > first


def test_the_admin_listing_shows_prefixes_and_states_never_secrets(client, sessions, key, other):
    with transaction(sessions) as session:
        _, reader = create_key(session, "acme", "dashboard", scopes=["read"])
        _, gone = create_key(session, "acme", "old")
        gone.revoked_at = utcnow()
    response = client.get("/api/v1/keys")
    assert response.status_code == 200
    items = response.get_json()["items"]
    by_prefix = {item["prefix"]: item for item in items}
    assert set(by_prefix) == {key.split("_")[1], reader.prefix, gone.prefix}  # not globex's
    assert by_prefix[reader.prefix]["scopes"] == ["read"]
    assert by_prefix[reader.prefix]["label"] == "dashboard"
    assert by_prefix[gone.prefix]["state"] == "revoked"
    assert by_prefix[key.split("_")[1]]["state"] == "live"
    text = response.get_data(as_text=True)
    assert key not in text and key.split("_", 2)[2] not in text and "hash" not in text


def test_durations_parse_and_refuse_with_the_expected_form():
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)
    assert parse_duration("0s") == timedelta(0)
    for bad in ("", "24", "h", "3 weeks", "1d-2h"):
        with pytest.raises(KeyProblem, match="expected e.g. 30m"):
            parse_duration(bad)


def test_keys_commands_create_list_rotate_and_revoke(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MENTORMATCH_INSTANCE_PATH", str(tmp_path / "instance"))

    def run(*args):
        return CliRunner().invoke(main, ["keys", *args], catch_exceptions=False)

    made = run("create", "--org", "acme", "--label", "hr", "--scope", "read", "--expires", "90d")
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    prefix = key.split("_")[1]
    assert "(read)" in made.stderr
    assert run("create", "--org", "acme", "--scope", "owner").exit_code == 1
    assert run("create", "--org", "acme", "--expires", "soon").exit_code == 2

    rotated = run("rotate", "--org", "acme", "--key", prefix, "--overlap", "1h")
    assert rotated.exit_code == 0, rotated.output
    new_prefix = rotated.stdout.strip().split("_")[1]
    assert f"replaces {prefix}" in rotated.stderr
    assert run("rotate", "--org", "globex", "--key", new_prefix).exit_code == 1

    listed = run("list", "--org", "acme")
    assert listed.exit_code == 0
    lines = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}
    assert set(lines) == {prefix, new_prefix}
    assert lines[prefix][1] == "live" and lines[prefix][-1] == f"rotated to {new_prefix}"
    assert lines[new_prefix][2] == "read" and lines[new_prefix][5] == "hr"
    assert key not in listed.stdout

    assert run("revoke", new_prefix).exit_code == 0
    assert run("list", "--org", "acme").stdout.count("revoked") == 1
    assert run("list", "--org", "nobody").exit_code == 1
