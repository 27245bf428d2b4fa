"""The tables of the HR-system integration: webhooks and their deliveries.

A :class:`Webhook` is an organization's receiver URL, the events it wants and its signing
secret, stored encrypted (:mod:`api.hooks.secrets`). A :class:`WebhookDelivery` is one
event for one webhook: written in the transaction that made the event happen (a run that
finished, a scenario whose last run finished), so it is an outbox row as much as a log
entry; a dispatcher thread sends it and records each attempt on it
(:mod:`api.hooks.deliver`). Deliveries hold ids and statuses only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.tables import Base, new_id, utcnow


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # attempts exhausted, or refused (an address it may not reach)


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("whk"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the signing secret
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook, and what happened when it was sent.

    ``available_at`` is when a dispatcher may take it: at once when written, then after
    each failed attempt by the backoff, and a lease ahead while an attempt is under way.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "available_at"),
        Index("ix_webhook_deliveries_hook_created", "webhook_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("dlv"))
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(40))  # the same for every webhook told
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)  # the body sent: ids and statuses only
    redelivery_of: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
