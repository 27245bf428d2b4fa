"""Pairing history and accepted requests in the policy of a cohort's next run.

A run's policy gets its earlier-cycle pairs here, not from the client: the body's
``history`` section (or, without one, the cohort's settings) names earlier runs by id,
and :func:`earlier_pairs` reads their pairs (runs of any cohort of the organization, that
succeeded). The core then avoids or prefers them (:class:`matcher.model.History`); the
stored run policy lists the pairs it used, so the run can be checked and repeated.
:func:`with_accepted` pins the cohort's accepted requests whose two people are still in
the roster (:mod:`api.mentor_requests`); :func:`pin_accepted` does the same for a run no
one can be asked about (a people sync's rematch), leaving out with a note each pin a rule
now forbids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.store import at_version
from api.tables import Assignment, Cohort, Participant, Run, RunStatus
from api.tables_cycles import CohortSettings, MentorRequest, RequestStatus
from matcher.encode.attributes import encode_attributes
from matcher.encode.person_arrays import person_arrays, tag_normaliser
from matcher.encode.rules import RULE_WORDS, forbidding_rules, rule_context
from matcher.model import Cohort as People
from matcher.model import History, InputError, Policy, Problem


def earlier_pairs(
    session: Session, run_ids: Sequence[str], column: str = "history.runs"
) -> tuple[tuple[str, str], ...]:
    """The (mentee_id, mentor_id) pairs of earlier runs of the caller's organization.

    Raises
    ------
    InputError
        One problem per run id that is not a succeeded run of the organization (another
        organization's run reads as unknown).
    """
    problems, pairs = [], {}
    for k, run_id in enumerate(run_ids):
        run = session.get(Run, run_id) if isinstance(run_id, str) else None
        if run is None or run.organization_id != g.organization_id:
            message = "expected the id of a run of your organization"
        elif run.status != RunStatus.SUCCEEDED.value:
            message = f"expected a succeeded run; this one has {run.status}"
        else:
            rows = session.execute(
                select(Assignment.mentee_id, Assignment.mentor_id)
                .where(Assignment.run_id == run_id)
                .order_by(Assignment.position)
            ).all()
            pairs.update(dict.fromkeys((e, m) for e, m in rows))
            continue
        problems.append(
            Problem(message, row=k, column=column, value=str(run_id)[:80], source="policy")
        )
    if problems:
        raise InputError(problems, title="the pairing history names unknown runs")
    return tuple(pairs)


def history_section(data: Mapping) -> tuple[dict, list | None]:
    """The body without ``history.runs``, and those runs (None when the body has no
    ``history`` section, so the cohort's settings apply)."""
    section = data.get("history")
    if not isinstance(section, Mapping):
        return dict(data), None
    rest = {k: v for k, v in section.items() if k != "runs"}
    runs = section.get("runs", [])
    if not isinstance(runs, list):
        problem = Problem("expected a list of run ids", column="history.runs", source="policy")
        raise InputError([problem], title="policy rejected")
    return {**data, "history": rest}, runs


def with_history(session: Session, cohort: Cohort, policy: Policy, runs: list | None) -> Policy:
    """``policy`` with the earlier pairs of ``runs`` added, or the cohort's settings'
    history (mode and runs) when ``runs`` is None."""
    if runs is None:
        settings = session.get(CohortSettings, cohort.id)
        if settings is None or settings.history == History.IGNORE.value:
            return policy
        mode, runs = History(settings.history), settings.history_run_ids
        policy = replace(policy, history=mode)
    if not runs:
        return policy
    pairs = dict.fromkeys(policy.previous_pairs)
    pairs.update(dict.fromkeys(earlier_pairs(session, runs)))
    return replace(policy, previous_pairs=tuple(pairs))


def accepted_pairs(session: Session, cohort_id: str) -> list[tuple[str, str]]:
    """The cohort's accepted requests as (mentee_id, mentor_id), oldest first."""
    rows = session.execute(
        select(MentorRequest.mentee_id, MentorRequest.mentor_id)
        .where(
            MentorRequest.cohort_id == cohort_id,
            MentorRequest.status == RequestStatus.ACCEPTED.value,
        )
        .order_by(MentorRequest.decided_at, MentorRequest.id)
    ).all()
    return [(e, m) for e, m in rows]


def with_accepted(session: Session, cohort: Cohort, policy: Policy) -> Policy:
    """``policy`` with the accepted requests of people still in the roster pinned.

    Raises
    ------
    InputError
        When the policy forbids an accepted pair (``rules.forbidden_pairs``).
    """
    rows = session.execute(
        select(Participant.role, Participant.external_id).where(
            Participant.cohort_id == cohort.id, at_version(None)
        )
    ).all()
    mentees = {person for role, person in rows if role == "mentee"}
    mentors = {person for role, person in rows if role == "mentor"}
    pins = dict.fromkeys(policy.pinned_pairs)
    forbidden = set(policy.forbidden_pairs)
    problems = []
    for pair in accepted_pairs(session, cohort.id):
        if pair[0] in mentees and pair[1] in mentors:
            if pair in forbidden:
                message = (
                    "a forbidden pair whose mentor request was accepted; accepted requests "
                    "are pinned in every next run: forbid it only if the pairing has ended"
                )
                problems.append(
                    Problem(message, column="rules.forbidden_pairs", value=str(list(pair)))
                )
            pins[pair] = None
    if problems:
        raise InputError(problems, title="the policy does not fit the cohort")
    return replace(policy, pinned_pairs=tuple(pins))


def pin_accepted(session: Session, cohort: Cohort, people: People, policy: Policy):
    """``policy`` with the accepted requests between people of ``people`` pinned, and every
    pin a rule now forbids left out, each said in a note.

    For a run queued without anyone to answer a 422 (a people sync's rematch): a pin is
    left out when the policy forbids the pair (``rules.forbidden_pairs``) or a hard rule
    rules it out for the people as they are now (a sync may have changed them). Pins
    naming someone not in ``people`` are kept for the run's change set to drop.

    Returns
    -------
    (Policy, list of str)
        The policy and the notes (ids only), one per pin left out.
    """
    mentees, mentors = set(people.mentee_ids), set(people.mentor_ids)
    accepted = [
        p for p in accepted_pairs(session, cohort.id) if p[0] in mentees and p[1] in mentors
    ]
    pins = dict.fromkeys((*policy.pinned_pairs, *accepted))
    forbidden, accepted = set(policy.forbidden_pairs), set(accepted)
    here = [p for p in pins if p[0] in mentees and p[1] in mentors]
    if not here:
        return replace(policy, pinned_pairs=tuple(pins)), []
    normalise = tag_normaliser(policy.aliases)
    persons = person_arrays(people, normalise)
    attributes = encode_attributes(people, policy.attributes, normalise)
    here_only = tuple(p for p in forbidden if p[0] in mentees and p[1] in mentors)
    bare = replace(policy, pinned_pairs=(), forbidden_pairs=here_only)
    rules = rule_context(people, bare, persons, attributes)
    notes = []
    for pair in here:
        what = "accepted mentor request" if pair in accepted else "pinned pair"
        if pair in forbidden:
            reason = "the policy forbids the pair (rules.forbidden_pairs)"
        else:
            i, j = people.mentee_ids.index(pair[0]), people.mentor_ids.index(pair[1])
            found = forbidding_rules(rules, i, j)
            if not found:
                continue
            reason = "ruled out by " + " and ".join(RULE_WORDS[r] for r in found)
        notes.append(f"{what} {pair[0]}-{pair[1]} not pinned: {reason}")
        del pins[pair]
    return replace(policy, pinned_pairs=tuple(pins)), notes
