"""The policy a run is started with, as the JSON API takes it: the sections of a policy
file (every key optional, applied over a preset), validated again by the core's
:func:`matcher.io.policy.policy_from_dict`, which names unknown keys precisely."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schema_base import PROGRAMS, Open


def _pairs(description: str) -> fields.List:
    pair = fields.List(fields.String(), validate=validate.Length(equal=2))
    return fields.List(pair, metadata={"description": description})


class WeightsIn(Open):
    skills = fields.Float()
    goals = fields.Float()
    seniority = fields.Float()
    timezone = fields.Float()
    language = fields.Float()
    location = fields.Float()
    department = fields.Float()
    preference = fields.Float()
    external = fields.Float()


class SeniorityIn(Open):
    min_gap = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    max_gap = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    ideal_gap = fields.Integer()
    tolerance = fields.Integer()


class RulesIn(Open):
    forbidden_pairs = _pairs("[mentee_id, mentor_id] pairs never to make")
    pinned_pairs = _pairs("[mentee_id, mentor_id] pairs always to make")
    honour_exclude = fields.Boolean()
    no_reporting_chain = fields.Boolean()
    require_shared_language = fields.Boolean()
    max_timezone_diff_hours = fields.Float(allow_none=True)
    department = fields.String(validate=validate.OneOf(("any", "same", "different")))
    max_per_department = fields.Integer(allow_none=True)


class PreferencesIn(Open):
    department = fields.String(validate=validate.OneOf(("any", "same", "different")))


class TagsIn(Open):
    aliases = fields.Dict(keys=fields.String(), values=fields.String())
    related_skills = fields.List(
        fields.List(fields.Raw(), validate=validate.Length(equal=3)),
        metadata={"description": "[skill, related_skill, credit in (0, 1]]"},
    )


class SolverIn(Open):
    objective = fields.String(validate=validate.OneOf(("total", "fair", "stable", "group-fair")))
    by = fields.String(
        metadata={
            "description": 'with objective "group-fair": the groups whose worst mean score is '
            "maximised (department, location, seniority or a custom attribute)"
        }
    )
    solver = fields.String(validate=validate.OneOf(("auto", "flow", "cpsat")))
    proposer = fields.String(validate=validate.OneOf(("mentee", "mentor")))
    time_limit_seconds = fields.Float()
    seed = fields.Integer()
    scores_only = fields.Boolean()


class AttributeRuleIn(Open):
    """A rule over one of the programme's own questions (a cohort's custom attribute)."""

    attribute = fields.String(
        required=True, metadata={"description": "the mentees' question", "example": "hobbies"}
    )
    rule = fields.String(
        required=True,
        validate=validate.OneOf(
            ("same", "different", "overlap", "closeness", "similar", "must_match", "must_differ")
        ),
    )
    weight = fields.Float(metadata={"description": "soft rules: weight beside the others (1)"})
    mentor_attribute = fields.String(
        metadata={"description": "the mentors' question when it differs (can_help_with)"}
    )
    within = fields.Float(metadata={"description": "closeness: 0 credit at this distance"})


class HistoryIn(Open):
    mode = fields.String(validate=validate.OneOf(("ignore", "avoid", "prefer")))
    bonus = fields.Float(metadata={"description": "prefer: added to an earlier pair's score"})
    runs = fields.List(
        fields.String(),
        metadata={
            "description": "earlier succeeded runs whose pairs are the history (any cohort "
            "of your organization); without a history section the cohort's settings apply"
        },
    )
    previous_pairs = _pairs("[mentee_id, mentor_id] pairs of earlier cycles")


class PolicyIn(Open):
    """A policy: every key optional, applied over the preset named by ``program`` (else the
    cohort's program). The same structure as the CLI's JSON policy files."""

    program = fields.String(validate=validate.OneOf(PROGRAMS))
    weights = fields.Nested(WeightsIn)
    seniority = fields.Nested(SeniorityIn)
    rules = fields.Nested(RulesIn)
    preferences = fields.Nested(PreferencesIn)
    tags = fields.Nested(TagsIn)
    solver = fields.Nested(SolverIn)
    attributes = fields.List(fields.Nested(AttributeRuleIn))
    history = fields.Nested(HistoryIn)
