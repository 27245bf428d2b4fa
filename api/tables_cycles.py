"""The tables of a programme's cycles: cohort settings, and mentees' requests for mentors.

:class:`CohortSettings` is one row per cohort that has settings: how long a request stays
open (``request_expiry_hours``; NULL: the server's ``REQUEST_EXPIRY_HOURS``) and the
pairing history its runs use (``history`` mode and ``history_run_ids``, earlier runs of
this cohort or another of the organization). :class:`MentorRequest` is a mentee's request
for one mentor (:mod:`api.mentor_requests`); it holds ids, statuses and times only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.tables import Base, new_id, utcnow


class RequestStatus(StrEnum):
    PENDING = "pending"  # waiting for the mentor's answer until ``expires_at``
    ACCEPTED = "accepted"  # a pinned pair of the cohort's next runs
    DECLINED = "declined"  # the mentor said no; the mentee's next suggestion was asked
    EXPIRED = "expired"  # no answer in time; the mentee's next suggestion was asked
    WITHDRAWN = "withdrawn"  # one of the two left the cohort (a mentor's leaving passes on)


# Requests that hold a mentor's place.
HOLDING = (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)


class RequestOrigin(StrEnum):
    MENTEE = "mentee"  # the mentee asked for this mentor
    NEXT_SUGGESTION = "next_suggestion"  # made when the request it follows was declined or expired


class CohortSettings(Base):
    __tablename__ = "cohort_settings"

    cohort_id: Mapped[str] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    request_expiry_hours: Mapped[float | None] = mapped_column(Float)
    history: Mapped[str] = mapped_column(String(10), default="ignore")
    history_run_ids: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MentorRequest(Base):
    __tablename__ = "mentor_requests"
    __table_args__ = (
        Index("ix_mentor_requests_cohort_created", "cohort_id", "created_at"),
        Index("ix_mentor_requests_due", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("req"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[str] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    mentee_id: Mapped[str] = mapped_column(String(200))
    mentor_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING.value)
    origin: Mapped[str] = mapped_column(String(20), default=RequestOrigin.MENTEE.value)
    follows_id: Mapped[str | None] = mapped_column(String(40))  # the request it passed on from
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
