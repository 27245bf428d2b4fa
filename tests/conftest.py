"""Databases for the service tests: an SQLite file and a real PostgreSQL, both migrated.

PostgreSQL is the local server (127.0.0.1:5432, trust auth; ``MENTORMATCH_TEST_PG``
overrides the URL of the database to connect through). Each test session makes its own
database and drops it afterwards, so parallel runs never share tables; each test starts
from empty tables. If PostgreSQL is down these tests fail: `.ci/run` starts it.
"""

from __future__ import annotations

import os
import secrets

import pytest

from matcher.model import InputError

PG_ADMIN_URL = os.environ.get("MENTORMATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url():
    """The URL of a fresh, migrated PostgreSQL database for this test session."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from api.migrate import upgrade

    admin_url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    name = f"mm_test_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    from api.tables import Base

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A migrated, empty database: an SQLite file, then the session's PostgreSQL."""
    if request.param == "sqlite":
        from api.migrate import upgrade

        url = f"sqlite:///{tmp_path / 'mentormatch.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("pg_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def rejected():
    """Call a reader that must fail; return its problems (and check no Cohort came back)."""

    def run(call, *args, **kwargs):
        with pytest.raises(InputError) as info:
            call(*args, **kwargs)
        problems = info.value.problems
        assert problems, "an InputError must carry at least one problem"
        return list(problems)

    return run
