"""A data subject's export: everything the service stores about one person, as JSON.

The person is found as for an erasure (:func:`api.erasure.find_subject`: the
organization's id for them, or an email a web import stored). The export lists, per
cohort of the organization that has them: their participant rows (every roster
version, with name and email where stored, and the fields the matcher uses), and per
run: their pairs (with score parts and explanation), their unmatched entry, the
alternates naming them, the review decisions and mentor requests about them; then the
stored documents that mention them (change sets, scenario specs) by where they are.
Callers record the export in the audit log (:func:`export_person` does, by an export id).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api import audit
from api.erasure import Subject, find_subject, mentions, pattern_of
from api.tables import (
    AlternateRow,
    Assignment,
    Cohort,
    Participant,
    Run,
    Scenario,
    UnmatchedRow,
    new_id,
)
from api.tables_cycles import MentorRequest
from api.tables_web import Decision


def _when(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands back naive datetimes: they are UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _participants(session, cohort_id, ids) -> list[dict]:
    rows = session.scalars(
        select(Participant)
        .where(Participant.cohort_id == cohort_id, Participant.external_id.in_(ids))
        .order_by(Participant.external_id, Participant.since)
    )
    return [
        {
            "id": p.external_id,
            "role": p.role,
            "name": p.name,
            "email": p.email,
            "fields": p.data,
            "roster_versions": {"since": p.since, "until": p.until},
        }
        for p in rows
    ]


def _results(session, run: Run, ids) -> dict | None:
    pairs = session.scalars(
        select(Assignment)
        .where(
            Assignment.run_id == run.id,
            or_(Assignment.mentee_id.in_(ids), Assignment.mentor_id.in_(ids)),
        )
        .order_by(Assignment.position)
    )
    unmatched = session.scalars(
        select(UnmatchedRow).where(UnmatchedRow.run_id == run.id, UnmatchedRow.mentee_id.in_(ids))
    )
    alternates = session.scalars(
        select(AlternateRow)
        .where(
            AlternateRow.run_id == run.id,
            or_(AlternateRow.mentee_id.in_(ids), AlternateRow.mentor_id.in_(ids)),
        )
        .order_by(AlternateRow.position)
    )
    out = {
        "pairs": [
            {
                "mentee_id": a.mentee_id,
                "mentor_id": a.mentor_id,
                "score": a.score,
                "components": dict(a.components),
                "explanation": a.explanation,
            }
            for a in pairs
        ],
        "unmatched": [{"mentee_id": u.mentee_id, "reasons": u.reasons} for u in unmatched],
        "alternates": [
            {
                "mentee_id": a.mentee_id,
                "mentor_id": a.mentor_id,
                "score": a.score,
                "why_not": a.why_not,
            }
            for a in alternates
        ],
    }
    if not any(out.values()):
        return None
    return {"run_id": run.id, "kind": run.kind, "created_at": _when(run.created_at), **out}


def collect(session: Session, organization_id: int, subject: Subject) -> dict:
    """What the organization stores about ``subject`` (see the module doc)."""
    ids = sorted(subject.ids)
    pattern = pattern_of(subject)
    cohorts = []
    for cohort in session.scalars(
        select(Cohort).where(Cohort.organization_id == organization_id).order_by(Cohort.created_at)
    ):
        people = _participants(session, cohort.id, ids)
        runs = [
            found
            for run in session.scalars(
                select(Run).where(Run.cohort_id == cohort.id).order_by(Run.created_at)
            )
            if (found := _results(session, run, ids)) is not None
        ]
        decisions = [
            {
                "run_id": d.run_id,
                "action": d.action,
                "mentee_id": d.mentee_id,
                "mentor_id": d.mentor_id,
                "from_mentor_id": d.from_mentor_id,
                "at": _when(d.created_at),
            }
            for d in session.scalars(
                select(Decision).where(
                    Decision.cohort_id == cohort.id,
                    or_(
                        Decision.mentee_id.in_(ids),
                        Decision.mentor_id.in_(ids),
                        Decision.from_mentor_id.in_(ids),
                    ),
                )
            )
        ]
        requests = [
            {
                "request_id": r.id,
                "mentee_id": r.mentee_id,
                "mentor_id": r.mentor_id,
                "status": r.status,
                "created_at": _when(r.created_at),
                "decided_at": _when(r.decided_at),
            }
            for r in session.scalars(
                select(MentorRequest)
                .where(
                    MentorRequest.cohort_id == cohort.id,
                    or_(MentorRequest.mentee_id.in_(ids), MentorRequest.mentor_id.in_(ids)),
                )
                .order_by(MentorRequest.created_at)
            )
        ]
        mentioned = []
        if pattern is not None:
            for run in session.scalars(select(Run).where(Run.cohort_id == cohort.id)):
                if run.changes is not None and mentions(run.changes, pattern):
                    mentioned.append({"where": f"run {run.id} changes", "value": run.changes})
            for scenario in session.scalars(
                select(Scenario).where(Scenario.cohort_id == cohort.id)
            ):
                if mentions(scenario.spec, pattern):
                    mentioned.append(
                        {"where": f"scenario {scenario.id} spec", "value": scenario.spec}
                    )
        if people or runs or decisions or requests or mentioned:
            cohorts.append(
                {
                    "cohort_id": cohort.id,
                    "cohort_name": cohort.name,
                    "participant_rows": people,
                    "runs": runs,
                    "decisions": decisions,
                    "requests": requests,
                    "mentioned_in": mentioned,
                }
            )
    return {"ids": ids, "cohorts": cohorts}


def export_person(
    session: Session,
    organization_id: int,
    *,
    email: str | None = None,
    person_id: str | None = None,
) -> dict | None:
    """The export of one person (None when the organization stores nothing about them),
    recorded in the audit log as ``person.exported`` with the export's id.

    Parameters
    ----------
    session : in a transaction (the audit entry is written in it).
    organization_id : whose data.
    email, person_id : exactly one of them.
    """
    if (email is None) == (person_id is None):
        raise ValueError("give exactly one of email and person_id")
    subject = find_subject(session, organization_id, email=email, person_id=person_id)
    found = collect(session, organization_id, subject)
    export_id = new_id("exp")
    audit.record(
        session,
        "person.exported",
        organization_id=organization_id,
        object_type="export",
        object_id=export_id,
        detail={"by": "email" if email is not None else "id", "found": bool(found["cohorts"])},
    )
    if not found["cohorts"]:
        return None
    return {"export_id": export_id, **found}
