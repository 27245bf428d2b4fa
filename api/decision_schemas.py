"""Request and response shapes of the review workflow in the JSON API: a draft, its
decisions, the re-solve and published versions (:mod:`api.views.decisions`)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas import RunOut, UtcDateTime

ACTIONS = ("approve", "decline", "pin", "reassign", "add_place")
ACTION_WORDS = (
    "approve or pin: the next re-solve keeps the pair; decline: the pair is forbidden; "
    "reassign: the mentee moves to to_mentor_id (one of their alternates in this run); "
    "add_place: mentor_id gets one more place, for mentee_id whom the run left unmatched "
    "(the unmatched reasons name the mentor whose one more place would match them)"
)

DECISION_IN_EXAMPLE = {
    "action": "reassign",
    "mentee_id": "E1",
    "mentor_id": "M1",
    "to_mentor_id": "M3",
}
DECISION_EXAMPLE = {
    "id": 41,
    "run_id": "run_7c1e2f3a4b5c6d7e8f901234",
    "cohort_id": "coh_3f2a1b0c9d8e7f6a5b4c3d21",
    "action": "reassign",
    "mentee_id": "E1",
    "mentor_id": "M3",
    "from_mentor_id": "M1",
    "created_at": "2026-11-30T10:15:00Z",
    "applied_run_id": None,
    "said": "E1 will move from M1 to M3 at the next re-solve",
}
VERSION_EXAMPLE = {
    "cohort_id": "coh_3f2a1b0c9d8e7f6a5b4c3d21",
    "run_id": "run_9a8b7c6d5e4f3a2b1c0d9e8f",
    "version": 2,
    "published_at": "2026-11-30T10:20:00Z",
    "published_by": None,
}


class DecisionIn(Schema):
    """A decision on one pair of the run's result."""

    action = fields.String(
        required=True, validate=validate.OneOf(ACTIONS), metadata={"description": ACTION_WORDS}
    )
    mentee_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    mentor_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "the mentee's mentor in this run: the pair decided on "
            "(add_place: the mentor given one more place)"
        },
    )
    to_mentor_id = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "reassign only: the mentor to move the mentee to"},
    )

    @validates_schema
    def _target(self, data, **kwargs):
        if data.get("action") == "reassign" and not data.get("to_mentor_id"):
            raise ValidationError("reassign needs to_mentor_id", "to_mentor_id")
        if data.get("action") != "reassign" and data.get("to_mentor_id"):
            raise ValidationError("only reassign takes to_mentor_id", "to_mentor_id")


class DecisionOut(Schema):
    id = fields.Integer(required=True)
    run_id = fields.String(required=True)
    cohort_id = fields.String(required=True)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    mentee_id = fields.String(required=True)
    mentor_id = fields.String(required=True, metadata={"description": "reassign: the new mentor"})
    from_mentor_id = fields.String(allow_none=True, metadata={"description": "reassign: from"})
    created_at = UtcDateTime(required=True)
    applied_run_id = fields.String(
        allow_none=True, metadata={"description": "the re-solve that applied it; null: pending"}
    )
    said = fields.String(metadata={"description": "what was done, in words (on creation)"})


class DecisionList(Schema):
    items = fields.List(fields.Nested(DecisionOut), required=True)


class VersionOut(Schema):
    cohort_id = fields.String(required=True)
    run_id = fields.String(required=True)
    version = fields.Integer(required=True)
    published_at = UtcDateTime(required=True)
    published_by = fields.String(
        allow_none=True, metadata={"description": "the web user's email; null: the API"}
    )


class VersionList(Schema):
    items = fields.List(fields.Nested(VersionOut), required=True)


class DraftOut(Schema):
    cohort_id = fields.String(required=True)
    run = fields.Nested(
        RunOut,
        allow_none=True,
        required=True,
        metadata={"description": "the latest succeeded run outside scenarios; null: none yet"},
    )
    decisions = fields.List(
        fields.Nested(DecisionOut), required=True, metadata={"description": "made on the run"}
    )
    pending = fields.Integer(
        required=True, metadata={"description": "decisions no re-solve has applied yet"}
    )
    published = fields.Nested(
        VersionOut, allow_none=True, required=True, metadata={"description": "the run's version"}
    )
    versions = fields.List(fields.Nested(VersionOut), required=True)


class PromoteIn(Schema):
    """Which variant of the scenario becomes the cohort's draft."""

    variant = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "a variant's name as the scenario lists its runs (or 'baseline')"},
    )
