"""Between core objects and rows: save and load cohorts, save and load results of runs,
and the cohort and policy a run solved.

The HTTP views and the job workers both go through these functions, so a cohort read back
for a run is exactly the one that was validated and stored. Participants are stored
without names and emails (the matcher does not use them), except cohorts a coordinator
imports in the web app, whose participant rows keep them to show and download. A
scenario or rematch run stores its changes, not a copy of the cohort:
:func:`solved_inputs` applies them again (the core's
:func:`matcher.whatif.changes.changed`), so views and workers see the same inputs.
"""

from __future__ import annotations

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from api import tables
from matcher.io.policy import policy_from_dict
from matcher.io.records import cohort_from_records, cohort_to_records
from matcher.model import Cohort, Policy
from matcher.results import MatchResult, Metrics, Pair, Status, Unmatched
from matcher.whatif.changes import changed

NOT_STORED = ("id", "role", "name", "email")


def save_cohort(
    session: Session,
    organization_id: int,
    name: str,
    program: str,
    cohort: Cohort,
    *,
    contacts: bool = False,
) -> tables.Cohort:
    """Store a validated cohort and its participants; returns the flushed cohort row.

    With ``contacts`` (web imports) the participant rows keep names and emails too.
    """
    row = tables.Cohort(
        organization_id=organization_id,
        name=name,
        program=program,
        n_mentors=len(cohort.mentors),
        n_mentees=len(cohort.mentees),
        org_chart=[list(edge) for edge in cohort.org_chart],
    )
    session.add(row)
    session.flush()
    positions = {"mentor": 0, "mentee": 0}
    people = []
    for record in cohort_to_records(cohort):
        role = record["role"]
        people.append(
            {
                "cohort_id": row.id,
                "role": role,
                "position": positions[role],
                "external_id": record["id"],
                "data": {k: v for k, v in record.items() if k not in NOT_STORED},
                "name": record.get("name") if contacts else None,
                "email": record.get("email") if contacts else None,
            }
        )
        positions[role] += 1
    if people:
        session.execute(insert(tables.Participant), people)
    return row


def at_version(version: int | None):
    """The participant rows of a roster version (None: the current roster)."""
    P = tables.Participant
    if version is None:
        return P.until.is_(None)
    return and_(P.since <= version, or_(P.until.is_(None), P.until > version))


def load_cohort(
    session: Session, cohort_id: str, version: int | None = None, *, contacts: bool = False
) -> Cohort:
    """The stored cohort as the core's Cohort, in its original order.

    With ``contacts``, the names and emails a web import kept (for files people read).

    Parameters
    ----------
    version : the roster version (a run's ``cohort_version``); None: the current roster.
    """
    row = session.get(tables.Cohort, cohort_id)
    if row is None:
        raise LookupError(f"no cohort {cohort_id}")
    p = tables.Participant
    rows = session.execute(
        select(p.role, p.external_id, p.data, p.name, p.email)
        .where(p.cohort_id == cohort_id, at_version(version))
        .order_by(p.role.desc(), p.position)
    )
    groups: dict[str, list[dict]] = {"mentor": [], "mentee": []}
    for role, external_id, data, name, email in rows:
        extra = {"name": name, "email": email} if contacts else {}
        groups[role].append({"id": external_id, **data, **extra})
    if groups["mentee"] and "min_capacity" in groups["mentee"][0]:
        for record in groups["mentee"]:
            record.pop("min_capacity", None)
    return cohort_from_records(
        mentors=groups["mentor"],
        mentees=groups["mentee"],
        org_chart=tuple(tuple(edge) for edge in row.org_chart or ()),
    )


def save_result(session: Session, run: tables.Run, result: MatchResult) -> None:
    """Copy a MatchResult onto ``run`` and store its pairs, unmatched and alternates.

    The caller sets the run's status and commits; a run that is saved twice (a
    re-delivered job) first loses its earlier rows, so results are never doubled.
    """
    from dataclasses import asdict

    for model in (tables.Assignment, tables.UnmatchedRow, tables.AlternateRow):
        session.query(model).filter(model.run_id == run.id).delete(synchronize_session=False)
    run.solver = result.solver
    run.solver_status = result.status.value
    run.objective = result.objective
    run.bound = result.bound
    run.gap = result.gap
    run.certified = result.certified
    run.metrics = asdict(result.metrics)
    run.timings = [[stage, seconds] for stage, seconds in result.timings]
    queued = (run.changes or {}).get("notes", []) if run.kind == "rematch" else []
    run.notes = [*queued, *result.notes]  # a sync's rematch says at queue time what it left out
    run.conflicts = list(result.conflicts)
    pairs = [
        {
            "run_id": run.id,
            "position": k,
            "mentee_id": p.mentee_id,
            "mentor_id": p.mentor_id,
            "score": p.score,
            "components": [[name, value] for name, value in p.components],
            "pinned": p.pinned,
            "explanation": p.explanation,
        }
        for k, p in enumerate(result.pairs)
    ]
    unmatched = [
        {
            "run_id": run.id,
            "position": k,
            "mentee_id": u.mentee_id,
            "missing": u.missing,
            "reasons": list(u.reasons),
        }
        for k, u in enumerate(result.unmatched)
    ]
    alternates = [
        {
            "run_id": run.id,
            "position": k,
            "mentee_id": a.mentee_id,
            "mentor_id": a.mentor_id,
            "score": a.score,
            "why_not": a.why_not,
        }
        for k, a in enumerate(result.alternates)
    ]
    for model, rows in (
        (tables.Assignment, pairs),
        (tables.UnmatchedRow, unmatched),
        (tables.AlternateRow, alternates),
    ):
        if rows:
            session.execute(insert(model), rows)


def load_result(session: Session, run: tables.Run) -> MatchResult:
    """The stored result of a finished ``run`` as the core's MatchResult.

    Pairs, unmatched mentees, metrics, status and the solver's figures come back as they
    were saved, in their order. Alternates are left out: comparisons do not use them, and
    a large cohort has many.
    """
    pairs = session.scalars(
        select(tables.Assignment)
        .where(tables.Assignment.run_id == run.id)
        .order_by(tables.Assignment.position)
    )
    unmatched = session.scalars(
        select(tables.UnmatchedRow)
        .where(tables.UnmatchedRow.run_id == run.id)
        .order_by(tables.UnmatchedRow.position)
    )
    return MatchResult(
        solver=run.solver or "",
        status=Status(run.solver_status),
        pairs=tuple(
            Pair(
                p.mentee_id,
                p.mentor_id,
                p.score,
                tuple(tuple(c) for c in p.components),
                p.pinned,
                p.explanation,
            )
            for p in pairs
        ),
        unmatched=tuple(Unmatched(u.mentee_id, u.missing, tuple(u.reasons)) for u in unmatched),
        metrics=Metrics(**(run.metrics or {})),
        objective=run.objective if run.objective is not None else 0.0,
        bound=run.bound,
        gap=run.gap,
        certified=bool(run.certified),
        conflicts=tuple(run.conflicts or ()),
        notes=tuple(run.notes or ()),
        timings=tuple((stage, seconds) for stage, seconds in run.timings or ()),
    )


def stored_pairs(session: Session, run_id: str) -> list[tuple[str, str]]:
    """The (mentee_id, mentor_id) pairs of a run's result, in their order."""
    rows = session.execute(
        select(tables.Assignment.mentee_id, tables.Assignment.mentor_id)
        .where(tables.Assignment.run_id == run_id)
        .order_by(tables.Assignment.position)
    )
    return [(mentee, mentor) for mentee, mentor in rows]


def is_roster_rematch(run) -> bool:
    """Whether ``run`` is the rematch a people sync queued (:mod:`api.people`)."""
    return run.kind == "rematch" and bool((run.changes or {}).get("roster"))


def roster_base(session: Session, cohort_id: str, version: int) -> Cohort:
    """What a people sync's rematch starts from: the roster of ``version`` plus the
    people that version removed (its change set removes them again, so its moves say
    who left). People who left in earlier versions are not in it."""
    P = tables.Participant
    current = {
        (role, person)
        for role, person in session.execute(
            select(P.role, P.external_id).where(P.cohort_id == cohort_id, at_version(version))
        )
    }
    leavers = [
        {"id": person, "role": role, **data}
        for role, person, data in session.execute(
            select(P.role, P.external_id, P.data)
            .where(P.cohort_id == cohort_id, P.until == version)
            .order_by(P.role.desc(), P.position)
        )
        if (role, person) not in current
    ]
    people = load_cohort(session, cohort_id, version)
    if not leavers:
        return people
    records = cohort_to_records(people) + leavers
    for record in records:
        if record["role"] == "mentee":
            record.pop("min_capacity", None)
    records = [{k: v for k, v in r.items() if k not in ("name", "email")} for r in records]
    chart = tuple(tuple(edge) for edge in session.get(tables.Cohort, cohort_id).org_chart or ())
    return cohort_from_records(records, org_chart=chart)


def solved_inputs(session: Session, run, cohort: Cohort | None = None) -> tuple[Cohort, Policy]:
    """The cohort and policy ``run`` solves: the stored ones with the run's changes applied.

    A "match" run solves the stored cohort under its policy; a "scenario" run applies its
    change set over them; a "rematch" run applies its changes over what its previous run
    solved (recursively, so a rematch of a rematch sees the people added before).

    Parameters
    ----------
    session : an open session.
    run : a Run row, or any object with its ``kind``, ``cohort_id``, ``policy``,
        ``changes`` and ``previous_run_id`` (a job's :class:`~api.jobs.lifecycle.Claim`).
    cohort : the stored cohort of ``run`` (at its ``cohort_version``: the roster it was
        queued with), when the caller has loaded it already.

    Returns
    -------
    (Cohort, Policy)

    Raises
    ------
    LookupError
        If a rematch's previous run is gone.
    InputError
        If stored changes no longer fit (they were validated when the run was queued).
    """
    chain = []
    while run.kind == "rematch" and not is_roster_rematch(run):
        chain.append(run)
        previous = session.get(tables.Run, run.previous_run_id) if run.previous_run_id else None
        if previous is None:
            raise LookupError(f"the run rematched ({run.previous_run_id}) is gone")
        run = previous
    if run.kind == "rematch":  # a people sync's rematch: its base is its own roster
        chain.append(run)
        base, policy = roster_base(session, run.cohort_id, run.cohort_version), None
    else:
        if cohort is None:
            cohort = load_cohort(session, run.cohort_id, getattr(run, "cohort_version", None))
        base, policy = cohort, policy_from_dict(run.policy)
    if run.kind == "scenario":
        base, policy = changed(run.changes or {}, base, policy)
    for step in reversed(chain):
        base, policy = changed(step.changes["changes"], base, policy_from_dict(step.policy))
    return base, policy
