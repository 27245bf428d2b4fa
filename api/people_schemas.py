"""Request and response shapes of people sync and suggestions (see :mod:`api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.people import STATUSES
from api.schemas import ParticipantIn, RunOut

SYNC_EXAMPLE = {
    "people": [
        {
            "employee_id": "E21",
            "role": "mentee",
            "supervisor_id": "M07",
            "seniority": 2,
            "skills": "python; sql",
            "status": "active",
        },
        {"employee_id": "M03", "status": "leaver"},
    ],
    "rematch": True,
}
SYNC_OUT_EXAMPLE = {
    "cohort_id": "coh_1a2b3c4d5e6f708192a3b4c5",
    "version": 3,
    "added": ["E21"],
    "updated": [],
    "unchanged": [],
    "left": ["M03"],
    "unlinked": [{"id": "E05", "prefer": ["M03"]}],
    "rematch_run": None,
}


class SyncPersonIn(ParticipantIn):
    """A participant as an HR system sends it: the cohort sheet's fields, and HRIS names."""

    employee_id = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "read as id"}
    )
    supervisor_id = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "read as manager_id"}
    )
    status = fields.Raw(
        allow_none=True,
        metadata={
            "type": "string",
            "enum": list(STATUSES),
            "description": "active (default): add or update; leaver: leaves the cohort",
        },
    )


class SyncIn(Schema):
    people = fields.List(
        fields.Nested(SyncPersonIn), required=True, validate=validate.Length(min=1)
    )
    rematch = fields.Boolean(
        load_default=False,
        metadata={
            "description": "when someone leaves: queue a minimal-disruption rematch of the "
            "cohort's latest succeeded match or rematch run (409 when it has none)"
        },
    )
    move_cost = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0),
        metadata={"description": "the rematch's trade (see POST /runs/{id}/rematch)"},
    )


class PutPersonIn(SyncPersonIn):
    rematch = fields.Boolean(load_default=False)
    move_cost = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=0))


class UnlinkedOut(Schema):
    id = fields.String(required=True)
    prefer = fields.List(fields.String())
    exclude = fields.List(fields.String())


class SyncOut(Schema):
    """What a sync changed, by person id, and the rematch it queued."""

    cohort_id = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "the roster version now"})
    added = fields.List(fields.String(), required=True)
    updated = fields.List(fields.String(), required=True)
    unchanged = fields.List(fields.String(), required=True)
    left = fields.List(fields.String(), required=True)
    unlinked = fields.List(
        fields.Nested(UnlinkedOut),
        required=True,
        metadata={"description": "stored people whose prefer/exclude named a leaver"},
    )
    rematch_run = fields.Nested(RunOut, allow_none=True, required=True)


class SuggestionArgs(Schema):
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))


class SuggestionOut(Schema):
    mentor_id = fields.String(required=True)
    score = fields.Float(required=True)
    components = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    room = fields.Integer(required=True, metadata={"description": "places the mentor has left"})
    explanation = fields.String(required=True)


class SuggestionsOut(Schema):
    cohort_id = fields.String(required=True)
    mentee_id = fields.String(required=True)
    policy_run_id = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "the run whose policy and loads count; null: the preset"},
    )
    eligible_with_room = fields.Integer(required=True)
    items = fields.List(fields.Nested(SuggestionOut), required=True)


SUGGESTIONS_EXAMPLE = {
    "cohort_id": "coh_1a2b3c4d5e6f708192a3b4c5",
    "mentee_id": "E02",
    "policy_run_id": "run_3f9a0b1c2d3e4f5061728394",
    "eligible_with_room": 7,
    "items": [
        {
            "mentor_id": "M04",
            "score": 0.812,
            "components": {"skills": 0.9, "goals": 0.5, "seniority": 1.0},
            "room": 1,
            "explanation": "skills 0.90 (python, sql), seniority gap 2 (ideal 2), goals 0.50",
        }
    ],
}
