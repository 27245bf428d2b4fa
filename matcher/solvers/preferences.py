"""Who prefers whom: preference ranks from stated lists and scores, and blocking pairs.

Each person ranks the eligible partners by their stated list first (best first,
ineligible entries ignored), then the rest by pair score, highest first, ties to the
lower index. :func:`preference_ranks` gives both sides' ranks as matrices;
:func:`preference_orders` and :func:`stated_positions` are the pieces deferred
acceptance (:mod:`matcher.solvers.stable`) works from, since ``(stated position,
-score, index)`` sorts exactly like the rank. :func:`blocking_pairs` lists the pairs
that would rather be together than keep a matching, for any solver's result.

Pinned pairs cannot be given up, so a person blocks only by dropping a partner that is
not pinned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from matcher.encode.instance import Instance
from matcher.model import Policy

UNACCEPTABLE = np.iinfo(np.int32).max
"""Rank given to partners a person will not accept (ineligible pairs)."""

_BLOCK_ROWS = 256  # rows sorted at a time: keeps the sort keys in cache


def _listed(stated, p: int, acceptable_row: np.ndarray) -> np.ndarray:
    """Person ``p``'s stated list as indices: first mentions only, acceptable entries only."""
    if p >= len(stated) or not stated[p]:
        return np.empty(0, dtype=np.int64)
    listed = np.asarray(stated[p], dtype=np.int64)
    n_cols = acceptable_row.shape[0]
    if listed.min() < 0 or listed.max() >= n_cols:
        raise ValueError(f"stated preference list {p} names an index outside 0..{n_cols - 1}")
    _, first = np.unique(listed, return_index=True)
    listed = listed[np.sort(first)]
    return listed[acceptable_row[listed]]


def stated_positions(stated: Sequence[Sequence[int]], acceptable: np.ndarray) -> np.ndarray | None:
    """Where each column stands in each row person's stated list.

    Together with the score and the index, ``(pos, -score, index)`` sorts exactly like
    the preference rank, so comparisons need no rank matrix.

    Parameters
    ----------
    stated : one tuple of column indices per row person, best first (may be shorter
        than the number of rows, or empty).
    acceptable : bool (n_rows, n_cols); unacceptable entries of a list are skipped.

    Returns
    -------
    numpy.ndarray or None
        int32 (n_rows, n_cols): the position in the cleaned list, ``n_cols`` if
        unlisted; None when nobody on this side stated a list.

    Raises
    ------
    ValueError
        If a list names an index outside ``0..n_cols - 1``.
    """
    if not any(stated):
        return None
    n_rows, n_cols = acceptable.shape
    pos = np.full((n_rows, n_cols), n_cols, dtype=np.int32)
    for p in range(min(n_rows, len(stated))):
        listed = _listed(stated, p, acceptable[p])
        pos[p, listed] = np.arange(listed.size, dtype=np.int32)
    return pos


def preference_orders(
    scores: np.ndarray, acceptable: np.ndarray, stated: Sequence[Sequence[int]]
) -> np.ndarray:
    """Each row person's preference list: columns best first.

    Parameters
    ----------
    scores : float (n_rows, n_cols) pair scores, read only where acceptable.
    acceptable : bool (n_rows, n_cols).
    stated : stated lists as for :func:`stated_positions`.

    Returns
    -------
    numpy.ndarray
        int32 (n_rows, n_cols): stated (acceptable) entries first, then the other
        acceptable columns by score descending, ties to the lower index, then the
        unacceptable columns.

    Raises
    ------
    ValueError
        If a list names an index outside ``0..n_cols - 1``.
    """
    n_rows, n_cols = scores.shape
    order = np.empty((n_rows, n_cols), dtype=np.int32)
    for start in range(0, n_rows, _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        key = np.where(acceptable[rows], -scores[rows], np.inf)
        order[rows] = np.argsort(key, axis=1, kind="stable")
    for p in range(min(n_rows, len(stated))):
        listed = _listed(stated, p, acceptable[p])
        if listed.size:
            rest = order[p][~np.isin(order[p], listed)]
            order[p] = np.concatenate([listed, rest])
    return order


def _ranks_from_order(order: np.ndarray, acceptable: np.ndarray) -> np.ndarray:
    """Inverse of :func:`preference_orders` per row; :data:`UNACCEPTABLE` where not acceptable."""
    n_rows, n_cols = order.shape
    rank = np.empty((n_rows, n_cols), dtype=np.int32)
    positions = np.arange(n_cols, dtype=np.int32)
    for start in range(0, n_rows, _BLOCK_ROWS):
        block = order[start : start + _BLOCK_ROWS]
        values = np.broadcast_to(positions, block.shape)
        np.put_along_axis(rank[start : start + _BLOCK_ROWS], block, values, axis=1)
    rank[~acceptable] = UNACCEPTABLE
    return rank


def preference_ranks(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' preference ranks as matrices indexed ``[mentee, mentor]``.

    Parameters
    ----------
    instance : the problem; stated lists in ``mentee_prefs`` / ``mentor_prefs`` come
        first, then score descending, ties to the lower index.

    Returns
    -------
    mentee_rank : int32 (n_mentees, n_mentors); ``mentee_rank[i, j]`` is the position of
        mentor ``j`` in mentee ``i``'s list (0 = best).
    mentor_rank : int32 (n_mentees, n_mentors); ``mentor_rank[i, j]`` is the position of
        mentee ``i`` in mentor ``j``'s list (0 = best).
        Ineligible pairs are :data:`UNACCEPTABLE` in both.

    Raises
    ------
    ValueError
        If a stated preference list names an index outside the cohort.
    """
    scores = np.asarray(instance.scores, dtype=np.float64)
    eligible = np.asarray(instance.eligible, dtype=bool)
    mentee_order = preference_orders(scores, eligible, instance.mentee_prefs)
    mentor_order = preference_orders(scores.T, eligible.T, instance.mentor_prefs)
    mentee_rank = _ranks_from_order(mentee_order, eligible)
    mentor_rank = _ranks_from_order(mentor_order, eligible.T)
    return mentee_rank, mentor_rank.T


def pinned_matrix(instance: Instance) -> np.ndarray:
    """The instance's pinned pairs as a matrix.

    Parameters
    ----------
    instance : the problem.

    Returns
    -------
    numpy.ndarray
        bool (n_mentees, n_mentors), True at every pinned (mentee, mentor) pair.
    """
    pinned = np.zeros(instance.shape, dtype=bool)
    if instance.pinned:
        rows, cols = np.asarray(instance.pinned, dtype=np.int64).reshape(-1, 2).T
        pinned[rows, cols] = True
    return pinned


def _prefers_to_worst(
    scores: np.ndarray, pos: np.ndarray | None, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """bool (n_rows, n_cols): row person ranks the column above its worst partner.

    ``rows``, ``cols`` are the row people's droppable partners; a row without any gets
    False everywhere. Preferences are ``(pos, -score, index)``, smaller is better.
    """
    n_rows, n_cols = scores.shape
    pos_w = np.full(n_rows, -1, dtype=np.int64)
    score_w = np.full(n_rows, np.inf)
    worst = np.full(n_rows, -1, dtype=np.int64)
    if rows.size:
        stated = pos[rows, cols] if pos is not None else np.zeros(rows.size, np.int32)
        by_row = np.lexsort((cols, -scores[rows, cols], stated, rows))
        last = by_row[np.r_[rows[by_row][1:] != rows[by_row][:-1], True]]
        worst[rows[last]] = cols[last]
        score_w[rows[last]] = scores[rows[last], cols[last]]
        pos_w[rows[last]] = stated[last]
    ties = (scores == score_w[:, None]) & (np.arange(n_cols)[None, :] < worst[:, None])
    better = (scores > score_w[:, None]) | ties
    if pos is not None:
        better = (pos < pos_w[:, None]) | ((pos == pos_w[:, None]) & better)
    return better


def blocking_pairs(
    instance: Instance, pairs: Iterable[tuple[int, int]], policy: Policy | None = None
) -> list[tuple[int, int]]:
    """Every eligible pair outside ``pairs`` that would rather be together.

    A pair (i, j), eligible, not matched and not pinned, blocks when mentee ``i`` has a
    free place or ranks ``j`` above its worst non-pinned mentor, and mentor ``j`` has a
    free place or ranks ``i`` above its worst non-pinned mentee (pinned partners cannot
    be given up). Preferences are those of :func:`preference_ranks`, compared through
    their sort keys so that no rank matrix is built.

    Parameters
    ----------
    instance : the problem the matching is for.
    pairs : iterable of (mentee index, mentor index); any solver's result. The pairs are
        taken to be eligible (an ineligible pair is :func:`matcher.checker.check`'s
        business, not a stability question).
    policy : accepted for a uniform solver signature; stability does not depend on it.

    Returns
    -------
    list of (mentee index, mentor index)
        The blocking pairs, sorted; empty for a stable matching.

    Raises
    ------
    ValueError
        If a stated preference list names an index outside the cohort.
    """
    del policy  # preferences come from the instance alone
    scores = np.asarray(instance.scores, dtype=np.float64)
    eligible = np.asarray(instance.eligible, dtype=bool)
    matched = np.zeros(instance.shape, dtype=bool)
    pair_arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
    matched[pair_arr[:, 0], pair_arr[:, 1]] = True
    pinned = pinned_matrix(instance)
    rows, cols = np.nonzero(matched & ~pinned)

    free_e = matched.sum(axis=1) < np.asarray(instance.wanted)
    free_m = matched.sum(axis=0) < np.asarray(instance.capacity)
    pos_e = stated_positions(instance.mentee_prefs, eligible)
    pos_m = stated_positions(instance.mentor_prefs, eligible.T)
    mentee_wants = free_e[:, None] | _prefers_to_worst(scores, pos_e, rows, cols)
    mentor_wants = free_m[None, :] | _prefers_to_worst(scores.T, pos_m, cols, rows).T
    blocking = eligible & ~matched & ~pinned & mentee_wants & mentor_wants
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(blocking), strict=True)]
