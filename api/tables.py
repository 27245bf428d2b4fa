"""The database tables. The run row is the truth about a job; results hang off it.

Participants keep the fields the matcher uses in ``data``: the participant's record as
:func:`matcher.io.records.cohort_to_records` gives it, without ``id``, ``role``, ``name``
and ``email``. Names and emails are kept, in ``name`` and ``email``, only for cohorts a
coordinator imported in the web app (to show and to download); the JSON API stores none.
Public ids of cohorts, runs and scenarios are random strings made when the row is
created; people keep the organization's own ids.
Deleting a cohort deletes its participants, runs, scenarios and results (ON DELETE
CASCADE, and ORM cascades for SQLite connections without foreign keys).

A cohort's roster has versions (``Cohort.version``, 0 when stored): people sync
(:mod:`api.people`) ends a participant's row at the new version (``until``) and adds a
row from it (``since``), so a run solves the roster of the version it was queued at
(``Run.cohort_version``) even after people joined, changed or left. The current roster is
the rows with ``until`` NULL. The tables of the HR integration (webhooks and their
deliveries) are in :mod:`api.tables_hr`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A public id such as ``run_3f9a...`` (prefix, underscore, 24 hex digits)."""
    return f"{prefix}_{secrets.token_hex(12)}"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """An organization's key, stored as its SHA-256; ``prefix`` finds the row quickly."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Space-separated scopes (read, write, admin: api.auth); the key stops at expires_at;
    # last_used_at is written at most once a minute; replaced_by names a rotation's key.
    scopes: Mapped[str] = mapped_column(String(64), default="read write admin")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by: Mapped[str | None] = mapped_column(String(16))

    organization: Mapped[Organization] = relationship()


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("coh"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(20))  # coaching | mentoring
    n_mentors: Mapped[int] = mapped_column(Integer)
    n_mentees: Mapped[int] = mapped_column(Integer)
    org_chart: Mapped[list] = mapped_column(JSON, default=list)  # [[person_id, manager_id]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    participants: Mapped[list[Participant]] = relationship(
        back_populates="cohort",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Participant.role.desc(), Participant.position)",
    )
    runs: Mapped[list[Run]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", passive_deletes=True
    )
    scenarios: Mapped[list[Scenario]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", passive_deletes=True
    )


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("cohort_id", "role", "external_id", "since", name="uq_participants_since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[str] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # mentor | mentee
    position: Mapped[int] = mapped_column(Integer)  # input order within the role
    external_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON)
    since: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # first version
    until: Mapped[int | None] = mapped_column(Integer)  # first version without it; NULL: current
    name: Mapped[str | None] = mapped_column(Text)  # web imports only
    email: Mapped[str | None] = mapped_column(Text)  # web imports only

    cohort: Mapped[Cohort] = relationship(back_populates="participants")


class Scenario(Base):
    """A what-if comparison: variants of a base policy, each solved as a run."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("scn"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[str] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    spec: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set once, in the transaction that finishes its last run (scenario.completed).
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The trade-off table and who moves, computed once after every run has succeeded.
    comparison: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    cohort: Mapped[Cohort] = relationship(back_populates="scenarios")
    runs: Mapped[list[Run]] = relationship(back_populates="scenario")


class Run(Base):
    """One match job. ``status`` moves queued -> running -> succeeded/failed/cancelled;
    ``attempt`` counts claims (a re-delivered job is claimed again); ``heartbeat_at`` is
    refreshed by the worker while it solves, so a reaper can tell a dead worker."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_org_status", "organization_id", "status"),
        Index("ix_runs_cohort_created", "cohort_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("run"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    cohort_id: Mapped[str] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    cohort_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    kind: Mapped[str] = mapped_column(String(20), default="match")  # match | rematch | scenario
    policy: Mapped[dict] = mapped_column(JSON)  # matcher.io.policy.policy_to_dict form
    changes: Mapped[dict | None] = mapped_column(JSON)  # rematch changes, scenario variant
    previous_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    scenario_id: Mapped[str | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    variant: Mapped[str | None] = mapped_column(String(200))

    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED.value)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    solver: Mapped[str | None] = mapped_column(String(20))
    solver_status: Mapped[str | None] = mapped_column(String(20))  # matcher Status value
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    certified: Mapped[bool | None] = mapped_column(Boolean)
    metrics: Mapped[dict | None] = mapped_column(JSON)
    timings: Mapped[list | None] = mapped_column(JSON)  # [[stage, seconds]]
    notes: Mapped[list | None] = mapped_column(JSON)
    conflicts: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)  # an RFC 9457 problem object
    moves: Mapped[list | None] = mapped_column(JSON)  # rematch: matcher.whatif.moves.move_to_dict

    cohort: Mapped[Cohort] = relationship(back_populates="runs")
    scenario: Mapped[Scenario | None] = relationship(back_populates="runs")
    assignments: Mapped[list[Assignment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Assignment.position"
    )
    unmatched: Mapped[list[UnmatchedRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="UnmatchedRow.position"
    )
    alternates: Mapped[list[AlternateRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AlternateRow.position"
    )


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_run_mentee", "run_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # order of MatchResult.pairs
    mentee_id: Mapped[str] = mapped_column(String(200))
    mentor_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[list] = mapped_column(JSON)  # [[component, value]]
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")


class UnmatchedRow(Base):
    __tablename__ = "unmatched"
    __table_args__ = (Index("ix_unmatched_run_mentee", "run_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    mentee_id: Mapped[str] = mapped_column(String(200))
    missing: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON)


class AlternateRow(Base):
    __tablename__ = "alternates"
    __table_args__ = (Index("ix_alternates_run_mentee", "run_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    mentee_id: Mapped[str] = mapped_column(String(200))
    mentor_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    why_not: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """A run id to hand to the job queue, written in the transaction that queued the run.

    A dispatcher sends it and sets ``sent_at`` (see :mod:`api.jobs.outbox`). Until then
    ``available_at`` is when a dispatcher may take it: a little after it was written (the
    request that wrote it tries first), and again after each attempt that was not
    confirmed. Deleting the run deletes its messages."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "available_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotencyRecord(Base):
    """The first answer to a request sent with an ``Idempotency-Key`` header.

    ``status_code`` is None while the first request is still being handled (a repeat then
    gets 409); ``request_hash`` is the SHA-256 of method, path, query, media type and
    body (another request under the same key gets 422). ``cohort_id`` is the cohort the
    answer is about: deleting the cohort deletes the answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("organization_id", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cohort_id: Mapped[str | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )


# The HR integration's and the web app's tables live in their own modules; importing them
# here puts them on Base.metadata wherever the tables are used (migrations, tests, the app).
from api import tables_answers, tables_audit, tables_cycles, tables_hr, tables_web  # noqa: E402, F401
