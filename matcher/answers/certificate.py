"""The optimality certificate of a matching: node potentials of the flow, and their re-check.

The exact flow (:mod:`matcher.solvers.flow`) solves a min-cost flow: source -> mentee
``i`` (capacity: wanted places left after pinned pairs), mentee -> mentor for every open
pair (capacity 1, cost ``-(bonus + rint(s_ij * scale))``), mentor -> sink (capacity left
after pinned pairs) and a source -> sink bypass (capacity: every wanted place left), all
other arcs of cost 0. A flow is of minimum cost exactly when node potentials ``p`` exist
with reduced cost ``cost + p[tail] - p[head]`` >= 0 on every arc with room left and <= 0
on every arc carrying flow (complementary slackness). A matching containing the pinned
pairs is such a flow, and ``bonus`` exceeds ``places * (max(hi, 0) - min(lo, 0))`` over
the open pairs' integer scores, so a minimum-cost flow matches as many places as possible
and then has the highest total integer score: the certificate proves the pairs optimal
(in the scaled, rounded scores the solver optimised) against every eligible pair.

:func:`make_certificate` finds potentials for given pairs (shortest distances in the
residual graph of a candidate graph, widened until no open pair breaks them, as
:mod:`matcher.solvers.certify` does), so it needs only the pairs, not the solver.
:func:`matcher.answers.certificate_check.check_certificate` re-derives the network from
the sheet and checks every condition, trusting neither the solver nor the receipt.
Minimum loads and department caps make the flow a bounded network with sub-nodes
(:mod:`matcher.answers.certificate_side`): the certificate then also carries the
sub-nodes' potentials, and the mentor -> sink arcs have lower bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.answers.certificate_side import bounded_potentials
from matcher.encode.instance import Instance
from matcher.solvers.bounded_flow import bounds_of
from matcher.solvers.candidates import flow_candidates, make_pool, open_subset
from matcher.solvers.certify import FlowState, potentials, violations
from matcher.solvers.flow import (
    ADD_PER_ROW,
    DENSE_LIMIT,
    K_EXTRA,
    L_EXTRA,
    all_open_pairs,
    opening,
)
from matcher.solvers.integers import SCALE
from matcher.solvers.side_rules import has_side_rules

MAX_ROUNDS = 30


@dataclass(frozen=True)
class Certificate:
    """Node potentials proving a matching optimal, in the solver's integer units.

    Attributes
    ----------
    scale : a score ``s`` is the integer ``rint(s * scale)`` (round half to even).
    bonus : what each matched place earns on top of its integer score.
    source, sink : the potentials of the source and the sink.
    mentees, mentors : the potentials of each mentee and mentor, in sheet order.
    departments : with a per-department cap, (mentor index, department, potential) of the
        sub-nodes ``(mentor, department)``; a sub-node not listed has its mentor's.
    """

    scale: int
    bonus: int
    source: int
    sink: int
    mentees: tuple[int, ...]
    mentors: tuple[int, ...]
    departments: tuple[tuple[int, str, int], ...] = ()


def _state(pool, rows, cols, bonus, matched: np.ndarray) -> FlowState:
    n_e, n_m = pool.instance.shape
    source_flow = np.bincount(rows[matched], minlength=n_e).astype(np.int64)
    sink_flow = np.bincount(cols[matched], minlength=n_m).astype(np.int64)
    supply = int(pool.want_left.sum())
    scores = np.rint(pool.instance.scores[rows, cols] * SCALE).astype(np.int64)
    return FlowState(
        rows=rows,
        cols=cols,
        cost=-(bonus + scores),
        matched=matched,
        source_flow=source_flow,
        sink_flow=sink_flow,
        bypass_flow=supply - int(matched.sum()),
        bypass_cap=supply,
    )


def _ends(pool, state: FlowState, d_e: np.ndarray, d_m: np.ndarray) -> tuple[int, int]:
    """The source's and sink's distances, as the sweep of :func:`potentials` settles them.

    Residual arcs into the source come from mentees with flow (cost 0) and from the sink
    when the bypass carries flow; into the sink from mentors with room and from the
    source when the bypass has room; every node also has the virtual root's 0.
    """
    back = d_e[state.source_flow > 0]
    into_t = d_m[state.sink_flow < pool.cap_left]
    d_s = min(0, int(back.min())) if back.size else 0
    d_t = min(0, int(into_t.min())) if into_t.size else 0
    for _ in range(2):  # the bypass links the two both ways at most
        if state.bypass_flow > 0:
            d_s = min(d_s, d_t)
        if state.bypass_flow < state.bypass_cap:
            d_t = min(d_t, d_s)
    return d_s, d_t


def make_certificate(
    instance: Instance,
    pairs: Sequence[tuple[int, int]],
    graph=None,
    departments: Sequence[str] = (),
) -> Certificate | str:
    """Potentials proving ``pairs`` optimal for ``instance``, or why there are none.

    Parameters
    ----------
    instance : the instance the pairs solve (minimum loads and a department cap included:
        :mod:`matcher.answers.certificate_side`).
    pairs : (mentee index, mentor index) pairs, pinned pairs included.
    graph : a candidate graph to start from (a Solution's ``graph``); default the
        solver's own first candidate graph (every open pair for small pools).
    departments : the names of the instance's department codes (for the certificate's
        sub-nodes under a department cap).

    Returns
    -------
    Certificate or str
        The str says why no certificate exists: the pairs are not an optimum (some open
        pair could still improve them) or break a side rule.
    """
    pool = make_pool(instance)
    k = K_EXTRA + int(np.max(instance.wanted, initial=0))
    # As the solver opens: scores computed where they are read get one sweep for the
    # count, the bonus and the candidate graph, which leaves the compact codes (or their
    # chunk maxima) the screens below read (three passes without them took 29 s at
    # 50,000 x 10,000).
    n_open, bonus, swept = opening(pool, k)
    n_m = instance.shape[1]
    bounds = bounds_of(pool) if has_side_rules(instance) else None
    pinned = set(zip(pool.pinned_rows.tolist(), pool.pinned_cols.tolist(), strict=True))
    free = sorted({(int(i), int(j)) for i, j in pairs} - pinned)
    if n_open <= DENSE_LIMIT:
        rows, cols = all_open_pairs(pool)
    elif graph is not None:
        rows, cols = open_subset(pool, *graph)
    elif swept is not None:
        rows, cols = swept
    else:
        rows, cols = flow_candidates(pool, k, L_EXTRA)
    free_linear = np.array([i * n_m + j for i, j in free], np.int64)
    linear = np.union1d(rows * n_m + cols, free_linear)
    for _ in range(MAX_ROUNDS):
        rows, cols = linear // n_m, linear % n_m
        if bounds is None:
            state = _state(pool, rows, cols, bonus, np.isin(linear, free_linear))
            found = potentials(pool, state)
            if found is None:
                return (
                    "the pairs are not a minimum-cost flow: the residual graph has a negative cycle"
                )
            d_e, d_m, _ = found
            head, codes, subs = d_m[None, :], np.zeros(instance.shape[0], np.int64), ()
        else:
            side = bounded_potentials(pool, bounds, rows, cols, bonus, np.isin(linear, free_linear))
            if isinstance(side, str):
                return side
            d_e, d_m, head, codes = side.mentees, side.mentors, side.head, bounds.codes
            subs = tuple((j, departments[c], p) for j, c, p in side.subs)
        add_r, add_c, n_bad = violations(pool, bonus, linear, d_e, head, codes, ADD_PER_ROW)
        if n_bad == 0:
            if bounds is None:
                d_s, d_t = _ends(pool, state, d_e, d_m)
            else:
                d_s, d_t = side.source, side.sink
            return Certificate(
                SCALE, bonus, d_s, d_t, tuple(d_e.tolist()), tuple(d_m.tolist()), subs
            )
        linear = np.union1d(linear, add_r * n_m + add_c)
    return f"no potentials settled within {MAX_ROUNDS} rounds: the pairs may not be optimal"


def certificate_to_dict(cert: Certificate) -> dict:
    """A :class:`Certificate` as JSON-ready data."""
    return {
        "scale": cert.scale,
        "rounding": "an integer score is round-half-to-even of score * scale",
        "bonus": cert.bonus,
        "potentials": {
            "source": cert.source,
            "sink": cert.sink,
            "mentees": list(cert.mentees),
            "mentors": list(cert.mentors),
            "departments": [list(x) for x in cert.departments],
        },
    }


def certificate_from_dict(data: object) -> Certificate | str:
    """A Certificate from its JSON data, or what is wrong with it (in words)."""
    try:
        pots = data["potentials"]
        ints = [data["scale"], data["bonus"], pots["source"], pots["sink"]]
        lists = [pots["mentees"], pots["mentors"]]
        subs = pots.get("departments", [])
        fine = all(_whole(x) for x in ints) and all(
            isinstance(v, list) and all(_whole(x) for x in v) for v in lists
        )
        fine = fine and isinstance(subs, list)
        fine = fine and all(
            isinstance(x, list)
            and len(x) == 3
            and _whole(x[0])
            and isinstance(x[1], str)
            and _whole(x[2])
            for x in subs
        )
    except (KeyError, TypeError, AttributeError):
        fine = False
    if not fine:
        return (
            "the certificate is malformed: expected whole numbers scale, bonus and potentials "
            "source, sink, mentees [...], mentors [...], departments [[mentor, name, p], ...]"
        )
    departments = tuple((int(j), str(d), int(p)) for j, d, p in subs)
    return Certificate(*ints, tuple(lists[0]), tuple(lists[1]), departments)


def _whole(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)
