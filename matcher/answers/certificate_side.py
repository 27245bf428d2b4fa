"""Potentials of the bounded network: the certificate under minimum loads and department caps.

The network of :mod:`matcher.solvers.bounded_flow`: a minimum load is a lower bound on the
arc mentor -> sink (the transformed arc keeps ``cap_left - min_left`` and the mentor passes
on ``min_left`` units), and a per-department cap puts a sub-node ``(mentor, department)``
between that department's mentees and the mentor (arc capacity: the cap less the
department's pinned mentees). Given pairs, :func:`bounded_potentials` sets every arc's
flow from them and finds shortest distances in the residual graph of the candidate arcs
(:func:`matcher.solvers.bounded_flow.node_potentials`); a sub-node that has no arc yet
takes its mentor's potential, so one reduced-cost screen covers every open pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solvers.bounded_flow import MENTEE, MENTOR, SINK, SOURCE, SUB, Network, node_potentials
from matcher.solvers.integers import to_int


@dataclass(frozen=True, eq=False)
class BoundedPotentials:
    """Distances of every node of the bounded network.

    Attributes
    ----------
    mentees, mentors : int64 per mentee / mentor.
    source, sink : the source's and sink's.
    head : int64 (n_codes + 1, n_mentors); the potential of the node a pair of each
        department code ends at (the last row, code -1: the mentor itself).
    subs : (mentor index, department code, potential) of the sub-nodes in the network.
    """

    mentees: np.ndarray
    mentors: np.ndarray
    source: int
    sink: int
    head: np.ndarray
    subs: tuple[tuple[int, int, int], ...]


def bounded_potentials(
    pool, bounds, rows: np.ndarray, cols: np.ndarray, bonus: int, matched: np.ndarray
) -> BoundedPotentials | str:
    """Potentials of the bounded network on the pair arcs ``rows, cols`` with flow where
    ``matched``.

    Parameters
    ----------
    pool : the open pairs; bounds : :func:`matcher.solvers.bounded_flow.bounds_of` of it.
    rows, cols : the candidate pair arcs (int64, sorted, matched pairs among them).
    bonus : the per-place bonus of the arc costs.
    matched : bool per arc, True where the pairs use it.

    Returns
    -------
    BoundedPotentials or str
        The str says why there are none (a bound broken, or a negative cycle).
    """
    inst = pool.instance
    n_e, n_m = inst.shape
    sink = n_e + n_m + 1
    n_codes = bounds.n_codes
    code = bounds.codes[rows]
    grouped = code >= 0
    keys = cols[grouped] * max(1, n_codes) + code[grouped]
    sub_keys = np.unique(keys)
    pair_heads = cols + n_e + 1
    pair_heads[grouped] = sink + 1 + np.searchsorted(sub_keys, keys)
    sub_mentor, sub_code = sub_keys // max(1, n_codes), sub_keys % max(1, n_codes)
    mentees = np.flatnonzero(pool.want_left > 0)
    mentors = np.flatnonzero(pool.cap_left > 0)
    supply = int(pool.want_left.sum())
    got = np.bincount(rows[matched], minlength=n_e)
    load = np.bincount(cols[matched], minlength=n_m)
    sub_flow = np.bincount(
        np.searchsorted(sub_keys, keys[matched[grouped]]), minlength=sub_keys.size
    )
    if (load < bounds.min_left).any():
        return "the pairs leave a mentor below their minimum load"
    tails = np.concatenate(
        [
            rows + 1,
            sink + 1 + np.arange(sub_keys.size),
            np.zeros(mentees.size, np.int64),
            mentors + n_e + 1,
            [0],
        ]
    )
    heads = np.concatenate(
        [pair_heads, sub_mentor + n_e + 1, mentees + 1, np.full(mentors.size, sink), [sink]]
    )
    caps = np.concatenate(
        [
            np.ones(rows.size, np.int64),
            bounds.group_left[sub_mentor, sub_code],
            pool.want_left[mentees],
            pool.cap_left[mentors] - bounds.min_left[mentors],
            [supply],
        ]
    )
    flows = np.concatenate(
        [
            matched.astype(np.int64),
            sub_flow,
            got[mentees],
            load[mentors] - bounds.min_left[mentors],
            [supply - int(matched.sum())],
        ]
    )
    if (flows > caps).any() or (flows < 0).any():
        return "the pairs overfill a place, a capacity or a department cap"
    costs = np.zeros(tails.size, np.int64)
    costs[: rows.size] = -(bonus + to_int(inst.scores[rows, cols]))
    layer = np.full(sink + 1 + sub_keys.size, SUB, np.int64)
    layer[0], layer[1 : n_e + 1], layer[n_e + 1 : sink], layer[sink] = (
        SOURCE,
        MENTEE,
        MENTOR,
        SINK,
    )
    net = Network(rows, cols, tails, heads, caps, costs, flows, layer, sub_keys)
    d = node_potentials(net)
    if d is None:
        return "the pairs are not a minimum-cost flow: the residual graph has a negative cycle"
    d_m = d[n_e + 1 : sink]
    head = np.tile(d_m, (n_codes + 1, 1))
    subs = d[sink + 1 :]
    head[sub_code, sub_mentor] = subs
    listed = zip(sub_mentor.tolist(), sub_code.tolist(), subs.tolist(), strict=True)
    return BoundedPotentials(d[1 : n_e + 1], d_m, int(d[0]), int(d[sink]), head, tuple(listed))
