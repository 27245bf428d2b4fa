"""Answer jobs: prices, alternatives and attrition asked of a succeeded run, run as jobs.

They take seconds at 10,000 x 2,000, so like runs they are queued: a job is a run row of
kind ``prices``, ``alternatives`` or ``attrition`` (:data:`api.tables_answers.ANSWER_KINDS`)
whose ``previous_run_id`` is the run asked about and ``changes`` holds ``{"params": ...}``;
it goes through the runs' outbox, claim, heartbeat, late ack and retry, and carries ids
only. :func:`queue_answer` queues one (the organization's active-run limit applies),
:func:`answer_of` is what a worker runs (the answer on what the run solved:
:func:`api.store.solved_inputs`, as the inline answers do), :func:`present_answer_job` is
the job resource. The answer is stored in ``run_answers`` when the job succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import url_for
from sqlalchemy.orm import Session, sessionmaker

from api.errors import ApiProblem
from api.operations import owned, start_runs
from api.store import solved_inputs
from api.tables import Run, RunStatus
from api.tables_answers import ANSWER_KINDS, RunAnswer
from matcher.model import InfeasibleError, InputError, Objective, Problem


def queue_answer(
    session: Session, run: Run, question: str, params: Mapping, settings: Mapping
) -> Run:
    """A queued answer job about the succeeded ``run``; after the commit, hand it off.

    Raises
    ------
    ApiProblem
        409 when ``run`` is itself an answer job; 422 when its objective is not the total
        score (the answers compare optima of that objective); 429 past the active limit.
    """
    if run.kind in ANSWER_KINDS:
        raise ApiProblem(
            409,
            "not a matching",
            f"run {run.id} is a {run.kind} job; ask about a match, rematch or scenario run",
            kind="not-a-matching",
        )
    objective = (run.policy.get("solver") or {}).get("objective", Objective.TOTAL.value)
    if objective != Objective.TOTAL.value:
        raise ApiProblem(
            422,
            "not the total objective",
            f"{question} compares optima of the total objective; run {run.id} solved the "
            f"{objective} objective",
            kind="answer-needs-total-objective",
        )
    columns = {
        "kind": question,
        "policy": run.policy,
        "changes": {"params": dict(params)},
        "previous_run_id": run.id,
    }
    return start_runs(session, run.cohort, [columns], settings)[0]


def answer_of(sessions: sessionmaker[Session], claim, check: Callable[[str], None]) -> dict:
    """The answer of a claimed answer job: its question about the run it names.

    Raises
    ------
    InputError
        When the run asked about is gone, its hard rules conflict (no optimum to compare
        with), or the parameters are rejected by the core.
    """
    from matcher.answers.questions import alternatives_answer, attrition_answer, prices_answer

    check("loading")
    with sessions() as session:
        run = session.get(Run, claim.previous_run_id) if claim.previous_run_id else None
        if run is None:
            problem = Problem("the run asked about was deleted", column="run_id")
            raise InputError([problem], title="nothing to answer about")
        cohort, policy = solved_inputs(session, run)
    params = (claim.changes or {}).get("params") or {}
    check("solving")
    try:
        if claim.kind == "prices":
            return prices_answer(
                cohort, policy, top=params["top"], hints=params["hints"], progress=check
            )
        if claim.kind == "alternatives":
            return alternatives_answer(cohort, policy, k=params["k"], within=params["within"])
        return attrition_answer(
            cohort, policy, top=params.get("top"), move_cost=params.get("move_cost")
        )
    except InfeasibleError as error:
        problems = [Problem(c, source="policy") for c in error.conflicts]
        raise InputError(problems, title="the run's hard rules conflict: no optimum") from None


def present_answer_job(session: Session, job: Run) -> dict:
    """The job resource: status and timings, and the answer once it has succeeded."""
    answer = None
    if job.status == RunStatus.SUCCEEDED.value:
        stored = session.get(RunAnswer, job.id)
        answer = None if stored is None else stored.answer
    return {
        "id": job.id,
        "question": job.kind,
        "run_id": job.previous_run_id,
        "cohort_id": job.cohort_id,
        "params": (job.changes or {}).get("params") or {},
        "status": job.status,
        "attempt": job.attempt,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "answer": answer,
        "links": {
            "self": url_for("answer_jobs.get_answer_job", job_id=job.id),
            "run": None
            if job.previous_run_id is None
            else url_for("runs.get_run", run_id=job.previous_run_id),
            "cancel": url_for("runs.cancel_run", run_id=job.id),
        },
    }


def owned_job(session: Session, job_id: str) -> Run:
    """The organization's answer job ``job_id``; 404 otherwise (another organization's
    included, and runs that are not answer jobs)."""
    job = owned(session, Run, job_id)
    if job.kind not in ANSWER_KINDS:
        raise ApiProblem(404, "not found", f"no answer job {job_id}", kind="not-found")
    return job
