"""What the webhook views do to the database: check a registration, present a webhook,
find one of its deliveries, and queue a redelivery."""

from __future__ import annotations

from collections.abc import Mapping

from flask import url_for
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.hooks.address import url_problems
from api.tables import utcnow
from api.tables_hr import Webhook, WebhookDelivery
from matcher.model import InputError

MAX_WEBHOOKS = 100  # per organization


def check_webhook(data: Mapping, settings: Mapping) -> tuple[str, list[str]]:
    """The URL and events (repeats dropped, order kept) of a registration.

    Raises
    ------
    InputError
        When the URL may not receive deliveries (:func:`api.hooks.address.url_problems`).
    """
    allow = bool(int(settings["WEBHOOK_ALLOW_PRIVATE"]))
    if problems := url_problems(data["url"], allow):
        raise InputError(problems, title="the webhook was rejected")
    return data["url"], list(dict.fromkeys(data["events"]))


def present_webhook(hook: Webhook) -> dict:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.events),
        "created_at": hook.created_at,
        "links": {
            "self": url_for("webhooks.get_webhook", webhook_id=hook.id),
            "deliveries": url_for("webhooks.list_deliveries", webhook_id=hook.id),
        },
    }


def delivery_of(session: Session, hook: Webhook, delivery_id: str) -> WebhookDelivery:
    """The webhook's delivery with this id, else a 404 problem."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.webhook_id != hook.id:
        raise ApiProblem(404, "not found", f"no delivery {delivery_id}", kind="not-found")
    return row


def redeliver(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new pending delivery of the same event (id and body) to the same webhook."""
    now = utcnow()
    again = WebhookDelivery(
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event=delivery.event,
        payload=delivery.payload,
        redelivery_of=delivery.id,
        created_at=now,
        available_at=now,
    )
    session.add(again)
    session.flush()
    return again
