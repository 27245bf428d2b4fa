"""Receipts: what a result was made from and what it claims, in a form anyone can re-check.

:func:`make_receipt` records SHA-256 digests of the cohort (its canonical records, plus
any bring-your-own scores), of the policy (its canonical file form) and of the pairs
(sorted ``(mentee_id, mentor_id)``), the versions that made it, the solver, status,
certificate flag, matched places, objective and bound, and the optimality certificate
(node potentials of the flow, :mod:`matcher.answers.certificate`) when the result is the
total objective's plain flow optimum, or in ``certificate_note`` why it has none. A
receipt holds no names or emails: digests, figures and potentials only.
:func:`mismatches` compares a receipt with a sheet, a policy and a pairs file in words;
:mod:`matcher.answers.verify` adds what the pairs themselves break.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.model import Cohort, InputError, Policy, Problem
from matcher.results import MatchResult, Status

if TYPE_CHECKING:
    from matcher.solve import Solved

FORMAT = 2  # 2 adds the certificate; format 1 receipts still read
_FIELDS = {
    "format": int,
    "mentormatch": str,
    "versions": dict,
    "cohort_sha256": str,
    "policy_sha256": str,
    "pairs_sha256": str,
    "solver": str,
    "status": str,
    "certified": bool,
    "places": int,
    "objective": float,
    "bound": (float, type(None)),
}
_OPTIONAL = {"certificate": (dict, type(None)), "certificate_note": str}  # format 1 lacks them


@dataclass(frozen=True)
class Receipt:
    """What a result was made from and what it claims (see the module docstring)."""

    format: int
    mentormatch: str
    versions: tuple[tuple[str, str | None], ...]
    cohort_sha256: str
    policy_sha256: str
    pairs_sha256: str
    solver: str
    status: str
    certified: bool
    places: int
    objective: float
    bound: float | None
    certificate: dict | None = None
    certificate_note: str = ""


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cohort_digest(cohort: Cohort) -> str:
    """SHA-256 of the cohort's canonical records (without names and emails), org chart and
    external scores."""
    from matcher.io.records import cohort_to_records

    scores = cohort.external_scores
    listed = None
    if scores is not None:
        listed = [
            [cohort.mentee_ids[int(i)], cohort.mentor_ids[int(j)], float(v)]
            for i, j, v in zip(scores.mentee_index, scores.mentor_index, scores.value, strict=True)
        ]
    # Names and emails are left out: the matcher never reads them, and the service stores
    # cohorts without them, so the sheet's receipt and the stored run's receipt agree.
    records = [
        {k: v for k, v in r.items() if k not in ("name", "email")}
        for r in cohort_to_records(cohort)
    ]
    return _digest(
        {
            "records": records,
            "org_chart": sorted(cohort.org_chart),
            "scores": listed,
        }
    )


def policy_digest(policy: Policy) -> str:
    """SHA-256 of the policy's canonical file form."""
    from matcher.io.policy import policy_to_dict

    return _digest(policy_to_dict(policy))


def pairs_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of the sorted (mentee_id, mentor_id) pairs, repeats kept."""
    return _digest(sorted([str(e), str(m)] for e, m in pairs))


def _versions() -> tuple[tuple[str, str | None], ...]:
    found = []
    for name in ("numpy", "ortools"):  # sorted, as a read receipt holds them
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _certificate(
    cohort: Cohort, policy: Policy, result: MatchResult, solved: Solved | None
) -> tuple[dict | None, str]:
    """The certificate of a certified total-objective flow result, or why there is none."""
    from matcher.answers.certificate import certificate_to_dict, make_certificate
    from matcher.encode.prepare import prepare
    from matcher.model import Objective

    if policy.objective is not Objective.TOTAL or result.solver not in ("flow", "cpsat"):
        return None, f"no certificate: the {policy.objective.value} objective is not one flow"
    if result.status is not Status.OPTIMAL or not result.certified:
        return None, "no certificate: the result is not a certified optimum"
    prepared = solved.prepared if solved and solved.prepared else prepare(cohort, policy)
    graph = solved.solution.graph if solved and solved.solution else None
    instance = prepared.instance
    e_at = {x: i for i, x in enumerate(instance.mentee_ids)}
    m_at = {x: j for j, x in enumerate(instance.mentor_ids)}
    pairs = [(e_at[p.mentee_id], m_at[p.mentor_id]) for p in result.pairs]
    found = make_certificate(instance, pairs, graph, prepared.persons.departments)
    if isinstance(found, str):
        return None, f"no certificate: {found}"
    note = (
        "node potentials of the min-cost flow in integer units (score * scale, rounded); "
        "they prove the pairs optimal against every eligible pair"
    )
    return certificate_to_dict(found), note


def make_receipt(
    cohort: Cohort,
    policy: Policy,
    result: MatchResult,
    *,
    certificate: bool = True,
    solved: Solved | None = None,
) -> Receipt:
    """The receipt of ``result``, solved from ``cohort`` under ``policy``.

    Parameters
    ----------
    cohort, policy, result : what was solved and its result.
    certificate : find the optimality certificate (prepares the cohort again unless
        ``solved`` is given, and computes potentials: about a second at 10,000 x 2,000).
    solved : the solve that gave ``result`` (:func:`matcher.solve.solve_in_full`): the
        certificate then reads its prepared cohort and starts from its last candidate
        graph instead of preparing and opening the cohort again.

    Returns
    -------
    Receipt
    """
    from matcher import __version__

    cert, note = (
        _certificate(cohort, policy, result, solved) if certificate else (None, "not asked")
    )

    return Receipt(
        format=FORMAT,
        mentormatch=__version__,
        versions=_versions(),
        cohort_sha256=cohort_digest(cohort),
        policy_sha256=policy_digest(policy),
        pairs_sha256=pairs_digest((p.mentee_id, p.mentor_id) for p in result.pairs),
        solver=result.solver,
        status=result.status.value,
        certified=result.certified,
        places=len(result.pairs),
        objective=result.objective,
        bound=result.bound,
        certificate=cert,
        certificate_note=note,
    )


def receipt_to_dict(receipt: Receipt) -> dict:
    """A :class:`Receipt` as JSON-ready data (``versions`` as an object)."""
    out = asdict(receipt)
    out["versions"] = dict(receipt.versions)
    return out


def receipt_from_dict(data: Mapping, source: str = "receipt") -> Receipt:
    """A Receipt from its JSON data, every problem at once.

    Raises
    ------
    InputError
        For a missing, unknown or mistyped key, or another format.
    """
    problems = []
    if not isinstance(data, Mapping):
        raise InputError([Problem("expected a JSON object", source=source)], "not a receipt")
    for key in sorted(set(data) - set(_FIELDS) - set(_OPTIONAL)):
        problems.append(Problem("unknown key", column=key, source=source))
    for key, kind in _FIELDS.items():
        if key not in data:
            problems.append(Problem("missing", column=key, source=source))
            continue
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        whole = isinstance(value, int) and not isinstance(value, bool)
        number = float in kinds and whole  # JSON writes 3.0 as 3
        if not (isinstance(value, kinds) or number) or (kind is int and not whole):
            problems.append(Problem(f"expected {_kind(kind)}", column=key, value=str(value)))
    for key, kind in _OPTIONAL.items():
        if key in data and not isinstance(data[key], kind):
            problems.append(Problem(f"expected {_kind(kind)}", column=key, source=source))
    if not problems and data["format"] not in (1, FORMAT):
        problems.append(Problem(f"expected format 1 or {FORMAT}", column="format", source=source))
    if problems:
        raise InputError(problems, title="mentormatch cannot read this receipt")
    fields = dict(data)
    fields["versions"] = tuple(sorted(data["versions"].items()))
    fields["objective"] = float(data["objective"])
    fields["bound"] = None if data["bound"] is None else float(data["bound"])
    return Receipt(**fields)


def _kind(kind) -> str:
    if kind == (dict, type(None)):
        return "an object or null"
    if isinstance(kind, tuple):
        return "a number or null"
    return {int: "a whole number", float: "a number", str: "text", bool: "true or false"}.get(
        kind, "an object"
    )


def read_receipt(path) -> Receipt:
    """Read a receipt file written by ``mentormatch match --receipt``.

    Raises
    ------
    InputError
        If the file is not JSON or not a receipt.
    """
    name = Path(path).name
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = Problem(f"expected a JSON receipt ({error})", source=name)
        raise InputError([problem], title="mentormatch cannot read this receipt") from None
    return receipt_from_dict(data, source=name)


def mismatches(
    receipt: Receipt,
    cohort: Cohort,
    policy: Policy,
    pairs: Iterable[tuple[str, str]],
    scores: Iterable[float],
) -> list[str]:
    """Where a sheet, a policy and a pairs file differ from what the receipt records.

    Parameters
    ----------
    receipt : the receipt.
    cohort, policy : as read now.
    pairs, scores : the pairs file's (mentee_id, mentor_id) pairs and their scores.

    Returns
    -------
    list of str
        Empty when every digest and figure agrees.
    """
    pairs, scores = list(pairs), list(scores)
    out = []
    if cohort_digest(cohort) != receipt.cohort_sha256:
        out.append("the sheet is not the one the receipt was made from (cohort digest differs)")
    if policy_digest(policy) != receipt.policy_sha256:
        out.append("the policy is not the one the receipt was made with (policy digest differs)")
    if pairs_digest(pairs) != receipt.pairs_sha256:
        out.append("the pairs differ from the receipt's pairs (pairs digest differs)")
    if len(pairs) != receipt.places:
        out.append(f"the pairs file has {len(pairs)} pairs, the receipt {receipt.places}")
    total = math.fsum(scores)
    if abs(total - receipt.objective) > 1e-6 * max(1, len(pairs)):
        out.append(f"the pairs' scores add up to {total:.6f}, the receipt says {receipt.objective}")
    if receipt.bound is not None and receipt.objective > receipt.bound + 1e-6 * max(1, len(pairs)):
        out.append(f"the receipt's objective {receipt.objective} exceeds its bound {receipt.bound}")
    return out
