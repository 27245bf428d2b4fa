"""Verify a receipt: the digests, then what the pairs break, re-derived without the solver.

:func:`verify` compares a receipt with a sheet, a policy and a pairs file
(:func:`matcher.answers.receipt.mismatches`: digests and figures) and :func:`pair_findings`
re-derives what the pairs must obey from the encoding of the sheet and policy (every hard
rule, place, capacity, minimum load, department cap, pinned pair and score), trusting no
solver: a tampered pairs file is rejected twice, by its digest and by what it breaks.
When the receipt carries the optimality certificate, :func:`certificate_findings` re-checks
it on the network re-derived from the sheet by the independent checker's own rule and score
functions (:mod:`matcher.answers.certificate_check`): the pairs are then proven optimal
against every eligible pair, not only valid.
"""

from __future__ import annotations

import numpy as np

from matcher.answers.receipt import Receipt, mismatches
from matcher.encode.instance import Instance
from matcher.encode.prepare import Prepared, prepare
from matcher.encode.rules import RULE_WORDS, forbidding_pairs
from matcher.model import Cohort, InfeasibleError, Policy


def _loads(instance: Instance, known: list[tuple[int, int]]) -> list[str]:
    """Places, capacities, minimum loads and department caps the pairs break."""
    e_ids, m_ids = instance.mentee_ids, instance.mentor_ids
    rows = np.array([i for i, _ in known], np.int64)
    cols = np.array([j for _, j in known], np.int64)
    got = np.bincount(rows, minlength=instance.shape[0])
    load = np.bincount(cols, minlength=instance.shape[1])
    out = [
        f"mentee {e_ids[i]} has {got[i]} mentors, wants {instance.wanted[i]}"
        for i in np.flatnonzero(got > instance.wanted)
    ]
    out += [
        f"mentor {m_ids[j]} has {load[j]} mentees, capacity {instance.capacity[j]}"
        for j in np.flatnonzero(load > instance.capacity)
    ]
    out += [
        f"mentor {m_ids[j]} has {load[j]} mentees, minimum {instance.min_load[j]}"
        for j in np.flatnonzero(load < instance.min_load)
    ]
    cap = instance.max_per_group
    if instance.mentee_group is not None and cap is not None:
        per: dict[tuple[int, int], int] = {}
        for i, j in known:
            code = int(instance.mentee_group[i])
            if code >= 0:
                per[(j, code)] = per.get((j, code), 0) + 1
        out += [
            f"mentor {m_ids[j]} has {n} mentees of one department, max_per_department {cap}"
            for (j, _), n in sorted(per.items())
            if n > cap
        ]
    return out


def prepared_for(cohort: Cohort, policy: Policy) -> Prepared | InfeasibleError:
    """:func:`~matcher.encode.prepare.prepare` once for :func:`pair_findings` and
    :func:`certificate_findings` (at 50,000 x 10,000 it takes 2-3 s), or the error its
    pinned pairs raise, which each words its own way."""
    try:
        return prepare(cohort, policy)
    except InfeasibleError as error:
        return error


def pair_findings(
    cohort: Cohort,
    policy: Policy,
    pairs: list[tuple[str, str]],
    scores: list[float],
    prepared: Prepared | InfeasibleError | None = None,
) -> list[str]:
    """What the pairs break, re-derived from the sheet and policy without any solver.

    Parameters
    ----------
    cohort, policy : the inputs.
    pairs, scores : the pairs file's (mentee_id, mentor_id) pairs and their scores.
    prepared : :func:`prepared_for` of the same cohort and policy (None: made here).

    Returns
    -------
    list of str
        Unknown ids, repeated pairs, pairs a hard rule forbids (the rules named), scores
        that differ from the recomputed ones by more than their rounding, then places,
        capacities, minimum loads and department caps broken, then pinned pairs missing.
    """
    prepared = prepared_for(cohort, policy) if prepared is None else prepared
    if isinstance(prepared, InfeasibleError):
        return [f"the policy's pinned pairs cannot hold: {c}" for c in prepared.conflicts]
    instance = prepared.instance
    e_at = {x: i for i, x in enumerate(instance.mentee_ids)}
    m_at = {x: j for j, x in enumerate(instance.mentor_ids)}
    known = [(e_at[e], m_at[m]) for e, m in pairs if e in e_at and m in m_at]
    broken, recomputed = [], []
    if known:  # every known pair's rules and score at once, not pair by pair (7 s at 31,050)
        rows, cols = np.array(known, np.int64).T
        broken = list(forbidding_pairs(prepared.rules, rows, cols).items())
        recomputed = np.asarray(instance.scores[rows, cols], dtype=np.float64).tolist()
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    k = 0
    for (e, m), score in zip(pairs, scores, strict=True):
        if e not in e_at or m not in m_at:
            out.append(f"pair ({e}, {m}) names someone who is not a mentee / mentor of the sheet")
            continue
        if (e, m) in seen:
            out.append(f"pair ({e}, {m}) is listed twice")
        seen.add((e, m))
        out += [f"pair ({e}, {m}) breaks {RULE_WORDS[r]}" for r, mask in broken if mask[k]]
        expected = recomputed[k]
        if not abs(score - expected) <= 1e-6 + 1e-12 * abs(expected):
            out.append(f"pair ({e}, {m}) has score {score!r}, recomputed {round(expected, 6)!r}")
        k += 1
    out += _loads(instance, known)
    made = set(known)
    out += [
        f"pinned pair ({instance.mentee_ids[i]}, {instance.mentor_ids[j]}) is missing"
        for i, j in instance.pinned
        if (i, j) not in made
    ]
    return out


def certificate_findings(
    receipt: Receipt,
    cohort: Cohort,
    policy: Policy,
    pairs: list[tuple[str, str]],
    prepared: Prepared | InfeasibleError | None = None,
) -> tuple[list[str], str]:
    """What the receipt's certificate fails on the network re-derived from the sheet.

    Parameters
    ----------
    receipt : the receipt (its ``certificate`` may be None: nothing to check).
    cohort, policy : as read now.
    pairs : the pairs file's (mentee_id, mentor_id) pairs.
    prepared : :func:`prepared_for` of the same cohort and policy (None: made here when
        the sheet is too large for the checker's own derivation).

    Returns
    -------
    tuple (findings, derived_by)
        Findings prefixed "certificate:"; ``derived_by`` names the code that re-derived
        eligibility and scores ("" when there is no certificate).
    """
    from matcher.answers.certificate import certificate_from_dict
    from matcher.answers.certificate_check import (
        CHECKER_PAIRS,
        check_certificate,
        network_by_checker,
        network_by_encoding,
    )

    if receipt.certificate is None:
        return [], ""
    cert = certificate_from_dict(receipt.certificate)
    if isinstance(cert, str):
        return [f"certificate: {cert}"], ""
    if len(cohort.mentees) * len(cohort.mentors) <= CHECKER_PAIRS:
        net = network_by_checker(cohort, policy, cert.scale)
    else:
        prepared = prepared_for(cohort, policy) if prepared is None else prepared
        if isinstance(prepared, InfeasibleError):
            found = [f"certificate: the pinned pairs cannot hold: {c}" for c in prepared.conflicts]
            return found, ""
        net = network_by_encoding(prepared, cert.scale)
    e_at = {x: i for i, x in enumerate(net.mentee_ids)}
    m_at = {x: j for j, x in enumerate(net.mentor_ids)}
    known = [(e_at[e], m_at[m]) for e, m in pairs if e in e_at and m in m_at]
    found = check_certificate(net, known, cert)
    return [f"certificate: {f}" for f in found], net.derived_by


def verify(
    receipt: Receipt,
    cohort: Cohort,
    policy: Policy,
    pairs: list[tuple[str, str]],
    scores: list[float],
) -> list[str]:
    """Every way the sheet, policy and pairs fail the receipt or the rules (empty: verified).

    Parameters
    ----------
    receipt : the receipt.
    cohort, policy : as read now.
    pairs, scores : the pairs file's pairs and their scores.

    Returns
    -------
    list of str
        :func:`matcher.answers.receipt.mismatches`, then :func:`pair_findings`, then
        :func:`certificate_findings`.
    """
    found = mismatches(receipt, cohort, policy, pairs, scores)
    prepared = prepared_for(cohort, policy)
    found += pair_findings(cohort, policy, pairs, scores, prepared)
    return found + certificate_findings(receipt, cohort, policy, pairs, prepared)[0]
