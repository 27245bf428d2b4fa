"""What ``GET /api/v1/keys`` answers: a key's prefix and state, never its secret or hash."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.keys import SCOPES
from api.schema_base import UtcDateTime

KEY_STATES = ("live", "expired", "revoked")


class KeyOut(Schema):
    prefix = fields.String(
        required=True, metadata={"description": "the 8 hex digits after mm_ in the key"}
    )
    label = fields.String(allow_none=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True)
    state = fields.String(required=True, validate=validate.OneOf(KEY_STATES))
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(
        allow_none=True, metadata={"description": "recorded at most once a minute"}
    )
    replaced_by = fields.String(
        allow_none=True, metadata={"description": "the prefix of the key this one rotated to"}
    )


class KeyList(Schema):
    items = fields.List(fields.Nested(KeyOut), required=True)
