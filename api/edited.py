"""A stored result after an erasure: the pairs left, re-assembled for the roster left.

Deleting a person's pairs leaves figures that no longer add up (the objective, the
metrics, mentees whose mentor was erased but who are not listed as unmatched). So each
finished run an erasure touched is re-assembled by the core from its remaining pairs and
the roster without the person (:func:`matcher.result.assemble.assemble`, the function a
solve ends with): scores, explanations, unmatched rows with their reasons, alternates and
metrics are those of the remaining pairs, the status is ``feasible`` (the pairs are no
longer proven best), the bound and gap are cleared, and a note says why. No pair is
added or moved.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from api.store import load_result, save_result, solved_inputs
from api.tables import Run, RunStatus
from api.tables_answers import ANSWER_KINDS
from matcher.encode.instance import Solution
from matcher.encode.prepare import prepare
from matcher.model import InputError
from matcher.result.assemble import assemble
from matcher.results import Status


def reassemble(session: Session, run: Run, note: str) -> bool:
    """Re-assemble ``run``'s stored result from its remaining pairs (see module doc).

    Parameters
    ----------
    session : in the erasure's transaction, after the person's rows were deleted.
    run : a run of the organization; only a succeeded run that solved a matching (not an
        answer job) has a result to re-assemble.
    note : appended to the result's notes.

    Returns
    -------
    bool
        False when the run has no result, or its inputs no longer make a valid cohort
        (e.g. nobody is left): its remaining rows are then kept as they are, with the note.
    """
    if run.status != RunStatus.SUCCEEDED.value or run.kind in ANSWER_KINDS:
        run.notes = [*(run.notes or []), note]  # an answer job's answer is redacted instead
        return False
    old = load_result(session, run)
    try:
        cohort, policy = solved_inputs(session, run)
        prepared = prepare(cohort, policy)
    except (InputError, ValueError):
        run.notes = [*(run.notes or []), note]
        return False
    instance = prepared.instance
    mentees = {m: i for i, m in enumerate(instance.mentee_ids)}
    mentors = {m: j for j, m in enumerate(instance.mentor_ids)}
    pairs = tuple(
        sorted(
            (mentees[p.mentee_id], mentors[p.mentor_id])
            for p in old.pairs
            if p.mentee_id in mentees and p.mentor_id in mentors
        )
    )
    solution = Solution(pairs=pairs, status=Status.FEASIBLE, certified=False)
    result = assemble(prepared, solution, run.solver or old.solver)
    result = dataclasses.replace(
        result, notes=(*old.notes, note), timings=old.timings, conflicts=old.conflicts
    )
    save_result(session, run, result)
    return True
