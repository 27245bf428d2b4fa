"""Request and response shapes of the HR-data routes: audit log, erasures, exports."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schema_base import UtcDateTime
from api.schemas import PageArgs, _page_schema

_ID = validate.Length(min=1, max=200)
_EMAIL = validate.Length(min=3, max=320)


class AuditArgs(PageArgs):
    """Filters of the audit log (all optional; ``action`` matches a prefix)."""

    since = UtcDateTime(metadata={"description": "entries at or after (ISO 8601)"})
    until = UtcDateTime(metadata={"description": "entries before (ISO 8601)"})
    action = fields.String(validate=validate.Length(min=1, max=100))
    actor = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "key:<prefix>, user:<id>, cli or system"},
    )
    object_type = fields.String(validate=validate.Length(min=1, max=40))
    object_id = fields.String(validate=validate.Length(min=1, max=200))


class AuditEntryOut(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


AuditPage = _page_schema("AuditPage", AuditEntryOut)


class PersonRef(Schema):
    """One person: the organization's id for them, or the email a web import stored."""

    email = fields.String(validate=_EMAIL)
    person_id = fields.String(validate=_ID, metadata={"example": "E021"})

    @validates_schema
    def _one(self, data, **_):
        if ("email" in data) == ("person_id" in data):
            raise ValidationError("give exactly one of email and person_id", "_schema")


class ErasureOut(Schema):
    erasure_id = fields.String(required=True)
    found = fields.Boolean(
        required=True, metadata={"description": "whether anything was stored about them"}
    )
    rows = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "rows deleted, or documents edited (table.column), per table"},
    )
    cohorts = fields.List(fields.String(), required=True)
    runs_edited = fields.List(fields.String(), required=True)


class ExportOut(Schema):
    export_id = fields.String(required=True)
    ids = fields.List(fields.String(), required=True)
    cohorts = fields.List(fields.Dict(), required=True)


class OrganizationDeletion(Schema):
    """The confirmation of an organization's deletion: its name, exactly as stored."""

    confirm = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "the name of the key's organization, exactly; anything else "
            "deletes nothing (422 confirmation-mismatch)",
            "example": "Acme Mentoring",
        },
    )


class OrganizationDeleted(Schema):
    organization = fields.String(required=True, metadata={"description": "its name"})
    rows = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "rows deleted: cohorts, participants, runs, audit_log"},
    )
