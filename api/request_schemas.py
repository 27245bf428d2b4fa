"""Request and response shapes of mentor requests and cohort settings (see :mod:`api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schema_base import UtcDateTime
from api.schemas import PageArgs, _page_schema
from api.tables_cycles import RequestOrigin, RequestStatus
from matcher.model import History

STATUSES = tuple(s.value for s in RequestStatus)


class RequestIn(Schema):
    mentee = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "E02"}
    )
    mentor = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "M04"}
    )


class RequestOut(Schema):
    id = fields.String(required=True)
    cohort_id = fields.String(required=True)
    mentee_id = fields.String(required=True)
    mentor_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    origin = fields.String(
        required=True,
        metadata={
            "enum": [o.value for o in RequestOrigin],
            "description": "mentee: asked by the mentee; next_suggestion: made when the "
            "request it follows was declined or expired",
        },
    )
    follows_id = fields.String(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True, required=True)


class RequestDecisionOut(Schema):
    request = fields.Nested(RequestOut, required=True)
    next_request = fields.Nested(
        RequestOut,
        allow_none=True,
        required=True,
        metadata={"description": "after a decline: the request for the mentee's next suggestion"},
    )


class RequestListArgs(PageArgs):
    """``GET /cohorts/{id}/requests``: pages, newest first, optionally filtered."""

    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)),
        metadata={"description": "repeat to list several: ?status=pending&status=accepted"},
    )
    mentee = fields.String()
    mentor = fields.String()


RequestPage = _page_schema("RequestPage", RequestOut)


class HistorySettings(Schema):
    mode = fields.String(
        load_default="ignore",
        validate=validate.OneOf([h.value for h in History]),
        metadata={"description": "avoid: never repeat an earlier pair; prefer: keep them"},
    )
    runs = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "earlier succeeded runs (of any cohort of yours)"},
    )


class CohortSettingsIn(Schema):
    request_expiry_hours = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, min_inclusive=False, max=24 * 366),
        metadata={"description": "how long a request stays open; null: the server default"},
    )
    history = fields.Nested(HistorySettings, load_default=lambda: {"mode": "ignore", "runs": []})


class CohortSettingsOut(Schema):
    cohort_id = fields.String(required=True)
    request_expiry_hours = fields.Float(required=True, metadata={"description": "in effect"})
    history = fields.Nested(HistorySettings, required=True)


REQUEST_EXAMPLE = {"mentee": "E02", "mentor": "M04"}
SETTINGS_EXAMPLE = {
    "request_expiry_hours": 72,
    "history": {"mode": "avoid", "runs": ["run_3f9a0b1c2d3e4f5061728394"]},
}
REQUEST_OUT_EXAMPLE = {
    "id": "req_5d1e0c3b2a4f697887a6b5c4",
    "cohort_id": "coh_1a2b3c4d5e6f708192a3b4c5",
    "mentee_id": "E02",
    "mentor_id": "M04",
    "status": "pending",
    "origin": "mentee",
    "follows_id": None,
    "created_at": "2026-11-30T09:00:00+00:00",
    "expires_at": "2026-12-07T09:00:00+00:00",
    "decided_at": None,
}
DECISION_EXAMPLE = {
    "request": {
        **REQUEST_OUT_EXAMPLE,
        "status": "declined",
        "decided_at": "2026-12-01T10:00:00+00:00",
    },
    "next_request": {
        **REQUEST_OUT_EXAMPLE,
        "id": "req_6e2f1d4c3b5a7089a8b7c6d5",
        "mentor_id": "M01",
        "origin": "next_suggestion",
        "follows_id": "req_5d1e0c3b2a4f697887a6b5c4",
        "created_at": "2026-12-01T10:00:00+00:00",
        "expires_at": "2026-12-08T10:00:00+00:00",
    },
}
SETTINGS_OUT_EXAMPLE = {"cohort_id": "coh_1a2b3c4d5e6f708192a3b4c5", **SETTINGS_EXAMPLE}
