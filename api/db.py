"""Database engine and sessions: PostgreSQL in production, an SQLite file by default.

SQLite runs in WAL mode with a busy timeout and ``secure_delete`` (a deleted row is
overwritten in the file, not only unlinked), the file is made 0600 before SQLite opens it,
and every transaction starts with
``BEGIN IMMEDIATE``: a deferred transaction that later writes can fail at once with
"database is locked" instead of waiting, so we take the write lock up front and let the
busy timeout queue concurrent writers. PostgreSQL needs none of this. The key lookup of
every API request reads outside any transaction (:func:`read_rows`), so a long write (a
run's results, an erasure) does not hold it up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Select, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 30_000


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
        connection.exec_driver_sql("BEGIN IMMEDIATE")

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


@cache
def _compiled(statement: Select, dialect):
    """``statement`` compiled for ``dialect``, and each column's result processor (None:
    the driver's value as it is)."""
    columns = statement.selected_columns
    processors = tuple(
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
    )
    return statement.compile(dialect=dialect), processors


def read_rows(engine: Engine, statement: Select, params: dict) -> list[tuple]:
    """The rows of a read-only Core ``select`` (bound parameters ``params``, text or
    numbers: they go to the driver as given), values as SQLAlchemy would give them, read
    on a pooled DB-API connection.

    For the one query of every API request (the key lookup): 20 us against 160 us for
    a SQLAlchemy connection and transaction, on SQLite. One statement reads one
    snapshot: SQLite (autocommit, WAL) runs it on its own; on PostgreSQL the pool rolls
    back the transaction the driver opened when the connection goes back.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        The driver's error as SQLAlchemy raises it (OperationalError when the database
        cannot be reached, which the API answers with 503); the connection is dropped.
    """
    compiled, processors = _compiled(statement, engine.dialect)
    sql, bound = compiled.string, compiled.construct_params(params)
    values = tuple(bound[name] for name in compiled.positiontup) if compiled.positional else bound
    driver_error = engine.dialect.loaded_dbapi.Error
    connection = None
    try:
        connection = engine.raw_connection()
        cursor = connection.cursor()
        cursor.execute(sql, values)
        rows = cursor.fetchall()
        cursor.close()
    except driver_error as error:
        if connection is not None:
            connection.invalidate()
        raise DBAPIError.instance(sql, values, error, driver_error, hide_parameters=True) from error
    finally:
        if connection is not None:
            connection.close()  # back to the pool
    return [
        tuple(v if f is None or v is None else f(v) for f, v in zip(processors, row, strict=True))
        for row in rows
    ]
