"""Stable matching with capacities: deferred acceptance in numpy.

A matching is *stable* when no eligible pair (mentee, mentor) outside it would both
rather be together: each either has a free place or prefers the other to its worst
current partner. :func:`solve_stable` finds one by many-to-many deferred acceptance
(Gale-Shapley with quotas): the proposing side gets its best stable matching.
Preferences and the stability test live in :mod:`matcher.solvers.preferences`;
:func:`preference_ranks` and :func:`blocking_pairs` are re-exported here.

Pinned pairs are fixed before the proposals start; they use up places on both sides and
are left out of the proposals.
"""

from __future__ import annotations

import time

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy, Proposer
from matcher.results import Status
from matcher.solvers.candidates import pin_conflicts
from matcher.solvers.preferences import (
    UNACCEPTABLE,
    blocking_pairs,
    pinned_matrix,
    preference_orders,
    preference_ranks,
    stated_positions,
)

__all__ = [
    "UNACCEPTABLE",
    "blocking_pairs",
    "pinned_matrix",
    "preference_ranks",
    "solve_stable",
]


def _receiver_keys(scores_pr: np.ndarray, pos_rp: np.ndarray | None):
    """Sort keys (least significant first) ranking proposer ``p`` in receiver ``r``'s list.

    ``scores_pr`` is indexed [proposer, receiver], ``pos_rp`` [receiver, proposer]; the
    keys sort like the receiver's rank without building the receiver's rank matrix.
    """

    def keys(p: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, ...]:
        by_score = (p, -scores_pr[p, r])
        return by_score if pos_rp is None else (*by_score, pos_rp[r, p])

    return keys


def _lex_less(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> np.ndarray:
    """Elementwise ``a < b`` for key tuples given least significant first."""
    less = np.zeros(a[0].shape, dtype=bool)
    equal = np.ones(a[0].shape, dtype=bool)
    for key_a, key_b in zip(reversed(a), reversed(b), strict=True):
        less |= equal & (key_a < key_b)
        equal &= key_a == key_b
    return less


def _deferred_acceptance(
    order: np.ndarray,
    n_acceptable: np.ndarray,
    receiver_keys,
    prop_quota: np.ndarray,
    recv_quota: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Many-to-many deferred acceptance; returns (proposers, receivers, rounds).

    ``order[p]`` is proposer ``p``'s list (its first ``n_acceptable[p]`` entries are the
    receivers it accepts); ``receiver_keys(p, r)`` ranks proposers for receivers. In each
    round every proposer with free places proposes to as many untried receivers as it
    has free places; each receiver keeps its best proposals up to its quota and rejects
    the rest. Rejections are final, so each pair is proposed at most once. A full
    receiver rejects a proposal worse than its worst held one without re-sorting.
    """
    n_prop, n_recv = order.shape[0], recv_quota.shape[0]
    pointer = np.zeros(n_prop, dtype=np.int64)
    held_p = np.empty(0, dtype=np.int64)
    held_r = np.empty(0, dtype=np.int64)
    held_count = np.zeros(n_prop, dtype=np.int64)
    full = np.zeros(n_recv, dtype=bool)
    worst: tuple[np.ndarray, ...] | None = None  # keys of each full receiver's worst held
    touched = np.zeros(n_recv, dtype=bool)
    rounds = 0
    while True:
        k = np.minimum(prop_quota - held_count, n_acceptable - pointer)
        active = np.nonzero(k > 0)[0]
        if active.size == 0:
            break
        rounds += 1
        k = k[active]
        new_p = np.repeat(active, k)
        offsets = np.arange(new_p.size) - np.repeat(np.cumsum(k) - k, k)
        new_r = order[new_p, pointer[new_p] + offsets].astype(np.int64)
        pointer[active] += k
        if worst is not None:
            at_full = full[new_r]
            beats = _lex_less(receiver_keys(new_p, new_r), tuple(w[new_r] for w in worst))
            viable = ~at_full | beats
            new_p, new_r = new_p[viable], new_r[viable]
        # Only receivers with new viable proposals reconsider what they hold.
        touched[new_r] = True
        stays = ~touched[held_r]
        touched[new_r] = False
        cand_p = np.concatenate([held_p[~stays], new_p])
        cand_r = np.concatenate([held_r[~stays], new_r])
        cand_keys = receiver_keys(cand_p, cand_r)
        by_receiver = np.lexsort((*cand_keys, cand_r))
        cand_p, cand_r = cand_p[by_receiver], cand_r[by_receiver]
        cand_keys = tuple(key[by_receiver] for key in cand_keys)
        group_start = np.searchsorted(cand_r, cand_r, side="left")
        position = np.arange(cand_r.size) - group_start
        keep = position < recv_quota[cand_r]
        held_p = np.concatenate([held_p[stays], cand_p[keep]])
        held_r = np.concatenate([held_r[stays], cand_r[keep]])
        held_count = np.bincount(held_p, minlength=n_prop)
        # Remember the worst held proposal of every receiver that is now full.
        last_kept = keep & (position == recv_quota[cand_r] - 1)
        if worst is None:
            worst = tuple(np.zeros(n_recv, dtype=key.dtype) for key in cand_keys)
        full[cand_r[last_kept]] = True
        for w, key in zip(worst, cand_keys, strict=True):
            w[cand_r[last_kept]] = key[last_kept]
    return held_p, held_r, rounds


def solve_stable(instance: Instance, policy: Policy) -> Solution:
    """A stable matching by deferred acceptance, best for the proposing side.

    Parameters
    ----------
    instance : the problem; a mentee takes up to ``wanted[i]`` mentors, a mentor up to
        ``capacity[j]`` mentees, only eligible pairs; pinned pairs are fixed first.
    policy : ``policy.proposer`` chooses who proposes (mentees or mentors).

    Returns
    -------
    Solution
        Status FEASIBLE (stability is the guarantee, not the total score), bound None,
        certified False; notes give the proposer and the number of rounds. If pinned
        pairs are ineligible or overfill a place, status INFEASIBLE with conflicts.

    Raises
    ------
    ValueError
        If a stated preference list names an index outside the cohort.
    """
    started = time.perf_counter()
    pinned = pinned_matrix(instance)
    conflicts = pin_conflicts(instance, pinned)
    if conflicts:
        return Solution(pairs=(), status=Status.INFEASIBLE, conflicts=tuple(conflicts))
    scores = np.asarray(instance.scores, dtype=np.float64)
    wanted = np.asarray(instance.wanted, dtype=np.int64) - pinned.sum(axis=1)
    capacity = np.asarray(instance.capacity, dtype=np.int64) - pinned.sum(axis=0)
    acceptable = np.asarray(instance.eligible, dtype=bool) & ~pinned
    acceptable &= (wanted > 0)[:, None] & (capacity > 0)[None, :]

    if policy.proposer is Proposer.MENTOR:
        order = preference_orders(scores.T, acceptable.T, instance.mentor_prefs)
        keys = _receiver_keys(scores.T, stated_positions(instance.mentee_prefs, acceptable))
        ranked = time.perf_counter()
        mentor, mentee, rounds = _deferred_acceptance(
            order, acceptable.sum(axis=0), keys, capacity, wanted
        )
    else:
        order = preference_orders(scores, acceptable, instance.mentee_prefs)
        keys = _receiver_keys(scores, stated_positions(instance.mentor_prefs, acceptable.T))
        ranked = time.perf_counter()
        mentee, mentor, rounds = _deferred_acceptance(
            order, acceptable.sum(axis=1), keys, wanted, capacity
        )
    matched = pinned.copy()
    matched[mentee, mentor] = True
    pairs = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(matched), strict=True))
    done = time.perf_counter()
    return Solution(
        pairs=pairs,
        status=Status.FEASIBLE,
        bound=None,
        certified=False,
        notes=(f"proposer: {policy.proposer.value}", f"rounds: {rounds}"),
        timings=(("preferences", ranked - started), ("deferred acceptance", done - ranked)),
    )
