"""Who did what to which object, when: the audit log's writer, its request hooks, its query.

Changes are recorded in the transaction that makes them: :func:`install` hooks the
session factory, and a request's transaction that inserts, updates or deletes rows of the
organization's data gets one :class:`~api.tables_audit.AuditEntry` before it commits
(action: the route's endpoint, e.g. ``runs.create_run``; object: the URL's cohort, run,
scenario... or, when it made one, the row it created; detail: the tables touched and
how). A transaction
that only keeps books (idempotency answers, the outbox, sign-in failures) records
nothing, and one that already wrote its own entry (:func:`record`: erasure, exports,
purges, sign-ins) is not recorded twice. Work done outside requests records itself:
workers and reapers as ``system`` (:mod:`api.jobs.lifecycle`: a run started, finished,
released, re-queued), the ``keys`` and ``users`` commands as ``cli``.

Coordinators' accounts (:mod:`api.web.auth`): a sign-in, a sign-out, a password set from
a one-time link, by user id; a failed sign-in by a keyed hash of the email it gave
(:func:`email_hash`), never the address, in the log of the organization whose account it
names, else in the service's own.

Reads of personal data (:data:`READS`: participants, results with their people, the
why-not answer about one pair, the web app's review pages and downloads) are recorded
after a successful answer, in a transaction of their own.

Entries name people by nothing: the object of a route about one person (``person_id``,
``mentee_id`` in the URL) is the cohort or run it belongs to.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select

from api.tables_audit import AuditEntry

# Tables whose rows are bookkeeping, not the organization's data.
BOOKKEEPING = frozenset(
    {"idempotency_keys", "outbox", "login_failures", "audit_log", "audit_unlock"}
)
# URL arguments naming the object a route is about, in order of preference.
OBJECTS = (
    ("run_id", "run"),
    ("scenario_id", "scenario"),
    ("upload_id", "upload"),
    ("webhook_id", "webhook"),
    ("hook_id", "webhook"),
    ("cohort_id", "cohort"),
)
# GET endpoints that answer personal data: recorded as reads.
READS = frozenset(
    {
        "cohorts.list_participants",
        "runs.list_assignments",
        "runs.get_assignment",
        "runs.list_unmatched",
        "decisions.get_draft",
        "answers.get_why_not",
        "web.cohort_page",
        "web.run_page",
        "web.unmatched",
        "web.programme",
        "web.mentee",
        "web.download",
    }
)


def actor() -> str:
    """Who the current request acts for: ``user:<id>`` (web app), ``key:<prefix>`` (API
    key; the prefix only, never the secret), else ``anonymous``; ``cli`` outside requests."""
    if not has_request_context():
        return "cli"
    if g.get("user_id") is not None:
        return f"user:{g.user_id}"
    if g.get("key_prefix") is not None:  # set by api.auth for an authenticated key
        return f"key:{g.key_prefix}"
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip().startswith("mm_"):
        return f"key:{key.strip().removeprefix('mm_').split('_', 1)[0][:16]}"
    return "anonymous"


# The default organization of :func:`record`: the request's (None stays the service's own).
REQUEST_ORGANIZATION = -1


def record(
    session: Session,
    action: str,
    *,
    organization_id: int | None = REQUEST_ORGANIZATION,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict | None = None,
    who: str | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session``'s transaction; the request's own entry is then
    not written (this one says more).

    Parameters
    ----------
    session : the session whose transaction makes the change recorded.
    action : what was done, e.g. ``person.erased``.
    organization_id : whose data; default the request's organization (none outside a
        request); None: the service's own entry, which no organization's log shows.
    object_type, object_id : what it was done to (never a person's id, name or email).
    detail : counts and table names only.
    who : the actor; default :func:`actor`.

    Returns
    -------
    AuditEntry
    """
    in_request = has_request_context()
    if organization_id == REQUEST_ORGANIZATION:
        organization_id = g.get("organization_id") if in_request else None
    entry = AuditEntry(
        organization_id=organization_id,
        actor=who or actor(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        request_id=g.get("request_id") if in_request else None,
        detail=detail,
    )
    session.add(entry)
    session.info["audited"] = True
    return entry


def email_hash(email: str, secret: str | bytes) -> str:
    """HMAC-SHA256 (keyed by the service's ``SECRET_KEY``) of the lower-case, trimmed
    ``email``: failed sign-ins for one address can be told apart and counted without
    the log holding the address or a hash anyone could recompute from a list of them."""
    key = secret.encode() if isinstance(secret, str) else secret
    text = (email or "").strip().lower().encode("utf-8")
    return hmac.new(key, b"email:" + text, hashlib.sha256).hexdigest()


def _url_object() -> tuple[str | None, str | None]:
    args = request.view_args or {}
    for name, kind in OBJECTS:
        if isinstance(args.get(name), str):
            return kind, args[name]
    return None, None


def _note(session: Session, objects: Iterable, how: str) -> None:
    touched = session.info.setdefault("touched", {})
    for obj in objects:
        table = getattr(obj, "__tablename__", None)
        if table is None or table in BOOKKEEPING:
            continue
        touched.setdefault(table, set()).add(how)
        if how == "insert" and isinstance(getattr(obj, "id", None), str):
            session.info.setdefault("created", (table.rstrip("s"), obj.id))
        org = getattr(obj, "organization_id", None)
        if isinstance(org, int):
            session.info.setdefault("organization_id", org)


def _after_flush(session: Session, _context) -> None:
    _note(session, session.new, "insert")
    _note(session, session.dirty, "update")
    _note(session, session.deleted, "delete")


def _bulk(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name and name not in BOOKKEEPING:
        how = "insert" if state.is_insert else "update" if state.is_update else "delete"
        state.session.info.setdefault("touched", {}).setdefault(name, set()).add(how)


def _before_commit(session: Session) -> None:
    _after_flush(session, None)  # what the commit's own flush is about to write
    touched = session.info.get("touched")
    if not touched or session.info.get("audited") or not has_request_context():
        return
    organization_id = g.get("organization_id") or session.info.get("organization_id")
    if organization_id is None:
        return
    detail = {"method": request.method, "tables": {t: sorted(h) for t, h in touched.items()}}
    kind, object_id = _url_object()
    if "created" in session.info:  # the row the request made is what it is about
        if kind is not None:
            detail["from"] = f"{kind}:{object_id}"
        kind, object_id = session.info["created"]
    record(
        session,
        request.endpoint or request.method,
        organization_id=organization_id,
        object_type=kind,
        object_id=object_id,
        detail=detail,
    )


def _forget(session: Session, *_args) -> None:
    for name in ("touched", "created", "organization_id", "audited"):
        session.info.pop(name, None)


def _audit_read(response):
    if (
        request.method == "GET"
        and request.endpoint in READS
        and 200 <= response.status_code < 300
        and g.get("organization_id") is not None
    ):
        from api.services import services

        kind, object_id = _url_object()
        with services().sessions() as session, session.begin():
            record(
                session,
                f"read:{request.endpoint}",
                object_type=kind,
                object_id=object_id,
                detail={"method": "GET", "status": response.status_code},
            )
    return response


def install(app: Flask, sessions: sessionmaker[Session]) -> None:
    """Record the app's changes (session events on ``sessions``) and reads (after_request)."""
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _bulk)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_commit", _forget)
    event.listen(sessions, "after_rollback", _forget)
    app.after_request(_audit_read)


def query(
    organization_id: int | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    who: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> Select:
    """The organization's entries, oldest first, narrowed by the filters given
    (``action`` matches a prefix: ``person.`` finds every person.* action)."""
    statement = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if who:
        statement = statement.where(AuditEntry.actor == who)
    if object_type:
        statement = statement.where(AuditEntry.object_type == object_type)
    if object_id:
        statement = statement.where(AuditEntry.object_id == object_id)
    return statement.order_by(AuditEntry.id)


def as_dict(entry: AuditEntry) -> dict:
    """An entry as the API and the CLI show it."""
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "request_id": entry.request_id,
        "detail": entry.detail,
    }
