"""``POST /match``: a small cohort and a policy in, the explained result inline.

Nothing is stored. Above ``SYNC_MATCH_LIMIT`` participants the answer is 413, pointing to
the asynchronous route (create a cohort, then start a run); while ``MAX_SYNC_SOLVES``
inline solves run, another waits ``SYNC_WAIT_SECONDS`` for a place, then is a 503 with
``Retry-After``.

A body in the documented typed form is decoded straight into records
(:func:`api.match_body.quick_match`); any other is read the general way, by webargs and
the schema then the core's general validator, which reports every problem.
"""

from __future__ import annotations

from flask import request

from api import schemas
from api.cohort_input import json_body, people_to_cohort
from api.match_body import quick_match
from api.operations import build_policy
from api.results import json_answer, match_body
from api.services import services
from api.views import Blueprint, documented_body, json_only, problems, protected
from matcher.solve import solve

blp = protected(Blueprint("match", __name__, url_prefix="/api/v1"))
ASYNC = "Create the cohort with POST /api/v1/cohorts, then POST /api/v1/cohorts/{id}/runs."


@blp.route("/match", methods=["POST"])
@json_only
@documented_body(blp, schemas.MatchIn)
@blp.response(200, schemas.MatchOut)
@problems(blp, 400, 401, 413, 415, 503)
def match():
    """Match inline: ``{"cohort": {participants | mentors + mentees}, "policy": {...}}``."""
    settings = services().settings
    limit = settings["SYNC_MATCH_LIMIT"]
    read = quick_match(request.get_data(cache=True), limit)
    if read is None:
        Blueprint.ARGUMENTS_PARSER.parse(schemas.MatchIn, location="json")  # 400/422
        data = json_body()
        read = people_to_cohort(data["cohort"], limit, ASYNC, strict=True), data.get("policy")
    cohort, sent = read
    policy = build_policy(sent or {}, "coaching", settings["MAX_SOLVER_SECONDS"])
    with services().sync_solve():  # at most MAX_SYNC_SOLVES at once, else 503
        result = solve(cohort, policy)
    # Already the MatchOut shape (tests check it against the spec): a Response skips
    # marshmallow's second pass over every pair, a quarter of a sync request's time.
    return json_answer(match_body(result))
