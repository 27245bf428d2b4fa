"""The API's key lookup on a bare pooled connection (:func:`api.keys.read_key`) decides
as the SQLAlchemy one (:func:`api.keys.find_key`) on both databases, and the driver's
errors come out as SQLAlchemy's (an outage is then a 503, see tests/api/test_door.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import exc, select, update

from api import tables
from api.db import make_engine, make_sessions, read_rows, transaction
from api.keys import LAST_USED_EVERY, create_key, find_key, read_key, revoke_key
from api.tables import utcnow


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _both(engine, key):
    with engine.connect() as connection:
        found = find_key(connection, key)
    assert read_key(engine, key) == found
    return found


def test_it_decides_as_the_sqlalchemy_lookup(engine):
    sessions = make_sessions(engine)
    now = utcnow()
    with transaction(sessions) as session:
        live, live_row = create_key(session, "acme", scopes=["read"])
        later, _ = create_key(session, "acme", expires_at=now + timedelta(days=1))
        gone, _ = create_key(session, "acme", expires_at=now + timedelta(days=1))
        revoked, revoked_row = create_key(session, "globex")
    with transaction(sessions) as session:
        revoke_key(session, revoked_row.prefix)
        session.execute(
            update(tables.ApiKey)
            .where(tables.ApiKey.prefix == gone.split("_")[1])
            .values(expires_at=now - timedelta(seconds=1))
        )
    caller, stale = _both(engine, live)
    assert caller.scopes == frozenset({"read"}) and stale == live_row.id  # never used yet
    assert _both(engine, later) is not None
    for refused in (gone, revoked, live[:-1] + ("A" if live[-1] != "A" else "B"), "mm_x", ""):
        assert _both(engine, refused) is None
    with transaction(sessions) as session:  # used a moment ago: nothing to record
        session.execute(update(tables.ApiKey).values(last_used_at=now))
    assert _both(engine, live)[1] is None
    with transaction(sessions) as session:
        session.execute(update(tables.ApiKey).values(last_used_at=now - 2 * LAST_USED_EVERY))
    assert _both(engine, live)[1] == live_row.id


def test_values_come_back_as_sqlalchemy_gives_them(engine):
    sessions = make_sessions(engine)
    with transaction(sessions) as session:
        create_key(session, "acme", expires_at=utcnow() + timedelta(hours=1))
    statement = select(tables.ApiKey.prefix, tables.ApiKey.expires_at, tables.ApiKey.revoked_at)
    with engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(statement)]
    assert read_rows(engine, statement, {}) == expected


def test_a_driver_error_is_raised_as_sqlalchemys_and_the_pool_goes_on(engine):
    missing = select(tables.ApiKey.id).where(tables.ApiKey.prefix == "x")
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE api_keys RENAME TO api_keys_away")
    try:
        with pytest.raises(exc.DBAPIError):
            read_rows(engine, missing, {})
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE api_keys_away RENAME TO api_keys")
    assert read_rows(engine, missing, {}) == []
