"""People: sync participants of a stored cohort (one person, or a batch with leavers)."""

from __future__ import annotations

from sqlalchemy import select

from api import people_schemas as schemas
from api.cohort_input import json_body, too_many
from api.db import transaction
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.operations import owned, present_run
from api.people import sync
from api.services import services
from api.suggest import suggestions
from api.tables import Cohort
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected

blp = protected(Blueprint("people", __name__, url_prefix="/api/v1/cohorts"))


def _apply(cohort_id: str, batch: list, rematch: bool, move_cost):
    settings = services().settings
    if len(batch) > settings["MAX_PARTICIPANTS"]:
        raise too_many(len(batch), settings["MAX_PARTICIPANTS"], "Send the batch in parts.")
    with transaction(services().sessions) as session:
        owned(session, Cohort, cohort_id)
        cohort = session.scalars(
            select(Cohort).where(Cohort.id == cohort_id).with_for_update()
        ).one()
        outcome, run = sync(session, cohort, batch, rematch, move_cost, settings)
        body = {"cohort_id": cohort_id, **vars(outcome), "rematch_run": run and present_run(run)}
    if run is not None:
        services().hand_off([run.id])
    return body


@blp.route("/<cohort_id>/people", methods=["PATCH"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.SyncIn, example=schemas.SYNC_EXAMPLE)
@blp.response(200, schemas.SyncOut, example=schemas.SYNC_OUT_EXAMPLE)
@problems(blp, 400, 401, 404, 409, 413, 415, 429)
def sync_people(data, cohort_id):
    """Add, update and remove people in one batch; nothing is stored if any record fails.

    Each record has the cohort sheet's fields (``employee_id`` and ``supervisor_id`` are
    read as ``id`` and ``manager_id``) and ``status`` active or leaver. With ``rematch``,
    leavers queue a minimal-disruption rematch run (``rematch_run``) that pins the requests
    accepted since the run it rematches; one a rule now forbids is left out, as the run's
    ``notes`` say.
    """
    batch = json_body()["people"]  # as sent: the core validates every field
    return _apply(cohort_id, batch, data["rematch"], data["move_cost"])


@blp.route("/<cohort_id>/people/<path:person_id>", methods=["PUT"])
@json_only
@blp.arguments(schemas.PutPersonIn)
@blp.response(200, schemas.SyncOut, example=schemas.SYNC_OUT_EXAMPLE)
@problems(blp, 400, 401, 404, 409, 415, 429)
def put_person(data, cohort_id, person_id):
    """Add or update one person (``status`` leaver removes them), as one-record sync."""
    record = {k: v for k, v in json_body().items() if k not in ("rematch", "move_cost")}
    given = record.get("id", record.get("employee_id", person_id))
    if given != person_id:
        raise ApiProblem(
            422,
            "invalid request",
            f"the body names {given!r} but the path {person_id!r}",
            kind="invalid-request",
            errors=[
                {
                    "source": "body",
                    "column": "id",
                    "value": str(given)[:80],
                    "message": "expected the id in the path",
                }
            ],
        )
    record.setdefault("id", person_id)
    return _apply(cohort_id, [record], data["rematch"], data["move_cost"])


@blp.route("/<cohort_id>/people/<path:mentee_id>/suggestions", methods=["GET"])
@blp.arguments(schemas.SuggestionArgs, location="query")
@blp.response(200, schemas.SuggestionsOut, example=schemas.SUGGESTIONS_EXAMPLE)
@problems(blp, 401, 404)
def get_suggestions(args, cohort_id, mentee_id):
    """A mentee's best eligible mentors with room, scored and explained, best first.

    Room is capacity less the other mentees holding a place: those the cohort's latest
    succeeded run gave each mentor, and pending or accepted requests. That run's policy
    scores (before any run: the program's preset with the cohort's pairing history).
    """
    with services().sessions() as session:
        return suggestions(session, owned(session, Cohort, cohort_id), mentee_id, args["limit"])
