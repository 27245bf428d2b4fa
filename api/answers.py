"""The answers that defend a match (:mod:`matcher.answers`), asked of a stored run.

Each function takes a succeeded run and answers on what the run solved: its own cohort at
its roster version and its own policy, with a scenario's or rematch's changes applied
(:func:`api.store.solved_inputs`), so the API's answer is the CLI's on the same inputs.
The audit and the receipt read the stored result (no solve); why-not re-solves and is
refused above ``SYNC_MATCH_LIMIT`` participants, pointing to the CLI; verify prepares the
cohort (every hard rule and score re-derived) and is held to the same limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.orm import Session

from api.errors import ApiProblem
from api.services import services
from api.store import load_result, solved_inputs
from api.tables import Run
from matcher.answers.audit import audit, audit_to_dict
from matcher.answers.receipt import make_receipt, receipt_from_dict, receipt_to_dict
from matcher.answers.verify import verify
from matcher.answers.why_not import why_not, why_not_to_dict
from matcher.model import Cohort, InfeasibleError, InputError, Problem

COLUMNS = {"MENTEE_ID": "mentee", "--why-not": "mentor"}  # the CLI's names -> the query's
CLI = {
    "why-not": "mentormatch explain SHEET MENTEE_ID --why-not MENTOR_ID --json",
    "verify": "mentormatch verify RECEIPT SHEET PAIRS",
}


def _within_limit(cohort: Cohort, what: str) -> None:
    """422 ``too-large-to-answer-inline`` above ``SYNC_MATCH_LIMIT`` participants."""
    limit = services().settings["SYNC_MATCH_LIMIT"]
    count = len(cohort.mentors) + len(cohort.mentees)
    if count > limit:
        raise ApiProblem(
            422,
            "too large to answer inline",
            f"the run's cohort has {count} participants; this server answers {what} inline "
            f"for at most {limit}. Use the CLI on the cohort's sheet: {CLI[what]}",
            kind="too-large-to-answer-inline",
            participants=count,
            limit=limit,
        )


def why_not_body(session: Session, run: Run, mentee: str, mentor: str) -> dict:
    """``why_not_to_dict`` of the run's cohort and policy for this pair.

    Raises
    ------
    InputError
        Unknown ids (each named with the closest id), a policy whose objective is not the
        total score, or hard rules that conflict (there is no optimum to compare with).
    ApiProblem
        422 above ``SYNC_MATCH_LIMIT`` participants; 503 when the inline solves are busy.
    """
    cohort, policy = solved_inputs(session, run)
    _within_limit(cohort, "why-not")
    try:
        with services().sync_solve():
            answer = why_not(cohort, policy, mentee, mentor)
    except InputError as error:
        problems = [
            replace(p, column=COLUMNS.get(p.column, p.column), source="query")
            for p in error.problems
        ]
        raise InputError(problems, title=error.title) from None
    except InfeasibleError as error:
        problems = [Problem(c, source="policy") for c in error.conflicts]
        raise InputError(problems, title="the run's hard rules conflict: no optimum") from None
    return why_not_to_dict(answer)


def audit_body(session: Session, run: Run, threshold: float, min_size: int) -> dict:
    """``audit_to_dict`` of the run's stored result against what it solved."""
    cohort, _ = solved_inputs(session, run)
    answer = audit(cohort, load_result(session, run), threshold=threshold, min_size=min_size)
    return audit_to_dict(answer)


def receipt_body(session: Session, run: Run) -> dict:
    """``receipt_to_dict`` of the run's stored result, cohort (as stored: no names or
    emails) and policy; the versions are this server's. The certificate (potentials found
    for the stored pairs) is made up to ``SYNC_MATCH_LIMIT`` participants; above, its note
    points to ``mentormatch match --receipt``."""
    cohort, policy = solved_inputs(session, run)
    limit = services().settings["SYNC_MATCH_LIMIT"]
    small = len(cohort.mentors) + len(cohort.mentees) <= limit
    receipt = make_receipt(cohort, policy, load_result(session, run), certificate=small)
    if not small:
        note = (
            f"no certificate: above {limit} participants this server does not find one inline; "
            "mentormatch match --receipt writes one"
        )
        receipt = replace(receipt, certificate_note=note)
    return receipt_to_dict(receipt)


def verify_body(session: Session, run: Run, data: Mapping) -> dict:
    """``{"verified", "findings"}``: a receipt and pairs re-checked against what the run
    solved (digests and figures, then every hard rule, capacity and score).

    Raises
    ------
    InputError
        A receipt that does not read (every key named).
    """
    receipt = receipt_from_dict(data["receipt"], "receipt")
    cohort, policy = solved_inputs(session, run)
    _within_limit(cohort, "verify")
    pairs = [(p["mentee_id"], p["mentor_id"]) for p in data["pairs"]]
    findings = verify(receipt, cohort, policy, pairs, [p["score"] for p in data["pairs"]])
    return {"verified": not findings, "findings": findings}
