"""Database engine and sessions: PostgreSQL in production, an SQLite file by default.

SQLite runs in WAL mode with a busy timeout and ``secure_delete`` (a deleted row is
overwritten in the file, not only unlinked), the file is made 0600 before SQLite opens it,
and every transaction starts with
``BEGIN IMMEDIATE``: a deferred transaction that later writes can fail at once with
"database is locked" instead of waiting, so we take the write lock up front and let the
busy timeout queue concurrent writers. Transactions that only read (the API key lookup
of every request) say so with :data:`READ_ONLY` and begin deferred, so a long write
(a run's results, an erasure) does not hold them up. PostgreSQL needs none of this.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 30_000
READ_ONLY_OPTION = "mentormatch_read_only"
# Execution options of a connection whose transactions only read: on SQLite they begin
# deferred (a plain BEGIN), so in WAL mode they read a snapshot and never wait for writers.
READ_ONLY = {READ_ONLY_OPTION: True}


def make_engine(url: str, **options) -> Engine:
    """An engine for ``url`` with the pragmas and pooling this service relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
        return create_engine(url, **options)

    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False}, **options
    )
    _private_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed in the file
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        read = connection.get_execution_options().get(READ_ONLY_OPTION)
        connection.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine


def _private_file(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600) if it does not exist yet;
    SQLite gives its -wal and -shm files the same permissions."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory; objects stay usable after commit (no lazy reload surprises)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with sessions() as session, session.begin():
        yield session
