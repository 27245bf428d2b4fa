"""Every request and response shape of the HTTP API, declared once with marshmallow.

The OpenAPI document is generated from these classes, and the same classes validate query
strings and JSON bodies (through flask-smorest/webargs). They check *shape* only: types,
required keys, enumerations. The rules about content (a valid cohort, a valid policy) stay
in the core (:mod:`matcher.io.records`, :mod:`matcher.io.policy`), which reports every problem
with its row, column and key path; so input schemas let unknown keys through for the core
to name (with the closest known key), and record fields are typed in the documentation
but checked by the core.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.people_shape import PeopleField
from api.policy_schemas import PolicyIn
from api.schema_base import PROGRAMS, RUN_STATUSES, Open, UtcDateTime

_TAGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_INT = {"oneOf": [{"type": "integer"}, {"type": "string"}]}
_SKILLS = {
    "oneOf": [
        {"type": "string", "description": "`python:4; sql` as in the CSV column"},
        {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "level": {"type": "integer", "nullable": True},
                        },
                    },
                ]
            },
        },
    ]
}


# --------------------------------------------------------------------------- errors


class ProblemItemSchema(Schema):
    source = fields.String(allow_none=True, metadata={"description": "which input or section"})
    line = fields.Integer(allow_none=True, metadata={"description": "1-based line (CSV)"})
    row = fields.Integer(allow_none=True, metadata={"description": "0-based record index"})
    column = fields.String(allow_none=True, metadata={"description": "column or key path"})
    value = fields.String(allow_none=True, metadata={"description": "the value as given"})
    message = fields.String(required=True, metadata={"description": "what was expected"})


class ProblemSchema(Open):
    """RFC 9457 problem details; extension members (``run_status``, ``limit``...) vary."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    request_id = fields.String()
    errors = fields.List(fields.Nested(ProblemItemSchema))
    total_errors = fields.Integer()


# --------------------------------------------------------------------------- pages


class PageArgs(Schema):
    """Query string of every list route; ``per_page`` above the server cap is lowered."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**9))
    per_page = fields.Integer(validate=validate.Range(min=1, max=10**9))


def _page_schema(name: str, item: type[Schema]) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=name,
    )


# --------------------------------------------------------------------------- cohorts


class ParticipantIn(Open):
    """One person, with the cohort CSV's columns (strings as in a cell, or typed JSON)."""

    id = fields.Raw(allow_none=True, metadata={"type": "string", "example": "E001"})
    role = fields.Raw(allow_none=True, metadata={"type": "string", "enum": ["mentor", "mentee"]})
    name = fields.Raw(allow_none=True, metadata={"type": "string", "description": "not stored"})
    email = fields.Raw(allow_none=True, metadata={"type": "string", "description": "not stored"})
    seniority = fields.Raw(allow_none=True, metadata=_INT)
    skills = fields.Raw(allow_none=True, metadata=_SKILLS)
    goals = fields.Raw(allow_none=True, metadata=_TAGS)
    capacity = fields.Raw(allow_none=True, metadata=_INT)
    min_capacity = fields.Raw(allow_none=True, metadata=_INT)
    department = fields.Raw(allow_none=True, metadata={"type": "string"})
    location = fields.Raw(allow_none=True, metadata={"type": "string"})
    timezone = fields.Raw(allow_none=True, metadata={"type": "string", "example": "Europe/Paris"})
    languages = fields.Raw(allow_none=True, metadata=_TAGS)
    manager_id = fields.Raw(allow_none=True, metadata={"type": "string"})
    exclude = fields.Raw(allow_none=True, metadata=_TAGS)
    prefer = fields.Raw(allow_none=True, metadata=_TAGS)


class PeopleIn(Open):
    """People as one list with roles, or as ``mentors`` and ``mentees`` lists."""

    participants = fields.List(fields.Nested(ParticipantIn))
    mentors = fields.List(fields.Nested(ParticipantIn))
    mentees = fields.List(fields.Nested(ParticipantIn))
    org_chart = fields.List(
        fields.List(fields.String(), validate=validate.Length(equal=2)),
        metadata={"description": "extra [person_id, manager_id] edges"},
    )


class CohortIn(PeopleIn):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    program = fields.String(required=True, validate=validate.OneOf(PROGRAMS))


class CohortQuery(Schema):
    """``name`` and ``program`` of a cohort sent as a sheet body; the mapping template a
    sheet is read through."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    program = fields.String(validate=validate.OneOf(PROGRAMS))
    mapping = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "a saved mapping template's name (GET /mappings)"},
    )


class CohortOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    program = fields.String(required=True)
    mentors = fields.Integer(required=True, attribute="n_mentors")
    mentees = fields.Integer(required=True, attribute="n_mentees")
    org_chart_edges = fields.Function(
        lambda row: len(row.org_chart or ()), required=True, metadata={"type": "integer"}
    )
    created_at = UtcDateTime(required=True)


class SkillOut(Schema):
    name = fields.String(required=True)
    level = fields.Integer(allow_none=True)


class ParticipantOut(Schema):
    """A stored participant: only the fields the matcher uses (no name, no email)."""

    id = fields.String(required=True)
    role = fields.String(required=True)
    seniority = fields.Integer(allow_none=True)
    skills = fields.List(fields.Nested(SkillOut))
    goals = fields.List(fields.String())
    capacity = fields.Integer()
    min_capacity = fields.Integer(allow_none=True)
    department = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    manager_id = fields.String(allow_none=True)
    exclude = fields.List(fields.String())
    prefer = fields.List(fields.String())


CohortPage = _page_schema("CohortPage", CohortOut)
ParticipantPage = _page_schema("ParticipantPage", ParticipantOut)


# --------------------------------------------------------------------------- results


class PairOut(Schema):
    mentee_id = fields.String(required=True)
    mentor_id = fields.String(required=True)
    score = fields.Float(required=True)
    components = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    pinned = fields.Boolean(required=True)
    explanation = fields.String(required=True)


class UnmatchedOut(Schema):
    mentee_id = fields.String(required=True)
    missing = fields.Integer(required=True, metadata={"description": "wanted places unfilled"})
    reasons = fields.List(fields.String(), required=True)


class AlternateOut(Schema):
    mentee_id = fields.String(required=True)
    mentor_id = fields.String(required=True)
    score = fields.Float(required=True)
    why_not = fields.String(required=True)


class MenteeResultOut(Schema):
    """One mentee's pairs (with score breakdowns and explanations), gaps and alternates."""

    mentee_id = fields.String(required=True)
    pairs = fields.List(fields.Nested(PairOut), required=True)
    unmatched = fields.Nested(UnmatchedOut, allow_none=True, required=True)
    alternates = fields.List(fields.Nested(AlternateOut), required=True)


AssignmentPage = _page_schema("AssignmentPage", PairOut)
UnmatchedPage = _page_schema("UnmatchedPage", UnmatchedOut)


class RunLinks(Schema):
    self = fields.String(required=True)
    cohort = fields.String(required=True)
    cancel = fields.String(required=True)
    assignments = fields.String(required=True)
    unmatched = fields.String(required=True)


class RunOut(Schema):
    id = fields.String(required=True)
    cohort_id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(RUN_STATUSES))
    attempt = fields.Integer(required=True)
    cancel_requested = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(allow_none=True)
    heartbeat_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    solver = fields.String(allow_none=True)
    solver_status = fields.String(allow_none=True)
    objective = fields.Float(allow_none=True)
    bound = fields.Float(allow_none=True)
    gap = fields.Float(allow_none=True)
    certified = fields.Boolean(allow_none=True)
    metrics = fields.Dict(allow_none=True)
    notes = fields.List(fields.String(), allow_none=True)
    conflicts = fields.List(fields.String(), allow_none=True)
    error = fields.Nested(ProblemSchema, allow_none=True)
    policy = fields.Dict(required=True)
    previous_run_id = fields.String(allow_none=True, metadata={"description": "rematch: of"})
    scenario_id = fields.String(allow_none=True)
    variant = fields.String(allow_none=True, metadata={"description": "scenario: its label"})
    changes = fields.Dict(
        allow_none=True,
        metadata={
            "description": "scenario: the variant's change set; rematch: "
            "{changes: change set, move_cost}"
        },
    )
    moves = fields.List(
        fields.Nested("MoveOut"),  # api.scenario_schemas
        allow_none=True,
        metadata={"description": "rematch: every changed pair, and why"},
    )
    links = fields.Nested(RunLinks, required=True)


RUN_KINDS = ("match", "rematch", "scenario")


class RunListArgs(PageArgs):
    """``GET /cohorts/{id}/runs``: pages, newest first, optionally of some statuses/kinds."""

    status = fields.List(
        fields.String(validate=validate.OneOf(RUN_STATUSES)),
        metadata={"description": "repeat to list several: ?status=queued&status=running"},
    )
    kind = fields.List(fields.String(validate=validate.OneOf(RUN_KINDS)))


RunPage = _page_schema("RunPage", RunOut)


# --------------------------------------------------------------------------- sync match


class MatchIn(Schema):
    # Documented as PeopleIn; its records are checked once, by the core (api.people_shape).
    cohort = PeopleField(PeopleIn, required=True)
    policy = fields.Nested(PolicyIn, load_default=dict)


class MatchOut(Schema):
    solver = fields.String(required=True)
    status = fields.String(required=True)
    objective = fields.Float(required=True)
    bound = fields.Float(allow_none=True)
    gap = fields.Float(allow_none=True)
    certified = fields.Boolean(required=True)
    metrics = fields.Dict(required=True)
    pairs = fields.List(fields.Nested(PairOut), required=True)
    unmatched = fields.List(fields.Nested(UnmatchedOut), required=True)
    alternates = fields.List(fields.Nested(AlternateOut), required=True)
    notes = fields.List(fields.String(), required=True)
    conflicts = fields.List(fields.String(), required=True)


# --------------------------------------------------------------------------- health


class HealthOut(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
