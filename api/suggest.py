"""Suggestions: a mentee's best eligible mentors who still have room, explained.

The cohort's current roster is prepared under the policy of its latest succeeded match or
rematch run (the preset of its program, with its mapping's question rules, when it has
none) with the core's :func:`matcher.encode.prepare.prepare`, so eligibility, scores and
explanations are the ones a solve would use (:func:`matcher.result.pair_text.explain_pair`).
A mentor's room is their capacity less the mentees that run gave them (other than this
mentee, when that run solved the current roster's people); a mentor without room, sitting
out or ruled out by a hard rule is never suggested. Ids and scores only, never names or
emails.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.mappings import with_cohort_rules
from api.people import latest_match
from api.store import load_cohort, solved_inputs
from api.tables import Assignment, Cohort
from matcher.encode.prepare import prepare
from matcher.encode.scoring import pair_components
from matcher.io.policy import policy_from_dict, preset
from matcher.result.pair_text import explain_pair
from matcher.results import SCORE_DIGITS


def suggestions(session: Session, cohort: Cohort, mentee_id: str, limit: int) -> dict:
    """The ``limit`` best mentors with room for ``mentee_id``, best first.

    Raises
    ------
    ApiProblem
        404 when the mentee is not in the cohort's current roster.
    """
    people = load_cohort(session, cohort.id)
    if mentee_id not in people.mentee_ids:
        raise ApiProblem(
            404, "not found", f"no mentee {mentee_id} in cohort {cohort.id}", kind="not-found"
        )
    run = latest_match(session, cohort.id)
    if run is None:
        policy = with_cohort_rules(session, cohort.id, preset(cohort.program))
    elif run.kind == "match":
        policy = policy_from_dict(run.policy)
    else:  # a rematch: its policy with its changes' policy sections
        policy = solved_inputs(session, run)[1]
    prepared = prepare(people, policy)
    instance = prepared.instance
    i = people.mentee_ids.index(mentee_id)
    load = _loads(session, run, mentee_id) if run is not None else {}
    room = np.array(
        [int(c) - load.get(m, 0) for m, c in zip(people.mentor_ids, instance.capacity, strict=True)]
    )
    ok = instance.eligible[i] & (room > 0)
    cols = np.flatnonzero(ok)
    order = cols[np.lexsort((cols, -instance.scores[i, cols]))][:limit]
    rows = np.full(order.size, i, dtype=np.int64)
    parts = pair_components(prepared.tables, rows, order)
    items = []
    for k, j in enumerate(order.tolist()):
        comps = {c: round(float(v[k]), SCORE_DIGITS) for c, v in parts.items()}
        items.append(
            {
                "mentor_id": people.mentor_ids[j],
                "score": round(float(instance.scores[i, j]), SCORE_DIGITS),
                "components": comps,
                "room": int(room[j]),
                "explanation": explain_pair(prepared, i, j, comps),
            }
        )
    return {
        "cohort_id": cohort.id,
        "mentee_id": mentee_id,
        "policy_run_id": run.id if run is not None else None,
        "eligible_with_room": int(cols.size),
        "items": items,
    }


def _loads(session: Session, run, mentee_id: str) -> dict[str, int]:
    """Mentees per mentor in ``run``'s pairs, leaving this mentee's own out."""
    return dict(
        session.execute(
            select(Assignment.mentor_id, func.count())
            .where(Assignment.run_id == run.id, Assignment.mentee_id != mentee_id)
            .group_by(Assignment.mentor_id)
        ).all()
    )
