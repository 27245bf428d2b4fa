"""Re-check an optimality certificate against the network re-derived from the sheet.

:func:`network_by_checker` derives who may pair and every pair's integer score with the
independent checker's own rule and score functions (:mod:`matcher.checker`), pair by pair,
for sheets up to :data:`CHECKER_PAIRS` pairs; :func:`network_by_encoding` takes them from
the encoding layer above that (the verifier says which). :func:`check_certificate` then
checks, trusting neither solver nor receipt, that the bonus puts places first and that
the potentials give every arc of the flow network (:mod:`matcher.answers.certificate`)
a reduced cost >= 0 where it has room and <= 0 where it carries flow: the pairs are then
a minimum-cost flow, so they match the most places and then the highest total score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.answers.certificate import Certificate
from matcher.solvers.integers import SCALE

CHECKER_PAIRS = 250_000  # pairs up to which the checker re-derives the network


@dataclass(frozen=True)
class Network:
    """The flow network re-derived from the sheet: who may pair, at what integer score.

    Attributes
    ----------
    mentee_ids, mentor_ids : in sheet order.
    eligible : bool (n_mentees, n_mentors); no hard rule forbids the pair.
    scores : int64 (n_mentees, n_mentors) or :class:`ScaledScores`, read by blocks of
        rows (``scores[r0:r1]``); ``rint(score * scale)``, 0 where not eligible.
    wanted, capacity, min_load : int64 places each mentee wants, each mentor offers and
        must at least fill.
    pinned : the policy's pinned pairs by index.
    dept_cap : the policy's ``max_per_department`` (None: no cap).
    departments : each mentee's department as compared (None: without one).
    derived_by : which code derived eligibility and scores, in words.
    """

    mentee_ids: tuple[str, ...]
    mentor_ids: tuple[str, ...]
    eligible: np.ndarray
    scores: np.ndarray | ScaledScores
    wanted: np.ndarray
    capacity: np.ndarray
    min_load: np.ndarray
    pinned: frozenset[tuple[int, int]]
    dept_cap: int | None
    departments: tuple[str | None, ...]
    derived_by: str


def network_by_checker(cohort, policy, scale: int) -> Network:
    """Eligibility and scores of every pair by the checker's own rules and score functions.

    Pair by pair in plain Python (about 10 microseconds a pair): for sheets up to
    :data:`CHECKER_PAIRS` pairs. Departments are compared as the checker's department-cap
    check compares them.

    Parameters
    ----------
    cohort, policy : the inputs as read now.
    scale : the certificate's scale (a score becomes ``round(score * scale)``).

    Returns
    -------
    Network
    """
    from matcher.checker.base import normaliser
    from matcher.checker.rules import around, broken_rules
    from matcher.checker.scores import components, scoring, total

    rules, scored = around(cohort, policy), scoring(cohort, policy)
    n_e, n_m = len(cohort.mentees), len(cohort.mentors)
    eligible = np.zeros((n_e, n_m), bool)
    scores = np.zeros((n_e, n_m), np.int64)
    for i, mentee in enumerate(cohort.mentees):
        for j, mentor in enumerate(cohort.mentors):
            if broken_rules(mentee, mentor, policy, rules):
                continue
            value = total(mentee, mentor, scored, components(mentee, mentor, scored))
            if math.isnan(value):
                continue
            eligible[i, j] = True
            scores[i, j] = round(value * scale)  # round half to even, as numpy's rint
    e_ids = tuple(m.id for m in cohort.mentees)
    m_ids = tuple(m.id for m in cohort.mentors)
    e_at = {x: i for i, x in enumerate(e_ids)}
    m_at = {x: j for j, x in enumerate(m_ids)}
    norm = normaliser(policy.aliases)
    return Network(
        e_ids,
        m_ids,
        eligible,
        scores,
        np.array([m.capacity for m in cohort.mentees], np.int64),
        np.array([m.capacity for m in cohort.mentors], np.int64),
        np.array([m.min_capacity for m in cohort.mentors], np.int64),
        frozenset((e_at[e], m_at[m]) for e, m in policy.pinned_pairs),
        policy.max_per_department,
        tuple(norm(m.department) if m.department else None for m in cohort.mentees),
        "the independent checker",
    )


class ScaledScores:
    """``np.where(eligible, np.rint(scores * scale), 0)`` as int64, a block of rows at a
    time: ``[r0:r1]`` computes those rows only. For the largest sheets the scores are not
    stored (:class:`~matcher.encode.lazy_scores.LazyScores`); the whole matrix at once
    would hold 8 bytes a pair several times over (12.5 GB at 50,000 x 10,000).
    """

    def __init__(self, eligible: np.ndarray, scores, scale: int):
        self.eligible, self.scores, self.scale = eligible, scores, scale
        self.shape = eligible.shape

    def __getitem__(self, rows: slice) -> np.ndarray:
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("ScaledScores reads blocks of rows: [r0:r1]")
        block = np.rint(np.asarray(self.scores[rows], dtype=np.float64) * self.scale)
        return np.where(self.eligible[rows], block, 0).astype(np.int64)


def network_by_encoding(prepared, scale: int) -> Network:
    """Eligibility and scores from :func:`matcher.encode.prepare.prepare` (large sheets).

    Parameters
    ----------
    prepared : the prepared cohort and policy.
    scale : the certificate's scale.

    Returns
    -------
    Network
    """
    instance = prepared.instance
    scores = ScaledScores(instance.eligible, instance.scores, scale)
    names = prepared.persons.departments
    codes = prepared.persons.e_dept
    return Network(
        instance.mentee_ids,
        instance.mentor_ids,
        instance.eligible,
        scores,
        instance.wanted,
        instance.capacity,
        np.asarray(instance.min_load, np.int64),
        frozenset(instance.pinned),
        prepared.policy.max_per_department,
        tuple(names[c] if c >= 0 else None for c in codes.tolist()),
        f"the encoding layer (the sheet has more than {CHECKER_PAIRS} pairs, the checker's limit)",
    )


LIMIT = 2**60  # potentials and bonus beyond this could overflow the int64 sums


def _heads(net: Network, cert: Certificate, d_m: np.ndarray, out: list[str]):
    """The head-potential table (departments + 1, mentors) and each mentee's row of it."""
    n_e = len(net.mentee_ids)
    if net.dept_cap is None:
        if cert.departments:
            out.append("the certificate has department potentials but the policy has no cap")
        return d_m[None, :], np.zeros(n_e, np.int64), {}
    labels = sorted({d for d in net.departments if d is not None})
    at = {d: k for k, d in enumerate(labels)}
    table = np.tile(d_m, (len(labels) + 1, 1))
    for j, label, potential in cert.departments:
        if label not in at or not 0 <= j < d_m.size:
            out.append(f"the certificate names an unknown department {label!r} or mentor {j}")
            continue
        table[at[label], j] = potential
    rows = np.array([at[d] if d is not None else -1 for d in net.departments], np.int64)
    return table, rows, at


def check_certificate(
    net: Network, pairs: Sequence[tuple[int, int]], cert: Certificate
) -> list[str]:
    """Every condition of the certificate the pairs and potentials break (empty: optimal).

    Parameters
    ----------
    net : the network re-derived from the sheet.
    pairs : the pairs file's (mentee index, mentor index) pairs (known ids only).
    cert : the receipt's certificate.

    Returns
    -------
    list of str
        Shape and range, the bonus, then the reduced costs of pair arcs, department
        sub-node arcs, source and sink arcs (minimum loads as lower bounds) and the
        bypass, the count and up to three examples per kind.
    """
    n_e, n_m = net.eligible.shape
    if len(cert.mentees) != n_e or len(cert.mentors) != n_m:
        return [
            f"the certificate has {len(cert.mentees)} mentee and {len(cert.mentors)} mentor "
            f"potentials; the sheet has {n_e} and {n_m}"
        ]
    values = (*cert.mentees, *cert.mentors, cert.source, cert.sink, cert.bonus)
    values += tuple(p for _, _, p in cert.departments)
    if max(map(abs, values), default=0) >= LIMIT or cert.scale != SCALE:
        return [f"the certificate's numbers are out of range (scale must be {SCALE})"]
    out: list[str] = []
    d_e = np.array(cert.mentees, np.int64)
    d_m = np.array(cert.mentors, np.int64)
    table, head_row, at = _heads(net, cert, d_m, out)
    pin_rows, pin_cols = _by_row(sorted(net.pinned))
    pin_m = np.bincount(pin_cols, minlength=n_m)
    want_left = net.wanted - np.bincount(pin_rows, minlength=n_e)
    cap_left = net.capacity - pin_m
    min_left = np.maximum(net.min_load - pin_m, 0)
    free = sorted({p for p in pairs if p not in net.pinned})
    free_rows, free_cols = _by_row(free)
    got = np.bincount(free_rows, minlength=n_e)
    load = np.bincount(free_cols, minlength=n_m)
    places = int(min(want_left.clip(0).sum(), cap_left.clip(0).sum()))
    hi, lo, bad = 0, 0, {"room": [], "flow": [], "closed": []}
    step = max(1, 1_000_000 // max(1, n_m))
    for r0 in range(0, n_e, step):
        r1 = min(n_e, r0 + step)
        open_ = net.eligible[r0:r1] & (want_left[r0:r1, None] > 0) & (cap_left[None, :] > 0)
        a, b = np.searchsorted(pin_rows, (r0, r1))
        open_[pin_rows[a:b] - r0, pin_cols[a:b]] = False
        matched = np.zeros(open_.shape, bool)
        a, b = np.searchsorted(free_rows, (r0, r1))
        matched[free_rows[a:b] - r0, free_cols[a:b]] = True
        block = net.scores[r0:r1]
        if open_.any():
            hi, lo = max(hi, int(block[open_].max())), min(lo, int(block[open_].min()))
        # Pair arcs: cost + d_i - d_head >= 0 with room (unmatched), <= 0 with flow (matched);
        # a pair ends at its mentor's department sub-node under a cap, else at the mentor.
        reduced = d_e[r0:r1, None] - table[head_row[r0:r1]] - block - cert.bonus
        bad["room"].append(_where(open_ & ~matched & (reduced < 0), r0, reduced))
        bad["flow"].append(_where(matched & open_ & (reduced > 0), r0, reduced))
        bad["closed"].append(_where(matched & ~open_, r0, reduced))
    if cert.bonus < places * (hi - lo) + 1:
        out.append(
            f"the bonus {cert.bonus} does not put places first: it must exceed "
            f"{places} places x the score range {hi - lo}"
        )
    words = {
        "room": "unmatched pair(s) could improve the matching (negative reduced cost)",
        "flow": "matched pair(s) have a positive reduced cost",
        "closed": "pair(s) are not open arcs of the network (a rule, a pinned pair or no room)",
    }
    for kind, found in bad.items():
        count = sum(n for n, _ in found)
        listed = [x for _, first in found for x in first]
        if count:
            shown = ", ".join(
                f"({net.mentee_ids[i]}, {net.mentor_ids[j]}) reduced cost {r}"
                for i, j, r in listed[:3]
            )
            out.append(f"{count} {words[kind]}: {shown}")
    out += _departments(net, cert, free, table, at, d_m)
    # Source -> mentee (cost 0, capacity want_left); mentor -> sink (between min_left and
    # cap_left): room below the top needs >= 0, flow above the bottom needs <= 0.
    e_red, m_red = cert.source - d_e, d_m - cert.sink
    sides = (
        ((got < want_left) & (e_red < 0), net.mentee_ids, "mentee(s) with a place left"),
        ((got > 0) & (e_red > 0), net.mentee_ids, "matched mentee(s)"),
        ((load < cap_left) & (m_red < 0), net.mentor_ids, "mentor(s) with room left"),
        ((load > min_left) & (m_red > 0), net.mentor_ids, "mentor(s) above their minimum"),
    )
    for mask, ids, who in sides:
        where = np.flatnonzero(mask)
        if where.size:
            names = ", ".join(ids[k] for k in where[:3])
            out.append(f"{where.size} {who} break their arc's reduced cost ({names})")
    below = np.flatnonzero(load < min_left)
    if below.size:
        out.append(f"{below.size} mentor(s) below their minimum load: the flow is not feasible")
    supply = int(want_left.clip(0).sum())
    bypass, b_red = supply - len(free), cert.source - cert.sink
    if (bypass < supply and b_red < 0) or (bypass > 0 and b_red > 0):
        out.append("the source and sink potentials break the bypass arc's reduced cost")
    return out


def _departments(net, cert, free, table, at, d_m) -> list[str]:
    """Sub-node arcs (mentor, department) -> mentor: cost 0, capacity the cap left."""
    if net.dept_cap is None:
        return []
    flow: dict[tuple[int, str], int] = {}
    pinned: dict[tuple[int, str], int] = {}
    for i, j in free:
        if net.departments[i] is not None:
            key = (j, net.departments[i])
            flow[key] = flow.get(key, 0) + 1
    for i, j in net.pinned:
        if net.departments[i] is not None:
            key = (j, net.departments[i])
            pinned[key] = pinned.get(key, 0) + 1
    keys = set(flow) | {(j, d) for j, d, _ in cert.departments if d in at}
    broken = []
    for j, label in sorted(keys):
        room = max(net.dept_cap - pinned.get((j, label), 0), 0)
        n = flow.get((j, label), 0)
        reduced = int(table[at[label], j]) - int(d_m[j])
        if n > room or (n < room and reduced < 0) or (n > 0 and reduced > 0):
            broken.append(f"({net.mentor_ids[j]}, {label})")
    if not broken:
        return []
    return [
        f"{len(broken)} department sub-node arc(s) break the cap or their reduced cost: "
        + ", ".join(broken[:3])
    ]


def _by_row(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (row, column) pairs as two int64 arrays, so a block's are one slice."""
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows, cols = np.array(pairs, np.int64).T
    return rows, cols


def _where(mask: np.ndarray, r0: int, reduced: np.ndarray) -> tuple[int, list]:
    """How many cells of ``mask`` are set, and the first three (row, column, reduced)."""
    if not mask.any():  # the usual block of a valid certificate: no index arrays built
        return 0, []
    rows, cols = np.nonzero(mask)
    first = [
        (int(i) + r0, int(j), int(reduced[i, j])) for i, j in zip(rows[:3], cols[:3], strict=True)
    ]
    return int(rows.size), first


def pairs_by_index(
    mentee_ids: Sequence[str], mentor_ids: Sequence[str], pairs: Sequence[tuple[str, str]]
) -> list[tuple[int, int]]:
    """The known (mentee_id, mentor_id) pairs by index (unknown ids are others' findings)."""
    e_at: Mapping[str, int] = {x: i for i, x in enumerate(mentee_ids)}
    m_at: Mapping[str, int] = {x: j for j, x in enumerate(mentor_ids)}
    return [(e_at[e], m_at[m]) for e, m in pairs if e in e_at and m in m_at]
