"""What the views do to the database: find an organization's objects, start and cancel
runs, and guard results of runs that have not succeeded.

Every lookup is scoped to the caller's organization: another organization's object and
an object that does not exist give the same 404, so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from types import SimpleNamespace

from flask import g, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.jobs.outbox import enqueue
from api.tables import ACTIVE, Cohort, Organization, Participant, Run, RunStatus
from matcher.encode.attributes import rule_problems
from matcher.encode.rules import policy_pair_problems
from matcher.io.policy import policy_from_dict, preset
from matcher.model import InputError, Policy, Problem

MAX_WEIGHT = 1_000_000.0


def owned(session: Session, model, object_id: str):
    """The caller's ``model`` row with this id, else a 404 problem."""
    row = session.get(model, object_id)
    if row is None or row.organization_id != g.organization_id:
        noun = model.__tablename__.rstrip("s")
        raise ApiProblem(404, "not found", f"no {noun} {object_id}", kind="not-found")
    return row


def policy_limits(policy: Policy, max_seconds: float, where="", source="policy") -> list:
    """What this server refuses in a valid policy: more solver time than
    ``MAX_SOLVER_SECONDS``, and a weight above :data:`MAX_WEIGHT` (scores are weighted
    averages, so only the ratios of weights matter; huge ones overflow to nothing).

    Parameters
    ----------
    where : the key path of the policy section in the request (``scenarios[0].policy``),
        prefixed to each problem's column.
    """
    prefix = f"{where}." if where else ""
    problems = [
        Problem(
            f"at most {MAX_WEIGHT:g} (only the ratios of weights matter)",
            column=f"{prefix}weights.{item.name}",
            value=str(getattr(policy.weights, item.name)),
            source=source,
        )
        for item in fields(policy.weights)
        if item.name != "attributes" and getattr(policy.weights, item.name) > MAX_WEIGHT
    ]
    problems += [
        Problem(
            f"at most {MAX_WEIGHT:g} (only the ratios of weights matter)",
            column=f"{prefix}attributes[{k}].weight",
            value=str(rule.weight),
            source=source,
        )
        for k, rule in enumerate(policy.attributes)
        if rule.weight > MAX_WEIGHT
    ]
    if policy.time_limit_seconds > max_seconds:
        problems.append(
            Problem(
                f"at most {max_seconds:g} seconds on this server",
                column=f"{prefix}solver.time_limit_seconds",
                value=str(policy.time_limit_seconds),
                source=source,
            )
        )
    return problems


def build_policy(data, program: str, max_seconds: float) -> Policy:
    """A validated policy over the preset of ``program`` (a cohort's program type).

    Raises
    ------
    InputError
        Every problem with the policy (dotted key paths), including what
        :func:`policy_limits` refuses.
    """
    policy = policy_from_dict(data, base=preset(program))
    if problems := policy_limits(policy, max_seconds):
        raise InputError(problems, title="policy rejected")
    return policy


def check_against_cohort(session: Session, cohort_id: str, policy: Policy) -> None:
    """Reject a policy that names people or questions the stored cohort does not have.

    Raises
    ------
    InputError
        One problem per unknown id in forbidden or pinned pairs, and per question rule
        naming a question nobody answered (the core's wording), before any run is queued.
    """
    problems = _unknown_people(session, cohort_id, policy)
    if policy.attributes:
        from api.store import load_cohort

        problems += rule_problems(load_cohort(session, cohort_id), policy.attributes)
    if problems:
        raise InputError(problems, title="the policy does not fit the cohort")


def _unknown_people(session: Session, cohort_id: str, policy: Policy) -> list:
    named = {i for pair in (*policy.forbidden_pairs, *policy.pinned_pairs) for i in pair}
    if not named:
        return []
    rows = session.execute(
        select(Participant.role, Participant.external_id).where(
            Participant.cohort_id == cohort_id,
            Participant.until.is_(None),
            Participant.external_id.in_(named),
        )
    ).all()
    known = SimpleNamespace(
        mentee_ids={i for role, i in rows if role == "mentee"},
        mentor_ids={i for role, i in rows if role == "mentor"},
    )
    return [
        *policy_pair_problems(known, policy.forbidden_pairs, "rules.forbidden_pairs"),
        *policy_pair_problems(known, policy.pinned_pairs, "rules.pinned_pairs"),
    ]


def start_runs(
    session: Session, cohort: Cohort, runs: Sequence[Mapping], settings: Mapping
) -> list[Run]:
    """Queued runs of ``cohort`` and their outbox messages; 429 past the organization's limit.

    The organization row is locked first (PostgreSQL; SQLite transactions are already
    serial), so concurrent requests cannot both pass the limit.

    Parameters
    ----------
    session : the caller's transaction.
    cohort : the cohort row the runs solve.
    runs : the columns of each run (``policy``, and ``kind``, ``changes``,
        ``previous_run_id``, ``scenario_id``, ``variant`` as needed).
    settings : ``MAX_ACTIVE_RUNS`` (queued or running per organization),
        ``RETRY_AFTER_SECONDS`` and ``DISPATCH_RETRY_SECONDS``.

    Returns
    -------
    list of Run
        Flushed (with ids), in the order given. After the commit the caller hands them
        to the executor with :meth:`api.services.Services.hand_off`.
    """
    session.execute(
        select(Organization.id).where(Organization.id == cohort.organization_id).with_for_update()
    )
    active = session.scalar(
        select(func.count())
        .select_from(Run)
        .where(Run.organization_id == cohort.organization_id, Run.status.in_(ACTIVE))
    )
    limit = settings["MAX_ACTIVE_RUNS"]
    if active + len(runs) > limit:
        needs = f"; this request needs {len(runs)}" if len(runs) > 1 else ""
        raise ApiProblem(
            429,
            "too many active runs",
            f"your organization has {active} queued or running runs{needs}; the limit is "
            f"{limit}. Retry when {'one finishes' if len(runs) == 1 else 'enough finish'}.",
            kind="too-many-runs",
            headers={"Retry-After": str(settings["RETRY_AFTER_SECONDS"])},
            limit=limit,
        )
    rows = [
        Run(
            organization_id=cohort.organization_id,
            cohort_id=cohort.id,
            cohort_version=cohort.version,
            **columns,
        )
        for columns in runs
    ]
    session.add_all(rows)
    session.flush()
    enqueue(session, [row.id for row in rows], float(settings["DISPATCH_RETRY_SECONDS"]))
    return rows


def start_run(session: Session, cohort: Cohort, policy: dict, settings: Mapping) -> Run:
    """A queued "match" run of ``cohort``; 429 as :func:`start_runs`."""
    return start_runs(session, cohort, [{"policy": policy}], settings)[0]


def finished(run: Run) -> Run:
    """``run`` if it succeeded; otherwise a 409 problem carrying its status."""
    if run.status != RunStatus.SUCCEEDED:
        raise ApiProblem(
            409,
            "run has no results",
            f"run {run.id} is {run.status}; results exist once it has succeeded",
            kind="run-not-succeeded",
            run_status=run.status,
        )
    return run


def present_run(run: Run) -> dict:
    """The run's columns plus links to its other routes."""
    body = {column.key: getattr(run, column.key) for column in Run.__table__.columns}
    body["links"] = {
        "self": url_for("runs.get_run", run_id=run.id),
        "cohort": url_for("cohorts.get_cohort", cohort_id=run.cohort_id),
        "cancel": url_for("runs.cancel_run", run_id=run.id),
        "assignments": url_for("runs.list_assignments", run_id=run.id),
        "unmatched": url_for("runs.list_unmatched", run_id=run.id),
    }
    return body
