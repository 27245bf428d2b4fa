"""Request and response shapes of what-if scenarios and rematches (see :mod:`api.schemas`).

As there, input schemas check shape only and let unknown keys through: the core
(:func:`matcher.whatif.changes.parse_changes`, :func:`matcher.whatif.scenarios.scenarios_from_data`)
names every problem with its key path and the closest known key or id.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.policy_schemas import PolicyIn
from api.schemas import RUN_STATUSES, Open, ParticipantIn, UtcDateTime
from matcher.whatif.compare import Change

SCENARIO_STATUSES = ("queued", "running", "succeeded", "failed")


# --------------------------------------------------------------------------- input


def _pairs(description: str, **options) -> fields.List:
    pair = fields.List(fields.String(), validate=validate.Length(equal=2))
    return fields.List(pair, metadata={"description": description}, **options)


def _counts(description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": description}
    )


class CapacityIn(Open):
    all = fields.Integer(metadata={"description": "every mentor who takes part (capacity > 0)"})
    departments = _counts("department -> capacity of its mentors")
    mentors = _counts("mentor id -> capacity (0: sits this round out)")
    mentees = _counts("mentee id -> how many mentors the mentee wants")


class ChangesIn(Open):
    """A change set over a base cohort and policy; every key optional. Order of application:
    removals, additions, capacities, policy sections, then pinned/forbidden/broken pairs."""

    name = fields.String(metadata={"description": "a label (a scenario's variant name)"})
    description = fields.String()
    policy = fields.Nested(PolicyIn, metadata={"description": "sections over the base policy"})
    capacity = fields.Nested(CapacityIn)
    remove_mentors = fields.List(fields.String(), metadata={"description": "ids who leave"})
    remove_mentees = fields.List(fields.String(), metadata={"description": "ids who leave"})
    add = fields.List(fields.Nested(ParticipantIn), metadata={"description": "people joining"})
    pin = _pairs("[mentee_id, mentor_id] pairs always to make")
    forbid = _pairs("[mentee_id, mentor_id] pairs never to make")
    break_ = _pairs("[mentee_id, mentor_id] pairs that broke up: never re-paired", data_key="break")


class ScenariosIn(Open):
    """A what-if comparison: the base policy (over the cohort's program preset, as for a
    run), named change sets and/or sweeps. Each variant is solved as a run, and so is the
    baseline (the cohort under the base policy)."""

    policy = fields.Nested(PolicyIn, metadata={"description": "the base policy"})
    scenarios = fields.List(
        fields.Nested(ChangesIn), metadata={"description": "variants: change sets, each named"}
    )
    vary = fields.Dict(
        keys=fields.String(),
        values=fields.List(
            fields.Raw(metadata={"oneOf": [{"type": t} for t in ("number", "string", "boolean")]}),
            validate=validate.Length(min=1),
        ),
        metadata={
            "description": "sweeps: key -> values, one variant per value (per combination "
            "for several keys, the first varying slowest). Keys: capacity.all, "
            "capacity.mentors.ID, capacity.mentees.ID, capacity.departments.NAME, or a "
            "policy key such as weights.skills. Problems in a swept variant are keyed "
            "vary[j], j its place in that order.",
            "example": {"capacity.all": [1, 2, 3]},
        },
    )


class RematchIn(Open):
    """Changes since the run, and how to weigh a moved pair."""

    changes = fields.Nested(ChangesIn, metadata={"description": "what changed since the run"})
    move_cost = fields.Float(
        allow_none=True,
        metadata={
            "description": "null: keep as many pairs as possible (after matching as many "
            "places as possible); a number >= 0: the score one moved pair costs",
            "minimum": 0,
        },
    )


# --------------------------------------------------------------------------- output


class MoveOut(Schema):
    """A previous pair that changed in a rematch, or a mentee newly matched, and why."""

    mentee_id = fields.String(required=True)
    from_mentor = fields.String(allow_none=True, required=True)
    to_mentor = fields.String(allow_none=True, required=True)
    reason = fields.String(required=True)
    score_before = fields.Float(allow_none=True, required=True)
    score_after = fields.Float(allow_none=True, required=True)


class SummaryOut(Schema):
    """The figures of one result."""

    status = fields.String(required=True)
    solver = fields.String(required=True)
    mentees = fields.Integer(required=True)
    mentors = fields.Integer(required=True)
    wanted_places = fields.Integer(required=True)
    matched_places = fields.Integer(required=True)
    matched_mentees = fields.Integer(required=True)
    unmatched_mentees = fields.Integer(required=True)
    total_score = fields.Float(required=True)
    mean_score = fields.Float(allow_none=True, required=True)
    min_score = fields.Float(allow_none=True, required=True)
    p10_score = fields.Float(allow_none=True, required=True)
    median_score = fields.Float(allow_none=True, required=True)
    p90_score = fields.Float(allow_none=True, required=True)
    mentors_used = fields.Integer(required=True)
    load_min = fields.Integer(required=True)
    load_max = fields.Integer(required=True)
    load_std = fields.Float(allow_none=True, required=True)
    skill_coverage = fields.Float(allow_none=True, required=True)
    certified = fields.Boolean(required=True)


class TradeOffRowOut(Schema):
    """One row of the trade-off table (the baseline first)."""

    name = fields.String(required=True)
    params = fields.Dict(required=True, metadata={"description": "swept key -> value"})
    status = fields.String(required=True)
    matched_places = fields.Integer(required=True)
    wanted_places = fields.Integer(required=True)
    unmatched_mentees = fields.Integer(required=True)
    total_score = fields.Float(required=True)
    mean_score = fields.Float(allow_none=True, required=True)
    min_score = fields.Float(allow_none=True, required=True)
    p10_score = fields.Float(allow_none=True, required=True)
    median_score = fields.Float(allow_none=True, required=True)
    load_max = fields.Integer(required=True)
    load_std = fields.Float(allow_none=True, required=True)
    skill_coverage = fields.Float(allow_none=True, required=True)
    pairs_kept = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    newly_matched = fields.Integer(required=True)
    newly_unmatched = fields.Integer(required=True)


class PersonChangeOut(Schema):
    """A mentee whose mentors changed between the baseline and the variant."""

    mentee_id = fields.String(required=True)
    change = fields.String(required=True, validate=validate.OneOf([c.value for c in Change]))
    before = fields.List(fields.String(), required=True, metadata={"description": "mentor ids"})
    after = fields.List(fields.String(), required=True, metadata={"description": "mentor ids"})
    score_before = fields.Float(allow_none=True, required=True)
    score_after = fields.Float(allow_none=True, required=True)
    delta = fields.Float(allow_none=True, required=True)
    reason = fields.String(required=True)


class ComparisonOut(Schema):
    """One variant against the baseline: figures, deltas, pair and people counts, people."""

    name = fields.String(required=True)
    params = fields.Dict(required=True)
    baseline = fields.Nested(SummaryOut, required=True)
    variant = fields.Nested(SummaryOut, required=True)
    delta = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)
    pairs = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    people = fields.List(
        fields.Nested(PersonChangeOut),
        required=True,
        metadata={
            "description": "the mentees who moved, were newly matched or unmatched, lost or "
            "gained a mentor, or left, with their score deltas; mentees whose mentors did "
            "not change are counted in counts but not listed"
        },
    )


class ScenarioResultOut(Schema):
    table = fields.List(fields.Nested(TradeOffRowOut), required=True)
    comparisons = fields.List(fields.Nested(ComparisonOut), required=True)


class ScenarioRunOut(Schema):
    variant = fields.String(required=True, metadata={"description": "baseline, or its name"})
    run_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(RUN_STATUSES))
    solver_status = fields.String(allow_none=True, required=True)
    link = fields.String(required=True)


class ScenarioLinks(Schema):
    self = fields.String(required=True)
    cohort = fields.String(required=True)
    cancel = fields.String(required=True)


class ScenarioOut(Schema):
    id = fields.String(required=True)
    cohort_id = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(SCENARIO_STATUSES),
        metadata={
            "description": "queued (every run queued), running, succeeded (every run), "
            "failed (every run finished and one failed or was cancelled)"
        },
    )
    runs = fields.List(fields.Nested(ScenarioRunOut), required=True)
    comparison = fields.Nested(
        ScenarioResultOut,
        allow_none=True,
        required=True,
        metadata={"description": "once every run has succeeded; null before"},
    )
    links = fields.Nested(ScenarioLinks, required=True)
