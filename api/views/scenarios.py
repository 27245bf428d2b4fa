"""Scenarios: queue a what-if comparison of a cohort (202 + Location), read it, cancel it,
promote one variant to the cohort's draft."""

from __future__ import annotations

from api import decisions
from api import scenario_schemas as schemas
from api.cohort_input import json_body
from api.db import transaction
from api.decision_schemas import PromoteIn
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.jobs.lifecycle import request_cancel
from api.operations import owned, present_run
from api.schemas import RunOut
from api.services import services
from api.tables import Cohort, Scenario
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected
from api.whatif import (
    plan_scenario,
    present_scenario,
    queue_scenario,
    scenario_runs,
    settle_comparison,
)

blp = protected(Blueprint("scenarios", __name__, url_prefix="/api/v1"))
LOCATION = {"Location": {"schema": {"type": "string"}}}


@blp.route("/cohorts/<cohort_id>/scenarios", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.ScenariosIn)
@blp.response(202, schemas.ScenarioOut, headers=LOCATION)
@problems(blp, 400, 401, 404, 409, 415, 429)
def start_scenario(_, cohort_id):
    """Queue a what-if comparison: the baseline and each variant, one run each.

    Every variant is checked before anything is stored (422 lists every problem). The
    runs count against the organization's limit of queued or running runs (429). Accepted
    mentor requests are pinned in the baseline and every variant, as in runs.
    """
    settings = services().settings
    with services().sessions() as session:
        plan = plan_scenario(session, owned(session, Cohort, cohort_id), json_body(), settings)
    with transaction(services().sessions) as session:
        scenario, runs = queue_scenario(session, owned(session, Cohort, cohort_id), plan, settings)
        body = present_scenario(session, scenario)
    services().hand_off([run.id for run in runs])
    return body, 202, {"Location": body["links"]["self"]}


@blp.route("/scenarios/<scenario_id>", methods=["GET"])
@blp.response(200, schemas.ScenarioOut)
@problems(blp, 401, 404)
def get_scenario(scenario_id):
    """Status, runs and, once every run has succeeded, the trade-off table and who moves.

    The comparison is computed once, when the last run finishes, and stored.

    Each comparison lists the mentees whose mentors changed (moved, newly matched, newly
    unmatched, lost or gained a mentor, left) with their score deltas; mentees whose
    mentors did not change are only counted.
    """
    sessions = services().sessions
    with sessions() as session:
        owned(session, Scenario, scenario_id)
    settle_comparison(sessions, scenario_id)  # once: normally the worker did it
    with sessions() as session:
        body = present_scenario(session, owned(session, Scenario, scenario_id))
    if body["status"] == "succeeded" and body["comparison"] is None:
        # The last run finished between the two reads, its worker not yet done comparing.
        body["comparison"] = settle_comparison(sessions, scenario_id)
    return body


@blp.route("/scenarios/<scenario_id>/cancel", methods=["POST"])
@blp.response(200, schemas.ScenarioOut)
@problems(blp, 401, 404)
def cancel_scenario(scenario_id):
    """Cancel every run of the scenario that has not finished (running ones at their next
    stage); finished runs are left as they are."""
    with transaction(services().sessions) as session:
        scenario = owned(session, Scenario, scenario_id)
        for run in scenario_runs(session, scenario):
            request_cancel(session, run)
        return present_scenario(session, scenario)


@blp.route("/scenarios/<scenario_id>/promote", methods=["POST"])
@json_only
@blp.arguments(PromoteIn, example={"variant": "mentors take 3"})
@blp.response(200, RunOut)
@problems(blp, 400, 401, 404, 415, 422)
def promote_variant(data, scenario_id):
    """Make one variant's run the cohort's draft.

    Decisions, the re-solve and publishing (``/cohorts/{id}/draft``,
    ``/runs/{id}/decisions``, ...) then start from its pairs, until a later run outside
    scenarios succeeds or another variant is promoted. 422 when the scenario has no such
    variant or its run has not succeeded. Returns the run.
    """
    with transaction(services().sessions) as session:
        scenario = owned(session, Scenario, scenario_id)
        try:
            run = decisions.promote(session, scenario, data["variant"], None)
        except decisions.DecisionRefused as error:
            kind = "promotion-refused"
            raise ApiProblem(422, "promotion refused", str(error), kind=kind) from None
        return present_run(run)
