"""A coordinator's decisions on a draft, the re-solve that applies them, and publishing.

Decisions are made on one succeeded run (the draft) and become a rematch change set:
approved and pinned pairs are pinned, a declined pair is forbidden, a reassignment pins
the mentee to the chosen alternate and breaks the pair it replaces. The re-solve is the
JSON API's rematch (:func:`api.whatif.plan_rematch`, then :func:`api.operations.start_runs`):
the exact minimal-disruption rematch, which keeps every other pair it can.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from api.operations import start_runs
from api.tables import AlternateRow, Assignment, Cohort, Run
from api.tables_web import Decision, Publication
from api.web.review import pending
from api.whatif import plan_rematch

ACTIONS = ("approve", "decline", "pin", "reassign", "undo")


class DecisionRefused(ValueError):
    """A decision that does not fit the draft; the message says why, for people."""


def _has_pair(session: Session, run: Run, mentee: str, mentor: str) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(
            Assignment.run_id == run.id,
            Assignment.mentee_id == mentee,
            Assignment.mentor_id == mentor,
        )
    )


def decide(
    session: Session, run: Run, action: str, mentee: str, mentor: str, to: str, user_id: int
) -> str:
    """Record (or undo) a decision on the pair (mentee, mentor) of ``run``; for
    ``reassign``, ``to`` is the alternate mentor. Replaces an earlier decision on the pair.

    Returns
    -------
    str
        What was done, in words.

    Raises
    ------
    DecisionRefused
        An unknown action, a pair not in the draft, a declined pinned pair, a
        reassignment to someone who is not one of the mentee's alternates.
    """
    if action not in ACTIONS:
        raise DecisionRefused(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
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
        return f"the decision on {mentee} and {mentor} was undone"
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
    return said


def change_set(decided: list[Decision]) -> dict:
    """The rematch change set of decisions: pins, forbidden and broken pairs."""
    pin, forbid, broken = [], [], []
    for d in decided:
        if d.action in ("approve", "pin"):
            pin.append([d.mentee_id, d.mentor_id])
        elif d.action == "decline":
            forbid.append([d.mentee_id, d.mentor_id])
        elif d.action == "reassign":
            pin.append([d.mentee_id, d.mentor_id])
            broken.append([d.mentee_id, d.from_mentor_id])
    out = {"pin": pin, "forbid": forbid, "break": broken}
    return {k: v for k, v in out.items() if v}


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
    body = {"changes": change_set(decided)}
    columns = plan_rematch(session, run, body, float(settings["MAX_SOLVER_SECONDS"]))
    cohort = session.get(Cohort, run.cohort_id)
    new = start_runs(session, cohort, [columns], settings)[0]
    for d in decided:
        d.applied_run_id = new.id
    return new


def publish(session: Session, run: Run, user_id: int) -> Publication:
    """Freeze ``run``'s pairs as the cohort's next version (who and when are kept)."""
    latest = session.scalar(
        select(func.max(Publication.version)).where(Publication.cohort_id == run.cohort_id)
    )
    row = Publication(
        cohort_id=run.cohort_id, run_id=run.id, version=(latest or 0) + 1, user_id=user_id
    )
    session.add(row)
    session.flush()
    return row


def re_solved_as(session: Session, run: Run) -> Run | None:
    """The latest re-solve started from ``run``, if any."""
    return session.scalar(
        select(Run)
        .where(Run.previous_run_id == run.id, Run.kind == "rematch")
        .order_by(Run.created_at.desc())
        .limit(1)
    )
