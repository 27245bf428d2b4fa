"""A coordinator's decisions on a draft, the re-solve that applies them, and publishing:
the operations the review page (:mod:`api.web.runs`) and the JSON API
(:mod:`api.views.decisions`) both call.

Decisions are made on one succeeded run (the draft) and become a rematch change set:
approved and pinned pairs are pinned, a declined pair is forbidden, a reassignment pins
the mentee to the chosen alternate and breaks the pair it replaces, and "add_place" (made
for a mentee left unmatched) gives a mentor one more place than the draft had. The re-solve is the
JSON API's rematch (:func:`api.whatif.plan_rematch`, then :func:`api.operations.start_runs`):
the exact minimal-disruption rematch, which keeps every other pair it can. The draft of
a cohort is its latest succeeded run outside scenarios, unless a what-if variant was
promoted since (:func:`promote`: then that variant's run); publishing freezes a run as the
cohort's next version and writes ``cohort.published`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from api.hooks import COHORT_PUBLISHED
from api.hooks.events import emit
from api.operations import start_runs
from api.store import solved_inputs
from api.tables import AlternateRow, Assignment, Cohort, Run, RunStatus, Scenario, UnmatchedRow
from api.tables_answers import ANSWER_KINDS
from api.tables_web import Decision, Promotion, Publication
from api.whatif import plan_rematch

ACTIONS = ("approve", "decline", "pin", "reassign", "add_place", "undo")


class DecisionRefused(ValueError):
    """A decision that does not fit the draft; the message says why, for people."""


class PublishRefused(ValueError):
    """A run that cannot be published (its rules could not all hold); says why."""


class AlreadyPublished(PublishRefused):
    """The run is published already: one run, one version (the page and the API agree)."""


def pending(session: Session, run_id: str) -> list[Decision]:
    """Decisions on the run that no live re-solve has taken into account yet."""
    live = ("queued", "running", "succeeded")
    applied = select(Run.id).where(Run.id == Decision.applied_run_id, Run.status.in_(live))
    rows = session.scalars(
        select(Decision)
        .where(Decision.run_id == run_id, and_(~exists(applied)))
        .order_by(Decision.created_at, Decision.id)
    )
    return list(rows)


def made_on(session: Session, run_id: str) -> list[Decision]:
    """Every decision made on the run, oldest first (applied or not)."""
    rows = session.scalars(
        select(Decision).where(Decision.run_id == run_id).order_by(Decision.created_at, Decision.id)
    )
    return list(rows)


def _has_pair(session: Session, run: Run, mentee: str, mentor: str) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(
            Assignment.run_id == run.id,
            Assignment.mentee_id == mentee,
            Assignment.mentor_id == mentor,
        )
    )


def decide(
    session: Session,
    run: Run,
    action: str,
    mentee: str,
    mentor: str,
    to: str,
    user_id: int | None,
) -> tuple[str, Decision | None]:
    """Record (or undo) a decision on the pair (mentee, mentor) of ``run``; for
    ``reassign``, ``to`` is the alternate mentor. Replaces an earlier decision on the pair.
    ``add_place`` is made for a mentee the run left unmatched (see :func:`add_place`).

    Returns
    -------
    tuple
        What was done, in words, and the new decision (None for ``undo``).

    Raises
    ------
    DecisionRefused
        An unknown action, a pair not in the draft, a declined pinned pair, a
        reassignment to someone who is not one of the mentee's alternates.
    """
    if action not in ACTIONS:
        raise DecisionRefused(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if action == "add_place":
        return add_place(session, run, mentee, mentor, user_id)
    pair = _has_pair(session, run, mentee, mentor)
    if pair is None:
        raise DecisionRefused(f"{mentee} and {mentor} are not a pair of this draft")
    earlier = delete(Decision).where(
        Decision.run_id == run.id,
        Decision.mentee_id == mentee,
        or_(Decision.mentor_id == mentor, Decision.from_mentor_id == mentor),
    )
    if action == "undo":
        session.execute(earlier)
        return f"the decision on {mentee} and {mentor} was undone", None
    if action == "decline" and pair.pinned:
        raise DecisionRefused(
            f"{mentee} and {mentor} are pinned by an earlier decision; a pinned pair stays"
        )
    row = Decision(
        cohort_id=run.cohort_id, run_id=run.id, action=action, mentee_id=mentee, user_id=user_id
    )
    if action == "reassign":
        alternate = session.scalar(
            select(AlternateRow.id).where(
                AlternateRow.run_id == run.id,
                AlternateRow.mentee_id == mentee,
                AlternateRow.mentor_id == to,
            )
        )
        if alternate is None:
            raise DecisionRefused(f"{to} is not one of {mentee}'s alternates in this draft")
        row.mentor_id, row.from_mentor_id = to, mentor
        said = f"{mentee} will move from {mentor} to {to} at the next re-solve"
    else:
        row.mentor_id = mentor
        done = {"approve": "approved", "decline": "declined", "pin": "pinned"}[action]
        said = f"{mentee} and {mentor}: {done}"
    session.execute(earlier)
    session.add(row)
    session.flush()
    return said, row


def add_place(
    session: Session, run: Run, mentee: str, mentor: str, user_id: int | None
) -> tuple[str, Decision]:
    """Give ``mentor`` one more place at the next re-solve, for ``mentee``, whom ``run``
    left with places unfilled. Each such decision on a mentor adds one place; a second one
    for the same mentee and mentor replaces the first.

    Raises
    ------
    DecisionRefused
        The mentee got every place they wanted in this run, or ``mentor`` is not one of
        the run's mentors.
    """
    left = session.scalar(
        select(UnmatchedRow.id).where(
            UnmatchedRow.run_id == run.id, UnmatchedRow.mentee_id == mentee
        )
    )
    if left is None:
        raise DecisionRefused(f"{mentee} is not left unmatched in this draft")
    people, _ = solved_inputs(session, run)
    if mentor not in people.mentor_ids:
        raise DecisionRefused(f"{mentor} is not a mentor of this draft")
    session.execute(
        delete(Decision).where(
            Decision.run_id == run.id,
            Decision.action == "add_place",
            Decision.mentee_id == mentee,
            Decision.mentor_id == mentor,
        )
    )
    row = Decision(
        cohort_id=run.cohort_id,
        run_id=run.id,
        action="add_place",
        mentee_id=mentee,
        mentor_id=mentor,
        user_id=user_id,
    )
    session.add(row)
    session.flush()
    return f"{mentor} gets one more place (for {mentee}) at the next re-solve", row


def undo(session: Session, run: Run, decision_id: int) -> bool:
    """Delete one decision of ``run`` by id; False when the run has no such decision.

    Raises
    ------
    DecisionRefused
        A live re-solve has already applied it.
    """
    row = session.get(Decision, decision_id)
    if row is None or row.run_id != run.id:
        return False
    if row not in pending(session, run.id):
        applied = row.applied_run_id
        raise DecisionRefused(f"decision {decision_id} was applied by re-solve {applied}")
    session.delete(row)
    return True


def change_set(decided: list[Decision], capacities: Mapping[str, int] | None = None) -> dict:
    """The rematch change set of decisions: pins, forbidden and broken pairs, and the new
    capacity of each mentor given places (``capacities``: their capacities in the draft;
    needed when a decision adds a place)."""
    pin, forbid, broken = [], [], []
    places: dict[str, int] = {}
    for d in decided:
        if d.action == "add_place":
            places[d.mentor_id] = places.get(d.mentor_id, capacities[d.mentor_id]) + 1
        if d.action in ("approve", "pin"):
            pin.append([d.mentee_id, d.mentor_id])
        elif d.action == "decline":
            forbid.append([d.mentee_id, d.mentor_id])
        elif d.action == "reassign":
            pin.append([d.mentee_id, d.mentor_id])
            broken.append([d.mentee_id, d.from_mentor_id])
    out = {"pin": pin, "forbid": forbid, "break": broken}
    out = {k: v for k, v in out.items() if v}
    if places:
        out["capacity"] = {"mentors": places}
    return out


def resolve(session: Session, run: Run, settings: Mapping) -> Run | None:
    """Queue the re-solve of ``run`` with its pending decisions (None: there are none).

    Raises
    ------
    InputError
        The change set does not fit (as the JSON API's rematch says it).
    ApiProblem
        429 past the organization's active-run limit.
    """
    decided = pending(session, run.id)
    if not decided:
        return None
    capacities = None
    if any(d.action == "add_place" for d in decided):
        people, _ = solved_inputs(session, run)
        capacities = {m.id: m.capacity for m in people.mentors}
    body = {"changes": change_set(decided, capacities)}
    columns = plan_rematch(session, run, body, float(settings["MAX_SOLVER_SECONDS"]))
    cohort = session.get(Cohort, run.cohort_id)
    new = start_runs(session, cohort, [columns], settings)[0]
    for d in decided:
        d.applied_run_id = new.id
    return new


def publish(session: Session, run: Run, user_id: int | None) -> Publication:
    """Freeze ``run``'s pairs as the cohort's next version (who and when are kept) and
    write the ``cohort.published`` event in the caller's transaction.

    Raises
    ------
    PublishRefused
        The run's rules could not all hold, so it has no pairs to publish.
    AlreadyPublished
        The run is published already (as the version it names).
    """
    if run.solver_status == "infeasible":
        raise PublishRefused("a run whose rules cannot all hold has no pairs to publish")
    session.scalar(select(Cohort.id).where(Cohort.id == run.cohort_id).with_for_update())
    if (earlier := published_as(session, run)) is not None:
        raise AlreadyPublished(f"run {run.id} is already published as version {earlier.version}")
    latest = session.scalar(
        select(func.max(Publication.version)).where(Publication.cohort_id == run.cohort_id)
    )
    row = Publication(
        cohort_id=run.cohort_id, run_id=run.id, version=(latest or 0) + 1, user_id=user_id
    )
    session.add(row)
    session.flush()
    data = {"cohort_id": run.cohort_id, "run_id": run.id, "version": row.version}
    emit(session, run.organization_id, COHORT_PUBLISHED, data)
    return row


def published_as(session: Session, run: Run) -> Publication | None:
    """The latest version that froze ``run``, if any."""
    return session.scalar(
        select(Publication).where(Publication.run_id == run.id).order_by(Publication.version.desc())
    )


def versions(session: Session, cohort_id: str) -> list[Publication]:
    """The cohort's published versions, newest first."""
    rows = session.scalars(
        select(Publication)
        .where(Publication.cohort_id == cohort_id)
        .order_by(Publication.version.desc())
    )
    return list(rows)


def draft(session: Session, cohort_id: str) -> Run | None:
    """The cohort's draft: its latest succeeded run outside scenarios (a re-solve that
    succeeds supersedes the run it started from), or the run of the variant promoted
    after that run finished."""
    latest = session.scalar(
        select(Run)
        .where(
            Run.cohort_id == cohort_id,
            Run.scenario_id.is_(None),
            Run.status == RunStatus.SUCCEEDED.value,
            Run.kind.not_in(ANSWER_KINDS),  # an answer job has no pairs to review
        )
        .order_by(Run.finished_at.desc().nulls_last(), Run.created_at.desc())
        .limit(1)
    )
    promoted = session.scalar(
        select(Promotion)
        .where(Promotion.cohort_id == cohort_id)
        .order_by(Promotion.promoted_at.desc(), Promotion.id.desc())
        .limit(1)
    )
    if promoted is None or (
        latest is not None
        and latest.finished_at is not None
        and latest.finished_at > promoted.promoted_at
    ):
        return latest
    return session.get(Run, promoted.run_id)


def promote(session: Session, scenario: Scenario, variant: str, user_id: int | None) -> Run:
    """Make the run of one variant of ``scenario`` the cohort's draft (who and when are
    kept); decisions, re-solves and publishing then start from it.

    Raises
    ------
    DecisionRefused
        The scenario has no such variant, or its run has not succeeded (its status said).
    """
    run = session.scalar(
        select(Run).where(Run.scenario_id == scenario.id, Run.variant == variant).limit(1)
    )
    if run is None:
        raise DecisionRefused(f"scenario {scenario.id} has no variant {variant!r}")
    if run.status != RunStatus.SUCCEEDED.value:
        raise DecisionRefused(f"variant {variant!r} is {run.status}; only a solved one is promoted")
    session.scalar(select(Cohort.id).where(Cohort.id == run.cohort_id).with_for_update())
    session.add(Promotion(cohort_id=run.cohort_id, run_id=run.id, user_id=user_id))
    session.flush()
    return run


def re_solved_as(session: Session, run: Run) -> Run | None:
    """The latest re-solve started from ``run``, if any."""
    return session.scalar(
        select(Run)
        .where(Run.previous_run_id == run.id, Run.kind == "rematch")
        .order_by(Run.created_at.desc())
        .limit(1)
    )
