"""Request and response shapes of the answers asked of a run (see :mod:`api.answers`).

The output shapes are the core's ``*_to_dict`` documents (:mod:`matcher.answers`), so the
API prints what ``mentormatch ... --json`` prints.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.scenario_schemas import MoveOut

RECEIPT_EXAMPLE = {
    "format": 2,
    "mentormatch": "0.1.0",
    "versions": {"numpy": "2.1.3", "ortools": "9.11.4210"},
    "cohort_sha256": "5f1c…",
    "policy_sha256": "a93e…",
    "pairs_sha256": "0d7b…",
    "solver": "flow",
    "status": "optimal",
    "certified": True,
    "places": 27,
    "objective": 15.5375,
    "bound": 15.5375,
    "certificate": {
        "scale": 1000000,
        "rounding": "an integer score is round-half-to-even of score * scale",
        "bonus": 27000001,
        "potentials": {"source": 0, "sink": -28000001, "mentees": [-1883333], "mentors": [0]},
    },
    "certificate_note": "node potentials of the min-cost flow in integer units ...",
}


# --------------------------------------------------------------------------- input


class WhyNotArgs(Schema):
    mentee = fields.String(
        required=True, validate=validate.Length(min=1), metadata={"example": "E02"}
    )
    mentor = fields.String(
        required=True, validate=validate.Length(min=1), metadata={"example": "M03"}
    )


class AuditArgs(Schema):
    threshold = fields.Float(
        load_default=0.10,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "how much worse than overall a figure may be (0.10: ten "
            "points) before its group is flagged"
        },
    )
    min_size = fields.Integer(
        load_default=5,
        validate=validate.Range(min=1),
        metadata={"description": "groups with fewer mentees are listed, never flagged"},
    )


class PairIn(Schema):
    mentee_id = fields.String(required=True)
    mentor_id = fields.String(required=True)
    score = fields.Float(required=True, allow_nan=False)


class VerifyIn(Schema):
    """A receipt and the pairs it is said to describe."""

    receipt = fields.Dict(
        required=True,
        metadata={
            "description": "as GET /runs/{id}/receipt or `match --receipt` wrote it",
            "example": RECEIPT_EXAMPLE,
        },
    )
    pairs = fields.List(
        fields.Nested(PairIn),
        required=True,
        metadata={"example": [{"mentee_id": "E02", "mentor_id": "M06", "score": 0.8833}]},
    )


# --------------------------------------------------------------------------- output


class OptimumOut(Schema):
    places = fields.Integer(required=True)
    score = fields.Float(required=True)
    certified = fields.Boolean(required=True)


class CostOut(Schema):
    places = fields.Integer(required=True, metadata={"description": "places lost"})
    score = fields.Float(required=True, metadata={"description": "total score lost"})


class WhyNotOut(Schema):
    """The rules that forbid the pair, in words, or the exact cost of forcing it."""

    mentee = fields.String(required=True, metadata={"example": "E02"})
    mentor = fields.String(required=True, metadata={"example": "M03"})
    allowed = fields.Boolean(required=True)
    rules = fields.List(fields.String(), required=True, metadata={"example": []})
    reasons = fields.List(
        fields.String(),
        required=True,
        metadata={
            "example": [
                "allowed, but forcing it costs no place and 0.5333 of total "
                "score (4 change(s), the pair included)"
            ]
        },
    )
    paired = fields.Boolean(required=True, metadata={"description": "the optimum pairs them"})
    optimum = fields.Nested(OptimumOut, required=True)
    optimum_with_pair = fields.Nested(OptimumOut, required=True, allow_none=True)
    cost = fields.Nested(CostOut, required=True, allow_none=True)
    moves = fields.List(fields.Nested(MoveOut), required=True)


class FiguresOut(Schema):
    mentees = fields.Integer(required=True)
    wanted = fields.Integer(required=True)
    matched = fields.Integer(required=True)
    unmatched = fields.Integer(required=True)
    mean_score = fields.Float(required=True, allow_none=True)
    coverage = fields.Float(required=True, allow_none=True)
    unmatched_rate = fields.Float(required=True, allow_none=True)


class GroupAuditOut(Schema):
    dimension = fields.String(required=True, metadata={"example": "department"})
    group = fields.String(required=True, metadata={"example": "sales"})
    figures = fields.Nested(FiguresOut, required=True)
    flags = fields.List(
        fields.String(),
        required=True,
        metadata={"example": ["coverage 12.5 points below overall"]},
    )


class AuditOut(Schema):
    """Score, coverage and unmatched rate by group, with the gaps flagged."""

    overall = fields.Nested(FiguresOut, required=True)
    groups = fields.List(fields.Nested(GroupAuditOut), required=True)
    threshold = fields.Float(required=True)
    min_size = fields.Integer(required=True)
    skipped = fields.List(fields.String(), required=True)
    flagged = fields.Integer(required=True, metadata={"description": "groups flagged"})


class ReceiptOut(Schema):
    """Digests of what the result was made from, and what it claims."""

    format = fields.Integer(required=True)
    mentormatch = fields.String(required=True)
    versions = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    cohort_sha256 = fields.String(required=True)
    policy_sha256 = fields.String(required=True)
    pairs_sha256 = fields.String(required=True)
    solver = fields.String(required=True)
    status = fields.String(required=True)
    certified = fields.Boolean(required=True)
    places = fields.Integer(required=True)
    objective = fields.Float(required=True)
    bound = fields.Float(required=True, allow_none=True)
    certificate = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the optimality certificate: node potentials of the min-cost flow "
            "(source, sink, mentees and mentors in cohort order), the bonus per place and the "
            "scale, in the solver's integer units; null with side rules (minimum loads, "
            "department cap) or another objective, certificate_note says why"
        },
    )
    certificate_note = fields.String()


class VerifyOut(Schema):
    verified = fields.Boolean(required=True)
    findings = fields.List(
        fields.String(),
        required=True,
        metadata={"example": ["the pairs differ from the receipt's pairs (pairs digest differs)"]},
    )
