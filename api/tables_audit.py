"""The audit log's tables: one row per thing done to an organization's data, append-only.

An :class:`AuditEntry` says who (``actor``: ``key:<prefix>`` of an API key, never the
secret; ``user:<id>`` of a coordinator; ``cli`` or ``system``), what (``action``, e.g.
``cohorts.create_cohort`` or ``person.erased``), which object (``object_type`` and
``object_id``: cohorts, runs, scenarios, erasures, never a person's id, name or email),
when, and the request id. ``detail`` holds counts and table names, never personal data.

The table is append-only: no code path updates or deletes a row except retention and
organization deletion, which first write an :class:`AuditUnlock` row in their own
transaction and remove it before committing. Database triggers (migration
``0007``) refuse every UPDATE, and every DELETE made while no unlock row is
visible, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.tables import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_org_at", "organization_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # No foreign key: the row outlives what it is about. NULL: the whole service (an
    # organization's deletion is recorded there, after its own rows went with it).
    organization_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class AuditUnlock(Base):
    """Present only inside a purge's own transaction: lets its DELETEs of audit rows pass
    the append-only trigger. Other transactions never see one (it is deleted before
    commit)."""

    __tablename__ = "audit_unlock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
