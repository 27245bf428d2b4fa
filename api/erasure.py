"""Erasure of one person: gone from every table of the organization that held them.

A person is found by the organization's id for them (``person_id``: the same id in
every cohort, as the organization's ids are stable) or by email (participant rows of
web imports keep one; every id those rows carry is then erased too). In one transaction:

* their participant rows, every roster version, in every cohort of the organization
  (the cohort's counts follow);
* results: the pairs, unmatched rows and alternates naming them are deleted, and every
  finished run of a roster they were in is re-assembled from its remaining pairs
  (:mod:`api.edited`: figures recomputed, status ``feasible``, a note "edited ... by
  erasure ers_..."). Pairs are removed rather than pseudonymised: a placeholder would
  still single the person out next to the rest of the roster, and their mentor's or
  mentee's pair would still tell who they were;
* review decisions naming them; pending uploads whose sheet names them (or that are not
  text and so cannot be searched: an XLSX upload is discarded);
* every stored JSON document of the organization (policies, change sets, rematch moves,
  scenario specs and comparisons, import summaries, other people's records, the org
  chart, webhook delivery bodies): list items mentioning them are dropped, keys and
  values naming them removed (:func:`redact`); replayable Idempotency-Key answers that
  mention them are deleted.

After the commit :func:`api.personal.scrub` makes the deleted bytes unreadable: SQLite
overwrites deleted rows (``secure_delete``) and the write-ahead log is truncated;
PostgreSQL vacuums the touched tables (see the README's "HR data" for what remains).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from api import audit
from api.tables import (
    AlternateRow,
    Assignment,
    Cohort,
    IdempotencyRecord,
    Participant,
    Run,
    Scenario,
    UnmatchedRow,
    new_id,
    utcnow,
)
from api.tables_answers import RunAnswer
from api.tables_cycles import MentorRequest
from api.tables_hr import Webhook, WebhookDelivery
from api.tables_web import CohortImport, Decision, Upload

ERASED = "[erased]"


@dataclass
class Subject:
    """Whom to erase or export: their ids, emails and names as stored."""

    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @property
    def needles(self) -> list[str]:
        return sorted({*self.ids, *self.emails, *self.names} - {""}, key=len, reverse=True)


@dataclass
class Erasure:
    """What an erasure did: its id (in the audit log), rows deleted and documents edited
    per table, the cohorts and runs it touched."""

    id: str
    rows: dict[str, int] = field(default_factory=dict)
    cohorts: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)

    def count(self, table: str, n: int) -> None:
        if n:
            self.rows[table] = self.rows.get(table, 0) + n

    def summary(self) -> dict:
        return {
            "erasure_id": self.id,
            "found": bool(self.rows),
            "rows": dict(sorted(self.rows.items())),
            "cohorts": sorted(self.cohorts),
            "runs_edited": sorted(self.runs),
        }


def find_subject(
    session: Session,
    organization_id: int,
    *,
    email: str | None = None,
    person_id: str | None = None,
) -> Subject:
    """The person's ids, emails and names in the organization's participant rows.

    The id or email asked for is part of the subject even when no row has it (it may
    survive in stored documents or pending uploads only). An email also finds the rows
    whose id it is (a sign-up form's export often uses the address as the id).
    """
    cohorts = select(Cohort.id).where(Cohort.organization_id == organization_id)
    where = [Participant.cohort_id.in_(cohorts)]
    subject = Subject()
    if email is not None:
        address = email.strip().lower()
        subject.emails.add(address)
        where.append(
            or_(
                func.lower(Participant.email) == address,
                func.lower(Participant.external_id) == address,
            )
        )
    else:
        subject.ids.add(person_id)
        where.append(Participant.external_id == person_id)
    for row in session.execute(
        select(Participant.external_id, Participant.email, Participant.name).where(*where)
    ):
        subject.ids.add(row.external_id)
        subject.emails.update(e.strip().lower() for e in [row.email] if e)
        subject.names.update(n.strip() for n in [row.name] if n and n.strip())
    return subject


def pattern_of(subject: Subject) -> re.Pattern | None:
    """A pattern matching any of the subject's ids, emails and names as a whole word,
    ignoring case; None when there is nothing to look for."""
    needles = subject.needles
    if not needles:
        return None
    words = "|".join(re.escape(n) for n in needles)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def redact(value, pattern: re.Pattern):
    """``value`` (a JSON document) without what names the person ``pattern`` matches:
    list items mentioning them dropped, keys naming them dropped, text naming them
    replaced by ``[erased]``."""
    if isinstance(value, dict):
        return {
            k: redact(v, pattern)
            for k, v in value.items()
            if not pattern.fullmatch(str(k)) and not (isinstance(v, str) and pattern.fullmatch(v))
        }
    if isinstance(value, list):
        return [redact(v, pattern) for v in value if not mentions(v, pattern)]
    if isinstance(value, str) and pattern.search(value):
        return ERASED
    return value


def mentions(value, pattern: re.Pattern) -> bool:
    """Whether the JSON document ``value`` names the person anywhere."""
    return bool(pattern.search(json.dumps(value, ensure_ascii=False, default=str)))


def _documents(session: Session, erasure: Erasure, pattern, column, where, key) -> None:
    """Redact one JSON (or text) column in the rows ``where`` selects that mention the
    person (tested in Python: JSON is stored with escapes, so SQL text search would miss
    names with accents)."""
    model = column.class_
    rows = session.scalars(select(model).where(*where, column.is_not(None)))
    for row in rows:
        value = getattr(row, column.key)
        if not mentions(value, pattern):
            continue
        setattr(row, column.key, redact(value, pattern))
        erasure.count(f"{model.__tablename__}.{column.key}", 1)
        if key is not None:
            key(row)


def erase_person(
    session: Session,
    organization_id: int,
    *,
    email: str | None = None,
    person_id: str | None = None,
) -> Erasure:
    """Erase one person from the organization's data, in ``session``'s transaction, and
    record it in the audit log (by the erasure's id: no person's id, name or email).

    Parameters
    ----------
    session : the caller commits, then calls :func:`api.personal.scrub` with
        :data:`ERASED_TABLES`.
    organization_id : whose data.
    email, person_id : exactly one of them.

    Returns
    -------
    Erasure
    """
    if (email is None) == (person_id is None):
        raise ValueError("give exactly one of email and person_id")
    subject = find_subject(session, organization_id, email=email, person_id=person_id)
    erasure = Erasure(new_id("ers"))
    pattern = pattern_of(subject)
    if pattern is not None:
        _erase(session, organization_id, subject, pattern, erasure)
    audit.record(
        session,
        "person.erased",
        organization_id=organization_id,
        object_type="erasure",
        object_id=erasure.id,
        detail={"by": "email" if email is not None else "id", **erasure.summary()},
    )
    return erasure


def _erase(session, organization_id, subject, pattern, erasure) -> None:
    ids = sorted(subject.ids)
    cohorts = select(Cohort.id).where(Cohort.organization_id == organization_id)
    runs = select(Run.id).where(Run.organization_id == organization_id)
    in_cohorts = Participant.cohort_id.in_(cohorts)

    gone = session.execute(
        select(Participant.cohort_id).where(in_cohorts, Participant.external_id.in_(ids))
    ).scalars()
    erasure.cohorts.update(gone)
    erasure.count(
        "participants",
        session.execute(
            delete(Participant).where(in_cohorts, Participant.external_id.in_(ids))
        ).rowcount,
    )
    for table, model, where in (
        (
            "assignments",
            Assignment,
            or_(Assignment.mentee_id.in_(ids), Assignment.mentor_id.in_(ids)),
        ),
        ("unmatched", UnmatchedRow, UnmatchedRow.mentee_id.in_(ids)),
        (
            "alternates",
            AlternateRow,
            or_(AlternateRow.mentee_id.in_(ids), AlternateRow.mentor_id.in_(ids)),
        ),
    ):
        edited = session.scalars(select(model.run_id).where(model.run_id.in_(runs), where))
        erasure.runs.update(edited)
        erasure.count(
            table, session.execute(delete(model).where(model.run_id.in_(runs), where)).rowcount
        )
    erasure.count(
        "decisions",
        session.execute(
            delete(Decision).where(
                Decision.cohort_id.in_(cohorts),
                or_(
                    Decision.mentee_id.in_(ids),
                    Decision.mentor_id.in_(ids),
                    Decision.from_mentor_id.in_(ids),
                ),
            )
        ).rowcount,
    )
    erasure.count(
        "mentor_requests",
        session.execute(
            delete(MentorRequest).where(
                MentorRequest.organization_id == organization_id,
                or_(MentorRequest.mentee_id.in_(ids), MentorRequest.mentor_id.in_(ids)),
            )
        ).rowcount,
    )
    run_ids = set(erasure.runs)  # and every run of a roster they were in:
    run_ids.update(session.scalars(select(Run.id).where(Run.cohort_id.in_(erasure.cohorts))))

    def edited(run):
        run_ids.add(run.id)

    for column, where, then in (
        (Run.policy, [Run.id.in_(runs)], edited),
        (Run.changes, [Run.id.in_(runs)], edited),
        (Run.moves, [Run.id.in_(runs)], edited),
        (Run.conflicts, [Run.id.in_(runs)], edited),
        (UnmatchedRow.reasons, [UnmatchedRow.run_id.in_(runs)], None),
        (Assignment.explanation, [Assignment.run_id.in_(runs)], None),
        (AlternateRow.why_not, [AlternateRow.run_id.in_(runs)], None),
        (RunAnswer.answer, [RunAnswer.run_id.in_(runs)], None),
        (Scenario.spec, [Scenario.organization_id == organization_id], None),
        (Scenario.comparison, [Scenario.organization_id == organization_id], None),
        (Cohort.org_chart, [Cohort.organization_id == organization_id], None),
        (Participant.data, [in_cohorts], None),
        (CohortImport.understood, [CohortImport.cohort_id.in_(cohorts)], None),
        (CohortImport.mapping, [CohortImport.cohort_id.in_(cohorts)], None),
        (Upload.mapping, [Upload.organization_id == organization_id], None),
    ):
        _documents(session, erasure, pattern, column, where, then)
    hooks = select(Webhook.id).where(Webhook.organization_id == organization_id)
    _documents(
        session,
        erasure,
        pattern,
        WebhookDelivery.payload,
        [WebhookDelivery.webhook_id.in_(hooks)],
        None,
    )
    _drop_answers(session, organization_id, pattern, erasure)
    _drop_uploads(session, organization_id, subject, erasure)
    _recount(session, sorted(erasure.cohorts))
    session.flush()
    _mark_runs(session, sorted(run_ids), erasure)


def _drop_answers(session, organization_id, pattern, erasure) -> None:
    answers = session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.organization_id == organization_id)
    )
    for record in answers:
        if record.body is not None and mentions(record.body, pattern):
            session.delete(record)
            erasure.count("idempotency_keys", 1)


def _drop_uploads(session, organization_id, subject, erasure) -> None:
    needles = [n.lower().encode("utf-8") for n in subject.needles]
    for upload in session.scalars(select(Upload).where(Upload.organization_id == organization_id)):
        content = bytes(upload.content)
        try:
            text = content.decode("utf-8").lower().encode("utf-8")
        except UnicodeDecodeError:
            text = None  # a spreadsheet file: cannot be searched, so it goes
        if text is None or any(n in text for n in needles):
            session.delete(upload)
            erasure.count("uploads", 1)


def _mark_runs(session, run_ids, erasure) -> None:
    from api.edited import reassemble

    when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    note = (
        f"edited {when} by erasure {erasure.id}: a person's data was erased at their "
        "request; the remaining pairs were re-assembled without them (no pair added or "
        "moved, so the result is feasible, no longer proven best)"
    )
    for run in session.scalars(select(Run).where(Run.id.in_(run_ids))):
        reassemble(session, run, note)
        erasure.runs.add(run.id)


def _recount(session, cohort_ids) -> None:
    for cohort in session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids))):
        current = select(func.count()).where(
            Participant.cohort_id == cohort.id, Participant.until.is_(None)
        )
        cohort.n_mentors = session.scalar(current.where(Participant.role == "mentor"))
        cohort.n_mentees = session.scalar(current.where(Participant.role == "mentee"))


ERASED_TABLES = (
    "participants",
    "assignments",
    "unmatched",
    "alternates",
    "decisions",
    "mentor_requests",
    "runs",
    "run_answers",
    "scenarios",
    "cohorts",
    "cohort_imports",
    "uploads",
    "webhook_deliveries",
    "idempotency_keys",
)
