"""Request and response shapes of the answer jobs (prices, alternatives, attrition).

The ``answer`` of a succeeded job is the document ``mentormatch prices|alternatives|
attrition --json`` prints (:mod:`matcher.answers.questions`); alternatives add each
alternative's pairs.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from api.schema_base import RUN_STATUSES, UtcDateTime
from api.schemas import ProblemSchema


class PricesIn(Schema):
    top = fields.Integer(
        load_default=10,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "mentors whose one more place is re-solved", "example": 10},
    )
    hints = fields.Integer(
        load_default=3,
        validate=validate.Range(min=0, max=10),
        metadata={"description": "recruiting simulations", "example": 3},
    )


class Within(fields.Field):
    """A distance: a fraction (0.01) or a percentage ("1%")."""

    def _deserialize(self, value, attr, data, **kwargs):
        from matcher.answers.alternatives import parse_within

        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError('expected a fraction (0.01) or a percentage ("1%")')
        found = parse_within(value)
        if not isinstance(found, float):
            raise ValidationError(found.message)
        return found


class AlternativesIn(Schema):
    k = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=10),
        metadata={"description": "how many alternatives", "example": 3},
    )
    within = Within(
        load_default=0.01,
        metadata={
            "description": 'distance from the optimum: a fraction or a percentage ("1%")',
            "example": "1%",
            "oneOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?%?$"},
            ],
        },
    )


class AttritionIn(Schema):
    top = fields.Integer(
        load_default=10,
        allow_none=True,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "busiest mentors to rematch without; null: every mentor"},
    )
    move_cost = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "score one moved pair costs in the rematches"},
    )


class AnswerJobLinks(Schema):
    self = fields.String(required=True)
    run = fields.String(allow_none=True, metadata={"description": "the run asked about"})
    cancel = fields.String(required=True)


PRICES_EXAMPLE = {
    "optimum": {"places": 307, "score": 216.419583},
    "rules": [
        {
            "rule": "language",
            "words": "the shared-language rule",
            "switched_on": True,
            "pairs_removed": 2416,
            "pairs_only": 2015,
            "optimum_without": {"places": 307, "score": 219.509167, "certified": True},
            "cost": {"places": 0, "score": 3.089583},
        }
    ],
    "places": [{"mentor_id": "M00016", "load": 1, "capacity": 1, "gain": {"places": 1}}],
    "recruiting": [{"skill": "sql", "mentors": 5, "text": "5 more mentor(s) teaching sql ..."}],
}


class AnswerJobOut(Schema):
    id = fields.String(required=True, metadata={"example": "run_01HZX..."})
    question = fields.String(
        required=True, validate=validate.OneOf(("prices", "alternatives", "attrition"))
    )
    run_id = fields.String(allow_none=True, metadata={"description": "the run asked about"})
    cohort_id = fields.String(required=True)
    params = fields.Dict(required=True, metadata={"example": {"top": 10, "hints": 3}})
    status = fields.String(required=True, validate=validate.OneOf(RUN_STATUSES))
    attempt = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    error = fields.Nested(ProblemSchema, allow_none=True)
    answer = fields.Dict(
        allow_none=True,
        metadata={
            "description": "once succeeded: the CLI's --json document for the question",
            "example": PRICES_EXAMPLE,
        },
    )
    links = fields.Nested(AnswerJobLinks, required=True)
