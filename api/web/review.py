"""What the review pages read: a page of a run's pairs (search, filter, sort) with names,
a page of its unmatched mentees, and the decisions made on it.

Built for 10,000-mentee cohorts: the database filters, sorts and cuts the page; names
are looked up for that page's people only; nothing loads the whole result. The pairs of
a run are its stored :class:`~api.tables.Assignment` rows, read as the JSON API reads
them (:func:`api.results.pairs_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from api.results import pairs_of, unmatched_of
from api.tables import Assignment, Participant, Run
from api.tables_web import Decision

PER_PAGE = 50
SORTS = {
    "score": (Assignment.score.desc(), Assignment.position),
    "-score": (Assignment.score.asc(), Assignment.position),
    "mentee": (Assignment.mentee_id, Assignment.position),
    "mentor": (Assignment.mentor_id, Assignment.position),
}
SORT_WORDS = {
    "score": "best score first",
    "-score": "lowest score first",
    "mentee": "by mentee id",
    "mentor": "by mentor id",
}
SHOW_WORDS = {
    "all": "all pairs",
    "undecided": "pairs without a decision",
    "decided": "pairs with a decision",
    "pinned": "pinned pairs",
    "low": "scores below 0.5",
}
ACTION_WORDS = {
    "approve": "approved",
    "decline": "declined",
    "pin": "pinned",
    "reassign": "reassigned",
    "add_place": "place added",
}
# The core's unmatched reason naming the mentor whose one more place would match them
# (:func:`matcher.result.explain.unmatched_reasons_many`).
ONE_MORE_PLACE = re.compile(r"one more place at (.+?) \(score ")


@dataclass(frozen=True)
class PairRow:
    """One pair as the review table shows it."""

    mentee_id: str
    mentor_id: str
    mentee_name: str
    mentor_name: str
    score: float
    components: list
    pinned: bool
    explanation: str
    decision: str | None


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    page: int
    pages: int


def names(session: Session, cohort_id: str, role: str, ids) -> dict[str, str]:
    """Names of the given people of one role (empty when the cohort kept none)."""
    ids = set(ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Participant.external_id, Participant.name).where(
            Participant.cohort_id == cohort_id,
            Participant.role == role,
            Participant.external_id.in_(ids),
        )
    )
    return {external_id: name or "" for external_id, name in rows}


def decisions(session: Session, run_id: str) -> dict[tuple[str, str], Decision]:
    """The decisions made on a run, by (mentee, mentor the decision is about)."""
    rows = session.scalars(select(Decision).where(Decision.run_id == run_id))
    return {(d.mentee_id, d.from_mentor_id or d.mentor_id): d for d in rows}


def _decided(run_id: str):
    return exists().where(
        Decision.run_id == run_id,
        Decision.mentee_id == Assignment.mentee_id,
        or_(
            Decision.mentor_id == Assignment.mentor_id,
            Decision.from_mentor_id == Assignment.mentor_id,
        ),
    )


def _search(cohort_id: str, text: str):
    """Pairs whose mentee or mentor id or name contains ``text`` (any case)."""
    needle = text.strip().lower()
    named = (
        select(Participant.external_id)
        .where(
            Participant.cohort_id == cohort_id,
            func.lower(Participant.name).contains(needle, autoescape=True),
        )
        .scalar_subquery()
    )
    return or_(
        func.lower(Assignment.mentee_id).contains(needle, autoescape=True),
        func.lower(Assignment.mentor_id).contains(needle, autoescape=True),
        Assignment.mentee_id.in_(named),
        Assignment.mentor_id.in_(named),
    )


def pairs_page(
    session: Session,
    run: Run,
    *,
    q: str = "",
    show: str = "all",
    sort: str = "score",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the run's pairs with names and decisions."""
    statement = pairs_of(run.id).order_by(None)
    if q.strip():
        statement = statement.where(_search(run.cohort_id, q))
    if show == "undecided":
        statement = statement.where(~_decided(run.id))
    elif show == "decided":
        statement = statement.where(_decided(run.id))
    elif show == "pinned":
        statement = statement.where(Assignment.pinned.is_(True))
    elif show == "low":
        statement = statement.where(Assignment.score < 0.5)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = session.scalars(
        statement.order_by(*SORTS.get(sort, SORTS["score"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    mentees = names(session, run.cohort_id, "mentee", (a.mentee_id for a in found))
    mentors = names(session, run.cohort_id, "mentor", (a.mentor_id for a in found))
    made = _decisions_for(session, run.id, found)
    rows = [
        PairRow(
            a.mentee_id,
            a.mentor_id,
            mentees.get(a.mentee_id, ""),
            mentors.get(a.mentor_id, ""),
            a.score,
            a.components,
            a.pinned,
            a.explanation,
            made.get((a.mentee_id, a.mentor_id)),
        )
        for a in found
    ]
    return Page(rows, total, page, pages)


def _decisions_for(session: Session, run_id: str, found) -> dict[tuple[str, str], str]:
    if not found:
        return {}
    ids = {a.mentee_id for a in found}
    rows = session.scalars(
        select(Decision).where(Decision.run_id == run_id, Decision.mentee_id.in_(ids))
    )
    return {(d.mentee_id, d.from_mentor_id or d.mentor_id): d.action for d in rows}


def unmatched_page(session: Session, run: Run, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the mentees left (partly) unmatched, with names and reasons."""
    statement = unmatched_of(run.id)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    who = names(session, run.cohort_id, "mentee", (u.mentee_id for u in found))
    rows = [(u, who.get(u.mentee_id, ""), place_for(u.reasons)) for u in found]
    return Page(rows, total, page, pages)


def place_for(reasons) -> str | None:
    """The mentor whose one more place would match the mentee, if a reason names one."""
    for reason in reasons:
        if found := ONE_MORE_PLACE.search(reason):
            return found.group(1)
    return None
