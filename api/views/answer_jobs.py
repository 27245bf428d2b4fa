"""Answer jobs: prices, alternatives and attrition of a succeeded run, queued like runs
(202 + Location of the job), and the job resource with its answer (:mod:`api.answer_jobs`).
"""

from __future__ import annotations

from api import answer_job_schemas as schemas
from api.answer_jobs import owned_job, present_answer_job, queue_answer
from api.db import transaction
from api.idempotency import idempotent
from api.operations import finished, owned
from api.services import services
from api.tables import Run
from api.views import IDEMPOTENCY_KEY, Blueprint, json_only, problems, protected

blp = protected(Blueprint("answer_jobs", __name__, url_prefix="/api/v1"))
LOCATION = {"Location": {"schema": {"type": "string"}, "description": "the job resource"}}


def _queue(question: str, run_id: str, params: dict):
    with transaction(services().sessions) as session:
        run = finished(owned(session, Run, run_id))
        job = queue_answer(session, run, question, params, services().settings)
        body = present_answer_job(session, job)
    services().hand_off([job.id])
    return body, 202, {"Location": body["links"]["self"]}


@blp.route("/runs/<run_id>/prices", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.PricesIn, example={"top": 10, "hints": 3})
@blp.response(202, schemas.AnswerJobOut, headers=LOCATION)
@problems(blp, 400, 401, 404, 409, 415, 422, 429)
def post_prices(data, run_id):
    """Queue the prices of the run's optimum: what each hard rule costs (exact re-solve
    without it), one more place for the ``top`` most promising mentors, and ``hints``
    recruiting simulations. ``GET`` the job's Location for its status and answer."""
    return _queue("prices", run_id, data)


@blp.route("/runs/<run_id>/alternatives", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.AlternativesIn, example={"k": 3, "within": "1%"})
@blp.response(202, schemas.AnswerJobOut, headers=LOCATION)
@problems(blp, 400, 401, 404, 409, 415, 422, 429)
def post_alternatives(data, run_id):
    """Queue ``k`` matchings within ``within`` of the run's optimum, as different from each
    other as found; the answer lists each one's figures and pairs."""
    return _queue("alternatives", run_id, data)


@blp.route("/runs/<run_id>/attrition", methods=["POST"])
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@idempotent
@json_only
@blp.arguments(schemas.AttritionIn, example={"top": 10})
@blp.response(202, schemas.AnswerJobOut, headers=LOCATION)
@problems(blp, 400, 401, 404, 409, 415, 422, 429)
def post_attrition(data, run_id):
    """Queue what each of the ``top`` busiest mentors' leaving would cost (exact
    rematches) and the most fragile pairs."""
    return _queue("attrition", run_id, data)


@blp.route("/answer-jobs/<job_id>", methods=["GET"])
@blp.response(200, schemas.AnswerJobOut)
@problems(blp, 401, 404)
def get_answer_job(job_id):
    """An answer job: status, attempt, timestamps, error, and once succeeded its answer.
    Cancel it with ``POST /runs/{id}/cancel`` (its ``links.cancel``)."""
    with services().sessions() as session:
        return present_answer_job(session, owned_job(session, job_id))
