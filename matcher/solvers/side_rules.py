"""What the side-rule solvers (minimum loads, per-department caps) share, without solving.

Used by the bounded flow (:mod:`matcher.solvers.bounded_flow`) and CP-SAT
(:mod:`matcher.solvers.cpsat`): the pairs any result can use (:func:`usable_pairs`), the
CP-SAT candidate graph as a mask (:func:`candidate_mask`), the necessary conditions whose
failure explains infeasibility in words (:func:`simple_conflicts`), and a plain check of
a set of pairs against every hard rule the model holds (:func:`breaks_rules`), used to
decide whether a hint may be returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from matcher.encode.instance import Instance
from matcher.solvers.candidates import candidate_pairs, make_pool, pin_conflicts_at

_MAX_NAMED = 20  # people named in one conflict sentence


def has_side_rules(instance: Instance) -> bool:
    """Whether ``instance`` has minimum loads or a per-department cap."""
    capped = instance.mentee_group is not None and instance.max_per_group is not None
    return bool(np.any(np.asarray(instance.min_load) > 0)) or capped


def _pinned_at(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """The pinned pairs as sorted (rows, cols) int64 arrays, without repeats."""
    pinned = sorted(set(instance.pinned))
    return (
        np.array([i for i, _ in pinned], dtype=np.int64),
        np.array([j for _, j in pinned], dtype=np.int64),
    )


def usable_pairs(
    instance: Instance, columns: Sequence[int] | np.ndarray | None = None
) -> np.ndarray:
    """The only pairs any result can use: pinned pairs, and eligible pairs where both
    people have a place left once the pinned pairs are placed.

    Parameters
    ----------
    instance : the problem.
    columns : mentor indices to look at (sorted, no repeats); default every mentor.

    Returns
    -------
    numpy.ndarray
        bool (n_mentees, len(columns)); the pairs of the candidate graph's pool
        (:class:`matcher.solvers.candidates.Pool`) and the pinned pairs with places.
    """
    n_e, n_m = instance.shape
    wanted, capacity = np.asarray(instance.wanted), np.asarray(instance.capacity)
    rows, cols = _pinned_at(instance)
    want_left = wanted - np.bincount(rows, minlength=n_e)
    cap_left = capacity - np.bincount(cols, minlength=n_m)
    eligible = np.asarray(instance.eligible, dtype=bool)
    if columns is None:
        columns = np.arange(n_m)
    else:
        columns = np.asarray(columns, dtype=np.int64)
        eligible = eligible[:, columns]
    usable = eligible & (want_left > 0)[:, None] & (cap_left[columns] > 0)[None, :]
    at = np.searchsorted(columns, cols)
    inside = at < columns.size
    inside[inside] = columns[at[inside]] == cols[inside]
    for i, j, k in zip(rows[inside], cols[inside], at[inside], strict=True):
        usable[i, k] |= bool(eligible[i, k] and wanted[i] > 0 and capacity[j] > 0)
    return usable


def candidate_mask(
    instance: Instance, top_k: int = 10, top_l: int = 10, extra: Iterable[tuple[int, int]] = ()
) -> np.ndarray:
    """The CP-SAT candidate graph: the solvers' one graph with fixed sizes, as a mask.

    Parameters
    ----------
    instance : the problem; only open pairs count (eligible, both people with room
        once pinned pairs are fixed).
    top_k : mentors kept per mentee (at least twice the largest ``wanted``).
    top_l : mentees kept per mentor (at least twice the largest capacity or minimum load).
    extra : (mentee, mentor) pairs always kept if usable (hint and pinned pairs).

    Returns
    -------
    numpy.ndarray
        bool (n_mentees, n_mentors), built by
        :func:`matcher.solvers.candidates.candidate_pairs`.
    """
    usable = usable_pairs(instance)
    wide = int(max(np.max(instance.capacity, initial=0), np.max(instance.min_load, initial=0)))
    top_k = max(top_k, 2 * int(np.max(instance.wanted, initial=0)))
    top_l = max(top_l, 2 * wide)
    rows, cols = candidate_pairs(make_pool(instance), top_k, np.full(instance.shape[1], top_l))
    mask = np.zeros(instance.shape, dtype=bool)
    mask[rows, cols] = True
    for i, j in extra:
        mask[i, j] |= usable[i, j]
    return mask


def id_list(ids: Sequence[str], indices: Sequence[int] | np.ndarray) -> str:
    """The ids at ``indices`` for a conflict sentence.

    Parameters
    ----------
    ids : the people's ids (never names or emails).
    indices : positions into ``ids``.

    Returns
    -------
    str
        Up to 20 ids, comma separated, then "and N more" when there are more.
    """
    shown = [ids[k] for k in indices[:_MAX_NAMED]]
    more = len(indices) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def simple_conflicts(instance: Instance) -> list[str]:
    """Necessary conditions for the side constraints, checked without solving.

    Parameters
    ----------
    instance : the problem.

    Returns
    -------
    list of str
        One sentence per violated condition (empty if none): pinned pairs that are
        ineligible, overfill a place or exceed a group cap; a minimum load above the
        mentor's capacity or above the eligible mentees with places (under the group
        cap); minimum loads summing to more than eligible mentees can give.
    """
    rows, cols = _pinned_at(instance)
    conflicts = pin_conflicts_at(instance, rows, cols)
    groups, cap = instance.mentee_group, instance.max_per_group
    grouped = groups is not None and cap is not None
    min_load = np.asarray(instance.min_load, dtype=np.int64)
    capacity = np.asarray(instance.capacity, dtype=np.int64)
    needy = np.flatnonzero(min_load > 0)
    usable = usable_pairs(instance, needy)  # only the columns the minimum loads read
    column = {int(j): k for k, j in enumerate(needy)}
    for j in range(len(instance.mentor_ids)):
        mentor = instance.mentor_ids[j]
        if grouped:
            codes, counts = np.unique(np.asarray(groups)[rows[cols == j]], return_counts=True)
            for code, count in zip(codes, counts, strict=True):
                if code >= 0 and count > cap:
                    conflicts.append(
                        f"mentor {mentor} has {count} pinned mentees of group {code} "
                        f"but at most {cap} of one group are allowed"
                    )
        if min_load[j] <= 0:
            continue
        if min_load[j] > capacity[j]:
            conflicts.append(
                f"mentor {mentor} needs at least {min_load[j]} mentees "
                f"but has capacity {capacity[j]}"
            )
            continue
        reach = usable[:, column[j]]
        reachable = int(reach.sum())
        if grouped:
            codes, counts = np.unique(np.asarray(groups)[reach], return_counts=True)
            reachable = int(np.where(codes >= 0, np.minimum(counts, cap), counts).sum())
        if min_load[j] > reachable:
            limit = " under the group cap" if grouped else ""
            conflicts.append(
                f"mentor {mentor} needs at least {min_load[j]} mentees but only {reachable} "
                f"eligible mentees who want a mentor can be placed with them{limit}"
            )
    need = int(min_load[needy].sum())
    wanted = np.asarray(instance.wanted, dtype=np.int64)
    supply = int(np.minimum(wanted, usable.sum(axis=1)).sum())
    if need > supply:
        conflicts.append(
            f"mentors with minimum loads need {need} mentees in total, but the mentees "
            f"eligible for them want only {supply} places with them"
        )
    return conflicts


def breaks_rules(instance: Instance, pairs: Sequence[tuple[int, int]]) -> bool:
    """Whether ``pairs`` break a hard rule of the side-constraint model.

    Parameters
    ----------
    instance : the problem.
    pairs : sequence of (mentee index, mentor index).

    Returns
    -------
    bool
        True when a pair repeats or is ineligible, a place or capacity is overfilled, a
        minimum load or group cap is broken, or a pinned pair is missing.
    """
    if len(set(pairs)) != len(pairs):
        return True
    taken = np.zeros(instance.shape, dtype=bool)
    for i, j in pairs:
        taken[i, j] = True
    load = taken.sum(axis=0)
    broken = (
        np.any(taken & ~np.asarray(instance.eligible, dtype=bool))
        or np.any(taken.sum(axis=1) > instance.wanted)
        or np.any(load > instance.capacity)
        or np.any(load < instance.min_load)
        or not all(taken[i, j] for i, j in instance.pinned)
    )
    if not broken and instance.mentee_group is not None and instance.max_per_group is not None:
        for code in np.unique(instance.mentee_group).tolist():
            if code >= 0:
                per_mentor = taken[np.asarray(instance.mentee_group) == code].sum(axis=0)
                broken = broken or bool(np.any(per_mentor > instance.max_per_group))
    return bool(broken)
