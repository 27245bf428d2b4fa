"""Webhooks: register a receiver (its secret shown once), list, read, delete; the
delivery log and redelivery of one delivery."""

from __future__ import annotations

from flask import g, url_for
from sqlalchemy import select

from api import hook_schemas as schemas
from api.db import transaction
from api.hooks.secrets import cipher, new_secret
from api.operations import owned
from api.pagination import paginate
from api.services import services
from api.tables_hr import Webhook, WebhookDelivery
from api.views import Blueprint, json_only, problems, protected
from api.webhook_store import check_webhook, delivery_of, present_webhook, redeliver

blp = protected(Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks"))
LOCATION = {"Location": {"schema": {"type": "string"}}}


@blp.route("", methods=["POST"])
@json_only
@blp.arguments(schemas.WebhookIn, example=schemas.WEBHOOK_EXAMPLE)
@blp.response(
    201,
    schemas.WebhookCreatedOut,
    headers=LOCATION,
    example={
        **schemas.HOOK_OUT_EXAMPLE,
        "secret": "whsec_Zk3n0xQ2rT8uV5wY1aB4cD7eF0gH3iJ6kL9mN2oP5qR",
    },
)
@problems(blp, 400, 401, 415)
def create_webhook(data):
    """Register a receiver for events; the answer holds its signing secret, shown once."""
    settings = services().settings
    url, events = check_webhook(data, settings)
    secret = new_secret()
    with transaction(services().sessions) as session:
        hook = Webhook(
            organization_id=g.organization_id,
            url=url,
            events=events,
            secret=cipher(settings).encrypt(secret.encode()).decode(),
        )
        session.add(hook)
        session.flush()
        body = {**present_webhook(hook), "secret": secret}
    return body, 201, {"Location": body["links"]["self"]}


@blp.route("", methods=["GET"])
@blp.arguments(schemas.PageArgs, location="query")
@blp.response(200, schemas.WebhookPage)
@problems(blp, 401)
def list_webhooks(args):
    """The organization's webhooks, newest first (secrets are never shown again)."""
    mine = select(Webhook).where(Webhook.organization_id == g.organization_id)
    with services().sessions() as session:
        body, headers = paginate(
            session, mine.order_by(Webhook.created_at.desc(), Webhook.id), args
        )
    body["items"] = [present_webhook(hook) for hook in body["items"]]
    return body, headers


@blp.route("/<webhook_id>", methods=["GET"])
@blp.response(200, schemas.WebhookOut, example=schemas.HOOK_OUT_EXAMPLE)
@problems(blp, 401, 404)
def get_webhook(webhook_id):
    """One webhook: URL, events, links."""
    with services().sessions() as session:
        return present_webhook(owned(session, Webhook, webhook_id))


@blp.route("/<webhook_id>", methods=["DELETE"])
@blp.response(204)
@problems(blp, 401, 404)
def delete_webhook(webhook_id):
    """Stop sending to the webhook; its deliveries, sent or not, are deleted with it."""
    with transaction(services().sessions) as session:
        session.delete(owned(session, Webhook, webhook_id))


@blp.route("/<webhook_id>/deliveries", methods=["GET"])
@blp.arguments(schemas.DeliveryListArgs, location="query")
@blp.response(200, schemas.DeliveryPage)
@problems(blp, 401, 404)
def list_deliveries(args, webhook_id):
    """The delivery log, newest first: every event, its attempts, the last answer."""
    log = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if args.get("status"):
        log = log.where(WebhookDelivery.status.in_(args["status"]))
    order = (WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    with services().sessions() as session:
        owned(session, Webhook, webhook_id)
        return paginate(session, log.order_by(*order), args)


@blp.route("/<webhook_id>/deliveries/<delivery_id>", methods=["GET"])
@blp.response(200, schemas.DeliveryOut, example=schemas.DELIVERY_EXAMPLE)
@problems(blp, 401, 404)
def get_delivery(webhook_id, delivery_id):
    """One delivery: its payload, status, attempts and the last answer or error."""
    with services().sessions() as session:
        return delivery_of(session, owned(session, Webhook, webhook_id), delivery_id)


@blp.route("/<webhook_id>/deliveries/<delivery_id>/redeliver", methods=["POST"])
@blp.response(202, schemas.DeliveryOut, headers=LOCATION)
@problems(blp, 401, 404)
def redeliver_delivery(webhook_id, delivery_id):
    """Send a delivery's event again, as a new delivery (same event id and body)."""
    with transaction(services().sessions) as session:
        hook = owned(session, Webhook, webhook_id)
        again = redeliver(session, delivery_of(session, hook, delivery_id))
    location = url_for("webhooks.get_delivery", webhook_id=webhook_id, delivery_id=again.id)
    return again, 202, {"Location": location}
