"""Why a pair was made, why a mentee is unmatched, and which mentors came next.

Texts are short, truthful and free of names and emails (ids only). A pair's own text is
:mod:`matcher.result.pair_text`; :func:`unmatched_reasons_many` says, for many
mentees at once, which hard rules removed how many mentors and whether the eligible ones
are all full. Its counts are row sums over blocks of ~1 million cells: the rules' masks
are built per block of mentee rows (only for mentees some rule keeps from an open
mentor) and each rule's count is the growth of the covered cells, so a 50,000 x 10,000
cohort with 20,000 unmatched mentees costs a few hundred block passes, not one numpy
call per mentee. :func:`explain_mentee` is the multi-line text of ``mentormatch
explain``. (Alternates are ranked in :mod:`matcher.result.alternates`; their first
entry is each unmatched mentee's best full mentor.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matcher.encode.instance import Instance
from matcher.encode.prepare import Prepared
from matcher.encode.rules import RULE_WORDS, RULES, rule_masks
from matcher.model import Cohort, Policy
from matcher.results import MatchResult
from matcher.solvers.sweep import top_rows

_BLOCK_CELLS = 1_000_000  # cells of one rule's mask for a block of mentee rows (measured best)


def pair_arrays(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The mentee and the mentor indices of ``pairs``, in order (two int64 arrays)."""
    both = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return both[:, 0].copy(), both[:, 1].copy()


def loads(instance: Instance, pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Mentors per mentee and mentees per mentor of ``pairs`` (int64 arrays)."""
    n_e, n_m = instance.shape
    rows, cols = pair_arrays(pairs)
    return np.bincount(rows, minlength=n_e), np.bincount(cols, minlength=n_m)


def group_loads(instance: Instance, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
    """Mentees of each group per mentor, or None without a department cap.

    Parameters
    ----------
    instance : supplies ``mentee_group`` and ``max_per_group``.
    rows, cols : the pairs' mentee and mentor indices (int64 arrays).

    Returns
    -------
    np.ndarray or None
        int64 ``(n_mentors, n_groups + 1)``; the last column (mentees without a group)
        stays 0.
    """
    groups, cap = instance.mentee_group, instance.max_per_group
    if groups is None or cap is None:
        return None
    groups = np.asarray(groups, dtype=np.int64)
    per = np.zeros((instance.shape[1], int(groups.max(initial=-1)) + 2), dtype=np.int64)
    grouped = groups[rows] >= 0
    np.add.at(per, (cols[grouped], groups[rows[grouped]]), 1)
    return per


def group_columns(instance: Instance, rows: np.ndarray) -> np.ndarray:
    """Each mentee's column of :func:`group_loads` (the last one for no group)."""
    groups = np.asarray(instance.mentee_group, dtype=np.int64)
    n_groups = int(groups.max(initial=-1)) + 1
    return np.where(groups[rows] >= 0, groups[rows], n_groups)


def unmatched_reasons_many(
    prepared: Prepared,
    pairs: Sequence[tuple[int, int]],
    rows: Sequence[int],
    *,
    best: Mapping[int, tuple[int, float]] | None = None,
) -> dict[int, tuple[str, ...]]:
    """Why each mentee in ``rows`` has fewer mentors than wanted.

    Parameters
    ----------
    prepared : the prepared cohort and policy (its instance was solved).
    pairs : the matching, as (mentee index, mentor index).
    rows : mentee indices to explain.
    best : mentee index -> (mentor index, score) of the mentee's best eligible open
        mentor outside their pairs (:func:`matcher.result.alternates.best_outside`), at
        least for the mentees in ``rows``; searched here when None.

    Returns
    -------
    dict
        mentee index -> reasons (empty for mentees that sit out or are fully matched).
        Each mentor the hard rules remove is counted once, under the first rule of
        :data:`matcher.encode.rules.RULES` that forbids it.
    """
    instance = prepared.instance
    got, _ = loads(instance, pairs)
    asked = np.asarray(rows, dtype=np.int64).reshape(-1)
    out: dict[int, tuple[str, ...]] = {i: () for i in asked.tolist()}
    todo = np.unique(asked[got[asked] < np.asarray(instance.wanted)[asked]])
    if todo.size == 0:
        return out
    counts, n_elig, n_full, n_capped = _tally(prepared, pairs, todo)
    if best is None:
        best = _best_full(instance, pairs, todo[(n_elig > 0) & (n_full == n_elig)])
    sitting = int(np.count_nonzero(np.asarray(instance.capacity) <= 0))
    tallies = zip(counts.tolist(), n_elig.tolist(), n_full.tolist(), n_capped.tolist(), strict=True)
    for i, (row_counts, *tally) in zip(todo.tolist(), tallies, strict=True):
        top = best.get(i) if tally[0] and tally[0] == tally[1] else None
        out[i] = _reasons(instance, row_counts, tally, top, sitting, bool(got[i]))
    return out


def _row_counts(mask: np.ndarray) -> np.ndarray:
    """True cells per row of a 2-D bool array (int64)."""
    narrow = np.uint16 if mask.shape[1] < 1 << 16 else np.int64  # uint16 sums run 4x faster
    return mask.view(np.uint8).sum(axis=1, dtype=narrow).astype(np.int64)


def _tally(prepared: Prepared, pairs, todo: np.ndarray):
    """Per mentee of sorted ``todo``: mentors removed per rule, and eligible ones in total,
    full, and blocked by the department cap (open mentors outside the mentee's pairs).

    Returns
    -------
    (counts, n_elig, n_full, n_capped)
        int64 ``(todo.size, len(RULES))`` and three int64 ``(todo.size,)``.
    """
    instance = prepared.instance
    _, load = loads(instance, pairs)
    capacity = np.asarray(instance.capacity)
    open_ = capacity > 0
    full = load >= capacity
    rows, cols = pair_arrays(pairs)
    per_group = group_loads(instance, rows, cols)
    group_full = None
    if per_group is not None:  # (group column, mentor): the mentor has the group's maximum
        group_full = np.ascontiguousarray((per_group >= instance.max_per_group).T)
    counts = np.zeros((todo.size, len(RULES)), dtype=np.int64)
    tally = np.zeros((3, todo.size), dtype=np.int64)
    n_open = int(np.count_nonzero(open_))
    step = max(1, _BLOCK_CELLS // max(1, instance.shape[1]))
    for first in range(int(todo[0]) // step * step, int(todo[-1]) + 1, step):
        a, b = np.searchsorted(todo, [first, first + step]).tolist()
        if a == b:
            continue
        block = todo[a:b]
        elig = instance.eligible[block] & open_
        tally[0, a:b] = _row_counts(elig)
        tally[1, a:b] = _row_counts(elig & full)
        # Only mentees some rule keeps from an open mentor need the rules' masks.
        ruled = np.flatnonzero(tally[0, a:b] < n_open)
        if ruled.size:
            counts[a + ruled] = _rule_counts(prepared, block[ruled], open_)
        if group_full is not None:
            elig &= ~full
            elig &= group_full[group_columns(instance, block)]
            tally[2, a:b] = _row_counts(elig)
    _take_out_own(instance, pairs, todo, tally, (open_, full, group_full))
    return counts, tally[0], tally[1], tally[2]


def _take_out_own(instance: Instance, pairs, todo: np.ndarray, tally: np.ndarray, masks) -> None:
    """Subtract each mentee's own mentors from the ``tally`` rows (total, full, capped)
    of the mentees of ``todo``: they are no alternative. ``masks`` are (open, full,
    group_full or None) as :func:`_tally` has them."""
    open_, full, group_full = masks
    n_m = instance.shape[1]
    rows, cols = pair_arrays(pairs)
    keys = np.unique(rows * n_m + cols)
    rows, cols = keys // n_m, keys % n_m
    at = np.searchsorted(todo, rows)
    mine = (at < todo.size) & (todo[np.minimum(at, todo.size - 1)] == rows)
    at, rows, cols = at[mine], rows[mine], cols[mine]
    own = instance.eligible[rows, cols] & open_[cols]
    np.subtract.at(tally[0], at[own], 1)
    np.subtract.at(tally[1], at[own & full[cols]], 1)
    if group_full is not None:
        capped = own & ~full[cols] & group_full[group_columns(instance, rows), cols]
        np.subtract.at(tally[2], at[capped], 1)


def _rule_counts(prepared: Prepared, rows: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """int64 ``(rows.size, len(RULES))``: open mentors each rule removes first, per mentee
    of sorted ``rows`` (the masks of the rows between are computed too: a block of rows
    costs a fraction of the same rows one by one)."""
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    masks = rule_masks(prepared.rules, slice(lo, hi))
    at = slice(None) if rows.size == hi - lo else rows - lo
    covered = np.repeat(~open_[None, :], rows.size, axis=0)  # closed mentors count for none
    before = _row_counts(covered[:1]).repeat(rows.size)
    counts = np.zeros((rows.size, len(RULES)), dtype=np.int64)
    for k, rule in enumerate(RULES):
        if masks[rule].any():  # rules the policy switches off are all False
            covered |= masks[rule][at]
            now = _row_counts(covered)
            counts[:, k] = now - before
            before = now
    return counts


def _best_full(instance: Instance, pairs, need: np.ndarray) -> dict[int, tuple[int, float]]:
    """mentee index -> (mentor index, score) of the best eligible open mentor outside
    their pairs, for the mentees of sorted ``need`` (ties to the lower mentor)."""
    capacity = np.asarray(instance.capacity)
    rows, cols = pair_arrays(pairs)
    best: dict[int, tuple[int, float]] = {}
    step = max(1, _BLOCK_CELLS // max(1, instance.shape[1]))
    for start in range(0, need.size, step):
        block = need[start : start + step]
        valid = instance.eligible[block] & (capacity > 0)
        at = np.searchsorted(block, rows)
        mine = (at < block.size) & (block[np.minimum(at, block.size - 1)] == rows)
        valid[at[mine], cols[mine]] = False
        chosen, values = top_rows(instance.scores, block, valid, 1)
        top = chosen.argmax(axis=1)
        scores = values[np.arange(block.size), top].tolist()
        best.update(zip(block.tolist(), zip(top.tolist(), scores, strict=True), strict=True))
    return best


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _reasons(instance, counts, tally, top, sitting, partly) -> tuple[str, ...]:
    n_elig, n_full, n_capped = tally
    ruled = [(n, rule) for n, rule in zip(counts, RULES, strict=True) if n]
    removed = ""
    if ruled:
        (n0, rule0), rest = ruled[0], ruled[1:]
        head = f"{_plural(n0, 'mentor')} excluded by {RULE_WORDS[rule0]}"
        removed = ", ".join([head] + [f"{n} by {RULE_WORDS[rule]}" for n, rule in rest])
    reasons = []
    if n_elig == 0:
        reasons.append("no mentor is eligible" + (f": {removed}" if removed else ""))
    elif removed:
        reasons.append(removed)
    if sitting:
        reasons.append(f"{_plural(sitting, 'mentor')} sit this round out")
    if n_elig and n_full == n_elig:
        whom = "give this mentee another mentor" if partly else "match this mentee"
        best, score = top
        reasons.append(
            f"{n_elig} eligible mentor{'s are all' if n_elig != 1 else ' is'} at capacity; "
            f"one more place at {instance.mentor_ids[best]} (score {score:.2f}) would {whom}"
        )
    if n_capped:
        cap = instance.max_per_group
        reasons.append(
            f"{_plural(n_capped, 'eligible mentor')} with free places already "
            f"{'has' if n_capped == 1 else 'have'} {_plural(cap, 'mentee')} of this mentee's "
            f"department (max_per_department {cap})"
        )
    if n_elig - n_full - n_capped > 0:
        free = n_elig - n_full - n_capped
        reasons.append(
            f"{_plural(free, 'eligible mentor')} with free places left unused by the solver "
            "(see the result's notes)"
        )
    return tuple(reasons)


def unmatched_reasons(
    prepared: Prepared, pairs: Sequence[tuple[int, int]], mentee_index: int
) -> tuple[str, ...]:
    """Why one mentee has fewer mentors than wanted (see :func:`unmatched_reasons_many`).

    Parameters
    ----------
    prepared, pairs : as for :func:`unmatched_reasons_many`.
    mentee_index : the mentee, by position in the cohort.

    Returns
    -------
    tuple of str
        Empty when the mentee sits out or has every wanted mentor.
    """
    many = unmatched_reasons_many(prepared, pairs, [mentee_index])
    return many[int(mentee_index)]


def explain_mentee(cohort: Cohort, policy: Policy, result: MatchResult, mentee_id: str) -> str:
    """Multi-line text for ``mentormatch explain``: the mentor(s) and why, or why none.

    Parameters
    ----------
    cohort, policy : the inputs the result was solved from.
    result : the solve's result.
    mentee_id : the mentee to explain.

    Returns
    -------
    str
        Ids and scores only, never names or emails.

    Raises
    ------
    KeyError
        If ``mentee_id`` is not a mentee of the cohort.
    """
    at = {m.id: m for m in cohort.mentees}
    if mentee_id not in at:
        raise KeyError(f"no mentee with id {mentee_id!r}")
    wanted = at[mentee_id].capacity
    mine = [p for p in result.pairs if p.mentee_id == mentee_id]
    lines = [
        f"Mentee {mentee_id}: {len(mine)} of {wanted} wanted mentor(s) matched "
        f"({result.status.value}, {result.solver})."
    ]
    if wanted == 0:
        lines.append("  sits this round out (capacity 0)")
    for p in mine:
        lines.append(f"  {p.mentor_id}  score {p.score:.3f}  {p.explanation}")
    for u in result.unmatched:
        if u.mentee_id == mentee_id:
            lines.append(f"Missing {u.missing} mentor(s) because:")
            lines.extend(f"  - {reason}" for reason in u.reasons)
    for conflict in result.conflicts:
        lines.append(f"  conflict: {conflict}")
    alts = [a for a in result.alternates if a.mentee_id == mentee_id]
    if alts:
        lines.append("Alternates:")
        lines.extend(f"  {a.mentor_id}  score {a.score:.3f}  {a.why_not}" for a in alts)
    return "\n".join(lines)
