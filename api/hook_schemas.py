"""Request and response shapes of webhooks and their deliveries (see :mod:`api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.hooks import EVENTS
from api.schemas import PageArgs, UtcDateTime, _page_schema
from api.tables_hr import DeliveryStatus

DELIVERY_STATUSES = tuple(s.value for s in DeliveryStatus)
EVENT_WORDS = (
    "run.succeeded and run.failed: a run of one of your cohorts finished; "
    "scenario.completed: every run of a scenario finished (its comparison is stored); "
    "cohort.published: a run of a cohort was published as its next version"
)

WEBHOOK_EXAMPLE = {
    "url": "https://hr.example.com/hooks/mentormatch",
    "events": ["run.succeeded", "run.failed"],
}
HOOK_OUT_EXAMPLE = {
    "id": "whk_5b1f0c9e2a7d4e8f90a1b2c3",
    "url": "https://hr.example.com/hooks/mentormatch",
    "events": ["run.succeeded", "run.failed"],
    "created_at": "2026-12-10T09:00:00+00:00",
    "links": {
        "self": "/api/v1/webhooks/whk_5b1f0c9e2a7d4e8f90a1b2c3",
        "deliveries": "/api/v1/webhooks/whk_5b1f0c9e2a7d4e8f90a1b2c3/deliveries",
    },
}
DELIVERY_EXAMPLE = {
    "id": "dlv_0a1b2c3d4e5f60718293a4b5",
    "webhook_id": "whk_5b1f0c9e2a7d4e8f90a1b2c3",
    "event_id": "evt_9f8e7d6c5b4a39281706f5e4",
    "event": "run.succeeded",
    "status": "delivered",
    "attempts": 2,
    "created_at": "2026-12-10T09:05:00+00:00",
    "next_attempt_at": "2026-12-10T09:05:10+00:00",
    "last_attempt_at": "2026-12-10T09:05:10+00:00",
    "delivered_at": "2026-12-10T09:05:10+00:00",
    "response_status": 200,
    "error": None,
    "redelivery_of": None,
    "payload": {
        "id": "evt_9f8e7d6c5b4a39281706f5e4",
        "type": "run.succeeded",
        "created_at": "2026-12-10T09:05:00+00:00",
        "data": {
            "run_id": "run_3f9a0b1c2d3e4f5061728394",
            "cohort_id": "coh_1a2b3c4d5e6f708192a3b4c5",
            "kind": "match",
            "status": "succeeded",
            "solver_status": "optimal",
            "scenario_id": None,
            "previous_run_id": None,
        },
    },
}


class WebhookIn(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2048),
        metadata={
            "description": "http or https; a public address unless the server allows "
            "private ones (MENTORMATCH_WEBHOOK_ALLOW_PRIVATE)"
        },
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENTS)),
        metadata={"description": EVENT_WORDS},
    )


class WebhookLinks(Schema):
    self = fields.String(required=True)
    deliveries = fields.String(required=True)


class WebhookOut(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    created_at = UtcDateTime(required=True)
    links = fields.Nested(WebhookLinks, required=True)


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(
        required=True,
        metadata={
            "description": "shown once: X-Mentormatch-Signature is sha256=<hex HMAC-SHA256 "
            "keyed by this secret (UTF-8) over X-Mentormatch-Timestamp + '.' + the raw body>"
        },
    )


class DeliveryListArgs(PageArgs):
    status = fields.List(fields.String(validate=validate.OneOf(DELIVERY_STATUSES)))


class DeliveryOut(Schema):
    """One event sent (or to be sent) to one webhook, and what its attempts got."""

    id = fields.String(required=True)
    webhook_id = fields.String(required=True)
    event_id = fields.String(required=True, metadata={"description": "shared by every webhook"})
    event = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    next_attempt_at = UtcDateTime(
        attribute="available_at",
        allow_none=True,
        metadata={"description": "pending: when it is tried next"},
    )
    last_attempt_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    response_status = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why the last attempt failed"})
    redelivery_of = fields.String(allow_none=True)
    payload = fields.Dict(required=True, metadata={"description": "the JSON body sent"})


WebhookPage = _page_schema("WebhookPage", WebhookOut)
DeliveryPage = _page_schema("DeliveryPage", DeliveryOut)
