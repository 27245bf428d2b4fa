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

from matcher.solvers.bounded_flow import Network, arcs_of, node_potentials


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
    arcs = arcs_of(pool, bounds, rows, cols, bonus)
    mentees, mentors = arcs.mentees, arcs.mentors
    got = np.bincount(rows[matched], minlength=n_e)
    load = np.bincount(cols[matched], minlength=n_m)
    sub_flow = np.bincount(
        np.searchsorted(arcs.sub_keys, arcs.keys[matched[arcs.grouped]]),
        minlength=arcs.sub_keys.size,
    )
    if (load < bounds.min_left).any():
        return "the pairs leave a mentor below their minimum load"
    flows = np.concatenate(
        [
            matched.astype(np.int64),
            sub_flow,
            got[mentees],
            load[mentors] - bounds.min_left[mentors],
            [arcs.supply - int(matched.sum())],
        ]
    )
    if (flows > arcs.caps).any() or (flows < 0).any():
        return "the pairs overfill a place, a capacity or a department cap"
    net = Network(
        rows, cols, arcs.tails, arcs.heads, arcs.caps, arcs.costs, flows, arcs.layer, arcs.sub_keys
    )
    d = node_potentials(net)
    if d is None:
        return "the pairs are not a minimum-cost flow: the residual graph has a negative cycle"
    d_m = d[n_e + 1 : sink]
    head = np.tile(d_m, (n_codes + 1, 1))
    subs = d[sink + 1 :]
    width = max(1, n_codes)
    sub_mentor, sub_code = arcs.sub_keys // width, arcs.sub_keys % width
    head[sub_code, sub_mentor] = subs
    listed = zip(sub_mentor.tolist(), sub_code.tolist(), subs.tolist(), strict=True)
    return BoundedPotentials(d[1 : n_e + 1], d_m, int(d[0]), int(d[sink]), head, tuple(listed))
