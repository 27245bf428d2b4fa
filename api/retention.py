"""Retention: what is old enough to go, and the purge that removes it.

Settings (:mod:`api.config`, all in days; 0 keeps that kind forever):

* ``RETENTION_DAYS`` — a cohort whose last change (made, or a run, scenario, review
  decision or publication since) is older goes with everything of its own (participants,
  runs, results, scenarios, decisions, publications, imports, replayable answers). A
  cohort with a queued or running run is never stale.
* ``RECORD_RETENTION_DAYS`` — request records: webhook deliveries delivered or failed,
  outbox messages sent, sign-in failures, expired sign-in sessions and one-time links.
* ``AUDIT_RETENTION_DAYS`` — audit entries (the purge unlocks the append-only table in its
  own transaction only, and records what it removed in an entry of its own).

Expired Idempotency-Key answers (``IDEMPOTENCY_TTL_SECONDS``) and uploads waiting for
their mapping (``UPLOAD_TTL_SECONDS``) go too. :func:`purge` is what
``mentormatch purge`` runs, and what the in-process executor (:class:`Schedule`) and
Celery beat (``mentormatch.purge``) run every ``PURGE_SECONDS``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from api import audit
from api.db import transaction
from api.tables import (
    ACTIVE,
    Cohort,
    IdempotencyRecord,
    OutboxMessage,
    Run,
    Scenario,
    utcnow,
)
from api.tables_audit import AuditEntry, AuditUnlock
from api.tables_hr import DeliveryStatus, WebhookDelivery
from api.tables_web import Decision, LoginFailure, Publication, Upload, UserToken, WebSession

log = logging.getLogger("mentormatch.jobs")
DAY = timedelta(days=1)


def stale_cohorts(session: Session, cutoff: datetime) -> list[tuple[str, int]]:
    """(cohort id, organization id) of cohorts nothing happened to since ``cutoff``."""
    recent = (
        select(Run.cohort_id).where(
            or_(Run.created_at >= cutoff, Run.finished_at >= cutoff, Run.status.in_(ACTIVE))
        ),
        select(Scenario.cohort_id).where(Scenario.created_at >= cutoff),
        select(Decision.cohort_id).where(Decision.created_at >= cutoff),
        select(Publication.cohort_id).where(Publication.published_at >= cutoff),
    )
    statement = select(Cohort.id, Cohort.organization_id).where(Cohort.created_at < cutoff)
    for ids in recent:
        statement = statement.where(Cohort.id.not_in(ids))
    return [tuple(row) for row in session.execute(statement.order_by(Cohort.id))]


def _records(settings: Mapping, now: datetime) -> list[tuple[str, object, list]]:
    """(label, model, conditions) of the request records due to go."""
    out = [
        (
            "idempotency answers",
            IdempotencyRecord,
            [
                IdempotencyRecord.created_at
                < now - timedelta(seconds=float(settings["IDEMPOTENCY_TTL_SECONDS"]))
            ],
        ),
        (
            "uploads",
            Upload,
            [Upload.created_at < now - timedelta(seconds=float(settings["UPLOAD_TTL_SECONDS"]))],
        ),
        ("expired sign-in sessions", WebSession, [WebSession.expires_at < now]),
    ]
    days = float(settings["RECORD_RETENTION_DAYS"])
    if days > 0:
        cutoff = now - days * DAY
        done = (DeliveryStatus.DELIVERED.value, DeliveryStatus.FAILED.value)
        out += [
            (
                "webhook deliveries",
                WebhookDelivery,
                [WebhookDelivery.status.in_(done), WebhookDelivery.created_at < cutoff],
            ),
            ("sent outbox messages", OutboxMessage, [OutboxMessage.sent_at < cutoff]),
            ("sign-in failures", LoginFailure, [LoginFailure.at < cutoff]),
            ("one-time links", UserToken, [UserToken.expires_at < cutoff]),
        ]
    return out


def purge(
    session: Session, settings: Mapping, *, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Remove (or with ``dry_run`` only count) what retention says must go, in
    ``session``'s transaction; each removed cohort is recorded in its organization's
    audit log, the purge itself in the service's (organization NULL).

    Returns
    -------
    dict
        Rows removed (or to be removed) per kind, kinds with none left out; cohorts are
        also listed by id under ``cohort ids`` when there are any.
    """
    now = now or utcnow()
    counts: dict[str, int] = {}
    days = float(settings["RETENTION_DAYS"])
    stale = stale_cohorts(session, now - days * DAY) if days > 0 else []
    if stale:
        counts["cohorts"] = len(stale)
        if not dry_run:
            for cohort_id, organization_id in stale:
                audit.record(
                    session,
                    "retention.cohort_purged",
                    organization_id=organization_id,
                    object_type="cohort",
                    object_id=cohort_id,
                    detail={"retention_days": days},
                    who="system",
                )
            session.execute(delete(Cohort).where(Cohort.id.in_([c for c, _ in stale])))
    for label, model, where in _records(settings, now):
        if dry_run:
            n = session.scalar(select(func.count()).select_from(model).where(*where))
        else:
            n = session.execute(delete(model).where(*where)).rowcount
        if n:
            counts[label] = n
    audit_days = float(settings["AUDIT_RETENTION_DAYS"])
    if audit_days > 0:
        old = [AuditEntry.at < now - audit_days * DAY]
        if dry_run:
            n = session.scalar(select(func.count()).select_from(AuditEntry).where(*old))
        else:
            session.add(AuditUnlock(reason="retention"))
            session.flush()
            n = session.execute(delete(AuditEntry).where(*old)).rowcount
            session.execute(delete(AuditUnlock))
        if n:
            counts["audit entries"] = n
    if counts and not dry_run:
        audit.record(session, "retention.purged", organization_id=None, detail=counts, who="system")
    if stale:
        counts_ids = {"cohort ids": [c for c, _ in stale]}
        return {**counts, **counts_ids}
    return counts


PURGED_TABLES = (
    "cohorts",
    "participants",
    "runs",
    "assignments",
    "unmatched",
    "alternates",
    "scenarios",
    "decisions",
    "publications",
    "cohort_imports",
    "idempotency_keys",
    "uploads",
    "web_sessions",
    "webhook_deliveries",
    "outbox",
    "login_failures",
    "user_tokens",
    "audit_log",
)


def purge_now(sessions: sessionmaker[Session], settings: Mapping) -> dict[str, int]:
    """One purge in a transaction of its own, then the scrub of what it deleted."""
    from api.personal import scrub

    with transaction(sessions) as session:
        counts = purge(session, settings)
    if counts:
        scrub(sessions.kw["bind"], PURGED_TABLES, full="cohorts" in counts)
        shown = {k: v for k, v in counts.items() if k != "cohort ids"}
        log.info(json.dumps({"event": "purge", "removed": shown}))
    return counts


class Schedule:
    """A daemon thread that purges every ``PURGE_SECONDS`` (the in-process executor's
    periodic call; nothing when the setting is 0)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Mapping):
        self.sessions, self.settings = sessions, settings
        self.every = float(settings.get("PURGE_SECONDS", 0) or 0)
        self._stop = threading.Event()
        self._thread = None
        if self.every > 0:
            self._thread = threading.Thread(target=self._loop, name="mm-purge", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        # First a minute after start (not during start-up), then every PURGE_SECONDS.
        next_at = time.monotonic() + min(self.every, 60.0)
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            next_at = time.monotonic() + self.every
            try:
                purge_now(self.sessions, self.settings)
            except Exception as error:  # the database is down: try at the next interval
                log.warning(json.dumps({"event": "purge", "failed": type(error).__name__}))

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not None:
            self._thread.join(5.0)
