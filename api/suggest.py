"""Suggestions: a mentee's best eligible mentors who still have room, explained.

The cohort's current roster is prepared under the policy of its latest succeeded match or
rematch run (the preset of its program, with its mapping's question rules and its
pairing-history settings, when it has none) with the core's
:func:`matcher.encode.prepare.prepare`, so eligibility, scores and explanations are the
ones a solve would use (:func:`matcher.result.pair_text.explain_pair`). A mentor's room is
their capacity less the other mentees who hold one of their places: the mentees that run
gave them (when that run solved the current roster's people) and the mentees with a pending
or accepted request for them (:mod:`api.mentor_requests`), each mentee counted once. A
mentor without room, sitting out or ruled out by a hard rule is never suggested. The
policy's pinned pairs play no part, and its forbidden pairs only while both people are in
the roster (a run's policy may name people who left since). Ids and scores only, never
names or emails. The prepared roster is kept per roster version and policy in the app's
:mod:`api.prepared_cache`, so a mentee's suggestions and requests after the first call
skip the preparation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np
from flask import has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.history import with_history
from api.mappings import with_cohort_rules
from api.people import UNCOMMITTED_ROSTERS, latest_match
from api.services import services
from api.store import load_cohort, solved_inputs
from api.tables import Assignment, Cohort, Run
from api.tables_cycles import HOLDING, MentorRequest
from matcher.answers.receipt import policy_digest
from matcher.encode.prepare import Prepared, prepare
from matcher.encode.scoring import pair_components
from matcher.io.policy import policy_from_dict, preset
from matcher.result.pair_text import explain_pair
from matcher.results import SCORE_DIGITS


@dataclass(frozen=True, eq=False)
class Standing:
    """A cohort's roster prepared under the policy suggestions use, and its places taken."""

    prepared: Prepared
    run: Run | None
    occupants: dict[str, set[str]]  # mentor id -> mentees holding one of their places

    def room(self, mentee_id: str) -> np.ndarray:
        """Each mentor's places left for ``mentee_id`` (others' places subtracted)."""
        people = self.prepared.cohort
        capacity = self.prepared.instance.capacity
        return np.array(
            [
                int(c) - len(self.occupants.get(m, set()) - {mentee_id})
                for m, c in zip(people.mentor_ids, capacity, strict=True)
            ]
        )


def standing(session: Session, cohort: Cohort) -> Standing:
    """The cohort's current roster under its suggestion policy, with every place taken.

    The prepared roster comes from the app's :class:`~api.prepared_cache.PreparedCache`
    when this roster version was prepared under this policy before, except in the
    transaction of a people sync that changed it (not committed, so not cached); places
    are read here.
    """
    run = latest_match(session, cohort.id)
    if run is None:
        policy = with_cohort_rules(session, cohort.id, preset(cohort.program))
        policy = with_history(session, cohort, policy, None)
    elif run.kind == "match":
        policy = policy_from_dict(run.policy)
    else:  # a rematch: its policy with its changes' policy sections
        policy = solved_inputs(session, run)[1]

    def build() -> Prepared:
        people = load_cohort(session, cohort.id)
        return prepare(people, _for_roster(policy, people))

    roster = (cohort.id, cohort.version, cohort.n_mentors, cohort.n_mentees)
    if has_app_context() and cohort.id not in session.info.get(UNCOMMITTED_ROSTERS, ()):
        prepared = services().prepared.get((*roster, policy_digest(policy)), build)
    else:
        prepared = build()
    occupants: dict[str, set[str]] = {}
    holders = select(MentorRequest.mentor_id, MentorRequest.mentee_id).where(
        MentorRequest.cohort_id == cohort.id, MentorRequest.status.in_(HOLDING)
    )
    rows = list(session.execute(holders))
    if run is not None:
        rows += session.execute(
            select(Assignment.mentor_id, Assignment.mentee_id).where(Assignment.run_id == run.id)
        )
    for mentor, mentee in rows:
        occupants.setdefault(mentor, set()).add(mentee)
    return Standing(prepared, run, occupants)


def _for_roster(policy, people):
    """``policy`` without pins (they decide no pair's eligibility or score, and may name
    people who left since its run) and with forbidden pairs of people still here only."""
    mentees, mentors = set(people.mentee_ids), set(people.mentor_ids)
    forbidden = tuple(p for p in policy.forbidden_pairs if p[0] in mentees and p[1] in mentors)
    return replace(policy, pinned_pairs=(), forbidden_pairs=forbidden)


def mentee_index(state: Standing, cohort: Cohort, mentee_id: str) -> int:
    """The mentee's row in the roster.

    Raises
    ------
    ApiProblem
        404 when the mentee is not in the cohort's current roster.
    """
    ids = state.prepared.cohort.mentee_ids
    if mentee_id not in ids:
        raise ApiProblem(
            404, "not found", f"no mentee {mentee_id} in cohort {cohort.id}", kind="not-found"
        )
    return ids.index(mentee_id)


def ranked(state: Standing, mentee_id: str, i: int, limit: int, skip: Collection[str] = ()):
    """(mentor indices best first, their room, how many are eligible with room)."""
    instance = state.prepared.instance
    room = state.room(mentee_id)
    ok = instance.eligible[i] & (room > 0)
    if skip:
        ok &= ~np.isin(np.array(instance.mentor_ids, dtype=object), list(skip))
    cols = np.flatnonzero(ok)
    order = cols[np.lexsort((cols, -instance.scores[i, cols]))][:limit]
    return order, room, int(cols.size)


def suggestions(session: Session, cohort: Cohort, mentee_id: str, limit: int) -> dict:
    """The ``limit`` best mentors with room for ``mentee_id``, best first.

    Raises
    ------
    ApiProblem
        404 when the mentee is not in the cohort's current roster.
    """
    state = standing(session, cohort)
    i = mentee_index(state, cohort, mentee_id)
    prepared = state.prepared
    instance = prepared.instance
    order, room, eligible = ranked(state, mentee_id, i, limit)
    rows = np.full(order.size, i, dtype=np.int64)
    parts = pair_components(prepared.tables, rows, order)
    items = []
    for k, j in enumerate(order.tolist()):
        comps = {c: round(float(v[k]), SCORE_DIGITS) for c, v in parts.items()}
        items.append(
            {
                "mentor_id": instance.mentor_ids[j],
                "score": round(float(instance.scores[i, j]), SCORE_DIGITS),
                "components": comps,
                "room": int(room[j]),
                "explanation": explain_pair(prepared, i, j, comps),
            }
        )
    return {
        "cohort_id": cohort.id,
        "mentee_id": mentee_id,
        "policy_run_id": state.run.id if state.run is not None else None,
        "eligible_with_room": eligible,
        "items": items,
    }
