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
