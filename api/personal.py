"""Personal data stays out of everything the service keeps, except participant rows.

Names and emails are never stored: participants are saved without them
(:data:`api.store.NOT_STORED`), and the people a scenario or a rematch adds are stored in
the run's change set with only the fields the matcher uses (:func:`without_contacts`), so
``GET /runs/{id}``, a scenario's stored request and a replayed Idempotency-Key answer hold
ids, never names or emails. The matcher does not use either field, so a change set without
them solves exactly as the request did.

On SQLite, a deleted row is overwritten in the file (``PRAGMA secure_delete``, set on each
connection in :mod:`api.db`) and :func:`scrub` truncates the write-ahead log, where the
old page would otherwise survive until the next checkpoint.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from sqlalchemy.engine import Engine

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


def scrub(engine: Engine) -> None:
    """After deleting personal data: truncate SQLite's write-ahead log (nothing on PostgreSQL).

    Best effort: a checkpoint that readers keep from finishing is logged and left to the
    next one; the deleted rows are already zeroed in the database file.
    """
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
