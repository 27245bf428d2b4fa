"""Why a pair was made, why a mentee is unmatched, and which mentors came next.

Texts are short, truthful and free of names and emails (ids only). A pair's own text is
:mod:`matcher.result.pair_text`; :func:`unmatched_reasons_many` says, for many
mentees at once (vectorised over rows of the eligibility masks), which hard rules removed
how many mentors and whether the eligible ones are all full; :func:`explain_mentee` is
the multi-line text of ``mentormatch explain``. (Alternates are ranked in
:mod:`matcher.result.alternates`.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.encode.instance import Instance
from matcher.encode.prepare import Prepared
from matcher.encode.rules import RULE_WORDS, RULES, rule_masks
from matcher.model import Cohort, Policy
from matcher.results import MatchResult
from matcher.solvers.sweep import top_rows

_BLOCK_CELLS = 4_000_000


def loads(instance: Instance, pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Mentors per mentee and mentees per mentor of ``pairs`` (int64 arrays)."""
    n_e, n_m = instance.shape
    rows = np.fromiter((i for i, _ in pairs), np.int64, len(pairs))
    cols = np.fromiter((j for _, j in pairs), np.int64, len(pairs))
    return np.bincount(rows, minlength=n_e), np.bincount(cols, minlength=n_m)


def unmatched_reasons_many(
    prepared: Prepared,
    pairs: Sequence[tuple[int, int]],
    rows: Sequence[int],
) -> dict[int, tuple[str, ...]]:
    """Why each mentee in ``rows`` has fewer mentors than wanted.

    Parameters
    ----------
    prepared : the prepared cohort and policy (its instance was solved).
    pairs : the matching, as (mentee index, mentor index).
    rows : mentee indices to explain.

    Returns
    -------
    dict
        mentee index -> reasons (empty for mentees that sit out or are fully matched).
        Each mentor the hard rules remove is counted once, under the first rule of
        :data:`matcher.encode.rules.RULES` that forbids it.
    """
    instance = prepared.instance
    got, load = loads(instance, pairs)
    wanted, capacity = np.asarray(instance.wanted), np.asarray(instance.capacity)
    todo = np.array([i for i in rows if got[i] < wanted[i]], dtype=np.int64)
    out: dict[int, tuple[str, ...]] = {int(i): () for i in rows}
    if todo.size == 0:
        return out
    n_m = instance.shape[1]
    assigned = np.zeros((todo.size, n_m), dtype=bool)
    at = {int(i): r for r, i in enumerate(todo)}
    for i, j in pairs:
        if i in at:
            assigned[at[i], j] = True
    open_ = capacity > 0
    full = load >= capacity
    sitting = int(np.count_nonzero(~open_))
    group_full = _group_full(instance, pairs)
    step = max(1, _BLOCK_CELLS // max(1, n_m * len(RULES)))
    for start, stop in _chunks(todo, step):
        block = todo[start:stop]
        lo, hi = int(block[0]), int(block[-1]) + 1
        if 3 * block.size >= hi - lo:  # dense enough: contiguous rows are ~4x faster
            masks = rule_masks(prepared.rules, slice(lo, hi))
            masks = {rule: mask[block - lo] for rule, mask in masks.items()}
        else:
            masks = rule_masks(prepared.rules, block)
        remaining = np.broadcast_to(open_, (block.size, n_m)).copy()
        counts = np.zeros((block.size, len(RULES)), dtype=np.int64)
        for k, rule in enumerate(RULES):  # each mentor counts under its first rule only
            hit = masks[rule] & remaining
            counts[:, k] = np.count_nonzero(hit, axis=1)
            remaining &= ~hit
        elig = instance.eligible[block] & open_ & ~assigned[start:stop]
        n_elig = elig.sum(axis=1)
        full_elig = elig & full
        n_full = full_elig.sum(axis=1)
        chosen, values = top_rows(instance.scores, block, full_elig, 1)
        best = chosen.argmax(axis=1)  # the best full mentor (0 where there is none)
        best_score = values[np.arange(block.size), best].tolist()
        capped = (elig & ~full & group_full[block]).sum(axis=1) if group_full is not None else None
        for r, i in enumerate(block.tolist()):
            tally = (int(n_elig[r]), int(n_full[r]), 0 if capped is None else int(capped[r]))
            top = (int(best[r]), best_score[r])
            out[i] = _reasons(instance, i, counts[r], tally, top, sitting, got[i] > 0)
    return out


def _chunks(rows: np.ndarray, span: int):
    """(start, stop) positions cutting sorted ``rows`` into runs spanning < ``span`` rows."""
    start = 0
    while start < rows.size:
        stop = int(np.searchsorted(rows, rows[start] + span, side="left"))
        yield start, stop
        start = stop


def _group_full(instance: Instance, pairs) -> np.ndarray | None:
    """Bool (n_mentees, n_mentors): the mentor already has ``max_per_group`` of the group."""
    groups, cap = instance.mentee_group, instance.max_per_group
    if groups is None or cap is None:
        return None
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = int(groups.max(initial=-1)) + 1
    per = np.zeros((instance.shape[1], n_groups + 1), dtype=np.int64)  # last column: no group
    for i, j in pairs:
        if groups[i] >= 0:
            per[j, groups[i]] += 1
    return (per >= cap)[:, np.where(groups >= 0, groups, n_groups)].T


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _reasons(instance, i, counts, tally, top, sitting, partly) -> tuple[str, ...]:
    n_elig, n_full, n_capped = tally
    best, score = top
    ruled = [(int(n), rule) for n, rule in zip(counts, RULES, strict=True) if n]
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
