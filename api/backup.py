"""Backups of the service's database while it runs, and restores into an empty one.

* SQLite: Python's online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot page by page while the server keeps writing (WAL); the copy is a plain SQLite
  file, made 0600, checked with ``PRAGMA integrity_check``.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, one transaction) and
  ``pg_restore --single-transaction --exit-on-error --no-owner``: all or nothing.

A restore goes only into a database without tables (a fresh file, or a database just
made with ``createdb``), so a mistyped URL never overwrites live data, and it ends with
``mentormatch db upgrade`` so a backup taken by an older version is brought up to date.
Backups hold personal data: keep them as private as the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from api.db import make_engine


class BackupError(RuntimeError):
    """A backup or restore that could not be done, in words an operator can act on."""


def _sqlite_path(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError(f"{url}: only an SQLite file can be backed up or restored")
    return parsed.database


def _libpq(url: str) -> tuple[str, dict]:
    """The URL as pg_dump reads it (no SQLAlchemy driver name, no password: that goes in
    the environment, not on a command line other users can see) and that environment."""
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools")
    return found


def _private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def backup(url: str, target: str | Path) -> Path:
    """Write a backup of the database at ``url`` to ``target`` (which must not exist).

    Returns
    -------
    Path
        The backup file.

    Raises
    ------
    BackupError
        If ``target`` exists, a tool is missing, or the copy fails its check.
    """
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file name (a backup never overwrites)")
    _private(target)
    try:
        if (path := _sqlite_path(url)) is not None:
            _sqlite_copy(path, target)
            _sqlite_check(target)
        else:
            address, env = _libpq(url)
            _run([_tool("pg_dump"), "--format=custom", f"--file={target}", address], env)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def restore(url: str, source: str | Path) -> None:
    """Restore the backup ``source`` into the empty database at ``url``, then migrate it.

    Raises
    ------
    BackupError
        If ``source`` is missing, the database has tables, or the restore fails (then
        nothing of it is kept).
    """
    from api.migrate import upgrade

    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    if (path := _sqlite_path(url)) is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _require_empty(url)
    if path is not None:
        _sqlite_check(source)
        target = Path(path)
        if not target.exists():
            _private(target)
        try:
            _sqlite_copy(str(source), target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    else:
        address, env = _libpq(url)
        command = [_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner"]
        _run([*command, f"--dbname={address}", str(source)], env)
    upgrade(url)


def _require_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"{make_url(url).render_as_string(hide_password=True)} already has tables "
            f"({len(tables)}): restore into a new, empty database, then point DATABASE_URL at it"
        )


def _sqlite_copy(source: str, target: Path) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
        with sqlite3.connect(target) as dst:
            src.backup(dst)
        dst.close()
    src.close()


def _sqlite_check(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error})") from None
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {verdict}")


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
