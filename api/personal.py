"""Personal data stays out of everything the service keeps, except participant rows.

Names and emails are never stored: participants are saved without them
(:data:`api.store.NOT_STORED`), and the people a scenario or a rematch adds are stored in
the run's change set with only the fields the matcher uses (:func:`without_contacts`), so
``GET /runs/{id}``, a scenario's stored request and a replayed Idempotency-Key answer hold
ids, never names or emails. The matcher does not use either field, so a change set without
them solves exactly as the request did.

On SQLite, a deleted row is overwritten in the file (``PRAGMA secure_delete``, set on each
connection in :mod:`api.db`) and :func:`scrub` truncates the write-ahead log, where the
old page would otherwise survive until the next checkpoint. On PostgreSQL :func:`scrub`
rewrites the tables an erasure touched (VACUUM FULL): a plain VACUUM would free the dead
row versions' space but leave their bytes in the pages until reused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping

from sqlalchemy.engine import Engine

from api.tables import Base
from matcher.io.validate import canonical_column

CONTACT_FIELDS = frozenset({"name", "email"})
log = logging.getLogger("mentormatch.requests")


def without_contacts(change_set):
    """``change_set`` with the name and email of every added person left out.

    Other values come back unchanged (a change set that is not a mapping, records that
    are not mappings: the validator has already rejected or accepted them as they are).
    """
    if not isinstance(change_set, Mapping):
        return change_set
    out = dict(change_set)
    added = out.get("add")
    if isinstance(added, list):
        out["add"] = [
            {k: v for k, v in record.items() if canonical_column(k) not in CONTACT_FIELDS}
            if isinstance(record, Mapping)
            else record
            for record in added
        ]
    return out


def scenario_request_without_contacts(request: Mapping) -> dict:
    """A scenario request as it is stored: every listed variant :func:`without_contacts`."""
    out = dict(request)
    if isinstance(out.get("scenarios"), list):
        out["scenarios"] = [without_contacts(variant) for variant in out["scenarios"]]
    return out


def scrub(engine: Engine, tables: Iterable[str] = (), full: bool = False) -> None:
    """After deleting personal data: truncate SQLite's write-ahead log; on PostgreSQL,
    VACUUM ``tables`` so the dead row versions are removed from their pages and indexes.

    A plain VACUUM frees the space of dead rows but leaves their bytes in the page until
    the space is reused; ``full`` (VACUUM FULL, for erasures) rewrites each table into new
    files, holding an exclusive lock on it while it does.

    Best effort: a checkpoint that readers keep from finishing, or a VACUUM that fails,
    is logged and left to the next one (SQLite's deleted rows are already zeroed in the
    database file; PostgreSQL's autovacuum removes dead rows later in any case).
    """
    if engine.dialect.name == "postgresql":
        _vacuum(engine, tables, full)
        return
    if engine.dialect.name != "sqlite":
        return
    try:
        connection = engine.raw_connection()  # autocommit: a checkpoint needs no transaction
        try:
            busy, _, _ = connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
    except Exception as error:
        busy = type(error).__name__
    if busy:
        log.warning(json.dumps({"event": "checkpoint", "truncated": False, "why": str(busy)}))


def _vacuum(engine: Engine, tables: Iterable[str], full: bool) -> None:
    known = {table.name for table in Base.metadata.sorted_tables}
    names = sorted(set(tables) & known)  # only our own table names reach the SQL text
    if not names:
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            verb = "VACUUM FULL " if full else "VACUUM "
            connection.exec_driver_sql(verb + ", ".join(f'"{name}"' for name in names))
    except Exception as error:
        why = type(error).__name__
        log.warning(json.dumps({"event": "vacuum", "done": False, "why": why}))
