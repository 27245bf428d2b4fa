"""Requests: a mentee asks for one of their suggested mentors; the mentor accepts or declines.

* :func:`create` refuses a pair a hard rule forbids (409 ``pair-forbidden``, naming the
  rules as explanations do), a mentor without room (409 ``mentor-full``: capacity less
  the places others hold, :class:`api.suggest.Standing`), a mentee who already holds as
  many requests as places they want (409 ``mentee-full``) and a pair already requested
  and not turned down (409 ``already-requested``). A request is open for the cohort's
  ``request_expiry_hours`` (else the server's ``REQUEST_EXPIRY_HOURS``, 7 days).
* :func:`decide` accepts or declines a pending request. An accepted request is pinned in
  the cohort's next runs (:func:`api.history.with_accepted`). A declined or expired one
  passes to the mentee's next suggestion: a new pending request (``origin``
  ``next_suggestion``, ``follows_id`` the request it follows) for the best mentor with
  room the mentee has not asked before, when there is one.
* :func:`expire_due` expires pending requests past their time; every read and decision
  calls it first for its cohort, and ``mentormatch requests expire`` for all cohorts.
* :func:`withdraw_leavers` withdraws the pending and accepted requests of people a people
  sync removed; a mentee whose mentor left passes on to their next suggestion.

Each change writes its webhook event (``request.accepted|declined|expired|withdrawn``) in the same
transaction. Requests hold ids, statuses and times only. The caller holds the cohort row
locked (FOR UPDATE), so places are counted by one request at a time per cohort.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.hooks import REQUEST_ACCEPTED, REQUEST_DECLINED, REQUEST_EXPIRED, REQUEST_WITHDRAWN
from api.hooks.events import emit
from api.suggest import mentee_index, ranked, standing
from api.tables import Cohort, utcnow
from api.tables_cycles import (
    HOLDING,
    CohortSettings,
    MentorRequest,
    RequestOrigin,
    RequestStatus,
)
from matcher.encode.rules import RULE_WORDS, forbidding_rules

EVENTS = {
    RequestStatus.ACCEPTED.value: REQUEST_ACCEPTED,
    RequestStatus.DECLINED.value: REQUEST_DECLINED,
    RequestStatus.EXPIRED.value: REQUEST_EXPIRED,
    RequestStatus.WITHDRAWN.value: REQUEST_WITHDRAWN,
}


def present(request: MentorRequest) -> dict:
    """A request as the API shows it (ids, statuses, times)."""
    return {
        "id": request.id,
        "cohort_id": request.cohort_id,
        "mentee_id": request.mentee_id,
        "mentor_id": request.mentor_id,
        "status": request.status,
        "origin": request.origin,
        "follows_id": request.follows_id,
        "created_at": request.created_at,
        "expires_at": request.expires_at,
        "decided_at": request.decided_at,
    }


def expiry_hours(session: Session, cohort: Cohort, settings) -> float:
    row = session.get(CohortSettings, cohort.id)
    if row is not None and row.request_expiry_hours is not None:
        return float(row.request_expiry_hours)
    return float(settings["REQUEST_EXPIRY_HOURS"])


def _conflict(kind: str, title: str, detail: str, **members):
    raise ApiProblem(409, title, detail, kind=kind, **members)


def _add(session, cohort, mentee, mentor, settings, origin, follows=None) -> MentorRequest:
    now = utcnow()
    request = MentorRequest(
        organization_id=cohort.organization_id,
        cohort_id=cohort.id,
        mentee_id=mentee,
        mentor_id=mentor,
        status=RequestStatus.PENDING.value,
        origin=origin,
        follows_id=follows,
        created_at=now,
        expires_at=now + timedelta(hours=expiry_hours(session, cohort, settings)),
    )
    session.add(request)
    session.flush()
    return request


def _asked(session: Session, cohort_id: str, mentee: str) -> list[MentorRequest]:
    return list(
        session.scalars(
            select(MentorRequest).where(
                MentorRequest.cohort_id == cohort_id, MentorRequest.mentee_id == mentee
            )
        )
    )


def create(session: Session, cohort: Cohort, mentee: str, mentor: str, settings) -> MentorRequest:
    """A new pending request from ``mentee`` for ``mentor`` (see the module docstring).

    Raises
    ------
    ApiProblem
        404 for someone not in the roster in that role; 409 as the module docstring says.
    """
    state = standing(session, cohort)
    i = mentee_index(state, cohort, mentee)
    people = state.prepared.cohort
    if mentor not in people.mentor_ids:
        raise ApiProblem(
            404, "not found", f"no mentor {mentor} in cohort {cohort.id}", kind="not-found"
        )
    j = people.mentor_ids.index(mentor)
    rules = forbidding_rules(state.prepared.rules, i, j)
    if rules:
        words = " and ".join(RULE_WORDS[r] for r in rules)
        _conflict(
            "pair-forbidden",
            "pair forbidden",
            f"{mentee} cannot be paired with {mentor}: ruled out by {words}",
            rules=rules,
        )
    asked = _asked(session, cohort.id, mentee)
    if any(r.mentor_id == mentor and r.status in HOLDING for r in asked):
        _conflict(
            "already-requested",
            "already requested",
            f"{mentee} already has a pending or accepted request for {mentor}",
        )
    wanted = int(people.mentees[i].capacity)
    holding = sum(1 for r in asked if r.status in HOLDING)
    if holding >= wanted:
        _conflict(
            "mentee-full",
            "mentee has no place left",
            f"{mentee} wants {wanted} mentor(s) and holds {holding} pending or accepted "
            "request(s); one must be declined or expire first",
        )
    room = int(state.room(mentee)[j])
    if room <= 0:
        _conflict(
            "mentor-full",
            "mentor has no room",
            f"{mentor} has no place left (capacity {int(people.mentors[j].capacity)}, counting "
            "the latest run's pairs and pending and accepted requests); ask for suggestions",
        )
    return _add(session, cohort, mentee, mentor, settings, RequestOrigin.MENTEE.value)


def _pass_on(session, cohort, request: MentorRequest, settings) -> MentorRequest | None:
    """The mentee's next suggestion, as a new pending request, or None when none is left."""
    state = standing(session, cohort)
    if request.mentee_id not in state.prepared.cohort.mentee_ids:
        return None  # the mentee left
    i = state.prepared.cohort.mentee_ids.index(request.mentee_id)
    asked = _asked(session, cohort.id, request.mentee_id)
    wanted = int(state.prepared.cohort.mentees[i].capacity)
    if sum(1 for r in asked if r.status in HOLDING) >= wanted:
        return None
    order, _, _ = ranked(state, request.mentee_id, i, 1, {r.mentor_id for r in asked})
    if order.size == 0:
        return None
    mentor = state.prepared.cohort.mentor_ids[int(order[0])]
    origin = RequestOrigin.NEXT_SUGGESTION.value
    return _add(session, cohort, request.mentee_id, mentor, settings, origin, request.id)


def _close(session, cohort, request: MentorRequest, status: RequestStatus, settings, now):
    """Set a pending request's final status, pass on if it was turned down, tell webhooks."""
    request.status, request.decided_at = status.value, now
    session.flush()
    after = None
    if status is not RequestStatus.ACCEPTED:
        after = _pass_on(session, cohort, request, settings)
    data = {
        "request_id": request.id,
        "cohort_id": cohort.id,
        "mentee_id": request.mentee_id,
        "mentor_id": request.mentor_id,
        "status": request.status,
        "next_request_id": after.id if after is not None else None,
    }
    emit(session, cohort.organization_id, EVENTS[request.status], data)
    return after


def expire_due(session: Session, cohort: Cohort, settings, now: datetime | None = None) -> int:
    """Expire the cohort's pending requests past their time (caller holds the cohort lock).

    Returns
    -------
    int
        How many requests expired.
    """
    now = now or utcnow()
    due = list(
        session.scalars(
            select(MentorRequest)
            .where(
                MentorRequest.cohort_id == cohort.id,
                MentorRequest.status == RequestStatus.PENDING.value,
                MentorRequest.expires_at <= now,
            )
            .order_by(MentorRequest.expires_at, MentorRequest.id)
        )
    )
    for request in due:
        _close(session, cohort, request, RequestStatus.EXPIRED, settings, now)
    return len(due)


def withdraw_leavers(session: Session, cohort: Cohort, left, settings) -> int:
    """Withdraw the pending and accepted requests naming someone in ``left`` (a people
    sync's leavers, already out of the roster; the caller holds the cohort lock).

    Returns
    -------
    int
        How many requests were withdrawn.
    """
    left = set(left)
    if not left:
        return 0
    rows = list(
        session.scalars(
            select(MentorRequest)
            .where(MentorRequest.cohort_id == cohort.id, MentorRequest.status.in_(HOLDING))
            .order_by(MentorRequest.created_at, MentorRequest.id)
        )
    )
    now, gone = utcnow(), [r for r in rows if r.mentee_id in left or r.mentor_id in left]
    for request in gone:
        _close(session, cohort, request, RequestStatus.WITHDRAWN, settings, now)
    return len(gone)


def decide(
    session: Session, cohort: Cohort, request: MentorRequest, accept: bool, settings
) -> MentorRequest | None:
    """Accept or decline a pending request; the request passed on to, if any.

    Deciding it again the same way changes nothing (the answer is the same).

    Raises
    ------
    ApiProblem
        409 ``request-closed`` when it is no longer pending (another decision, expiry).
    """
    wanted = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    if request.status == wanted.value:
        return _next_of(session, request)
    if request.status != RequestStatus.PENDING.value:
        _conflict(
            "request-closed",
            "request closed",
            f"request {request.id} is {request.status}; only a pending request can be "
            f"{'accepted' if accept else 'declined'}",
            request_status=request.status,
        )
    return _close(session, cohort, request, wanted, settings, utcnow())


def _next_of(session: Session, request: MentorRequest) -> MentorRequest | None:
    return session.scalars(
        select(MentorRequest).where(MentorRequest.follows_id == request.id)
    ).first()
