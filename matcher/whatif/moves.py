"""Who moved in a rematch and why: one :class:`Move` per changed pair, with its reason.

Used by :func:`matcher.whatif.rematch.rematch` after the solve: compares the previous pairs with
the new result and names the cause of every change, most specific first (a leaver, a
break-up, a sitting-out person, a broken hard rule, a reduced capacity, a pinned pair),
else the objective's own reason (places first, or the move-cost trade).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from matcher.encode.prepare import Prepared
from matcher.encode.rules import RULE_WORDS, forbidding_rules
from matcher.model import Cohort
from matcher.results import SCORE_DIGITS, MatchResult, Pair


@dataclass(frozen=True)
class Move:
    """One previous or new pair that changed, and why.

    ``from_mentor`` is None for a mentee newly matched; ``to_mentor`` is None when the
    mentee is left without that place (or left the programme). Scores are under the new
    policy (``score_before`` is None when the old pair no longer exists or is not allowed).
    """

    mentee_id: str
    from_mentor: str | None
    to_mentor: str | None
    reason: str
    score_before: float | None = None
    score_after: float | None = None


@dataclass(frozen=True, eq=False)
class RematchFacts:
    """What a rematch knows when it says why pairs changed.

    Attributes
    ----------
    gone_e, gone_m : ids of mentees and mentors who left.
    broken : (mentee_id, mentor_id) pairs that broke up.
    prepared : the new cohort and policy, prepared (rules, instance with real scores).
    e_at, m_at : id -> index in the new cohort.
    old_load, old_got : previous pairs per mentor / per mentee, among people still present.
    pinned_e, pinned_m : people in newly pinned pairs.
    move_cost : the trade used, or None for "keep as many pairs as possible".
    """

    gone_e: frozenset[str]
    gone_m: frozenset[str]
    broken: frozenset[tuple[str, str]]
    prepared: Prepared
    e_at: dict[str, int]
    m_at: dict[str, int]
    old_load: dict[str, int]
    old_got: dict[str, int]
    pinned_e: frozenset[str]
    pinned_m: frozenset[str]
    move_cost: float | None


def reason_for(facts: RematchFacts, e_id: str, m_id: str) -> str:
    """Why the previous pair (e_id, m_id) is not in the new assignment.

    Parameters
    ----------
    facts : the facts of the rematch.
    e_id, m_id : the previous pair.

    Returns
    -------
    str
        The most specific cause, in words.
    """
    ctx = facts
    if e_id in ctx.gone_e:
        return "mentee left the programme"
    if m_id in ctx.gone_m:
        return f"mentor {m_id} left"
    if (e_id, m_id) in ctx.broken:
        return "the pair broke up"
    i, j = ctx.e_at[e_id], ctx.m_at[m_id]
    cohort = ctx.prepared.cohort
    mentee, mentor = cohort.mentees[i], cohort.mentors[j]
    if mentee.capacity == 0:
        return "mentee sits this round out"
    if mentor.capacity == 0:
        return f"mentor {m_id} sits this round out"
    rules = forbidding_rules(ctx.prepared.rules, i, j)
    if rules:
        return "no longer allowed: ruled out by " + " and ".join(RULE_WORDS[r] for r in rules)
    if ctx.old_load.get(m_id, 0) > mentor.capacity:
        return f"mentor {m_id}'s capacity fell to {mentor.capacity}"
    if ctx.old_got.get(e_id, 0) > mentee.capacity:
        return f"mentee now wants {mentee.capacity} mentor(s)"
    if e_id in ctx.pinned_e or m_id in ctx.pinned_m:
        return "a pinned pair needs the place"
    if ctx.move_cost is not None:
        return f"better overall: the score gain outweighs the move cost {ctx.move_cost:g}"
    return "moved to free a place so that more mentees are matched"


def count_by(
    pairs: Iterable[tuple[str, str]],
    side: int,
    e_at: Mapping[str, int],
    m_at: Mapping[str, int],
) -> dict[str, int]:
    """Previous pairs per mentee (``side`` 0) or per mentor (1), among people still present."""
    out: dict[str, int] = {}
    for pair in pairs:
        if pair[0] in e_at and pair[1] in m_at:
            out[pair[side]] = out.get(pair[side], 0) + 1
    return out


def moves_of(
    facts: RematchFacts,
    previous: Sequence[tuple[str, str]],
    result: MatchResult,
    base_cohort: Cohort,
) -> tuple[tuple[Move, ...], tuple[Pair, ...]]:
    """Every change against the previous pairs, and the result's pairs annotated.

    Parameters
    ----------
    facts : as for :func:`reason_for` (its instance gives the old pairs' new scores).
    previous : the previous (mentee_id, mentor_id) pairs.
    result : the new MatchResult.
    base_cohort : the cohort before the changes (to find leavers and joiners).

    Returns
    -------
    (tuple of Move, tuple of Pair)
        Moves: leavers first, then by new cohort order. Pairs: the result's pairs with
        ``kept; ``, ``moved from M (reason); `` or the newly-matched reason before the
        explanation.
    """
    old: dict[str, list[str]] = {}
    for e, m in previous:
        old.setdefault(e, []).append(m)
    new: dict[str, list[Pair]] = {}
    for pair in result.pairs:
        new.setdefault(pair.mentee_id, []).append(pair)
    ctx, instance = facts, facts.prepared.instance
    e_at, m_at = ctx.e_at, ctx.m_at

    def old_score(e, m):
        if e in e_at and m in m_at and instance.eligible[e_at[e], m_at[m]]:
            return round(float(instance.scores[e_at[e], m_at[m]]), SCORE_DIGITS)
        return None

    moves: list[Move] = []
    label: dict[tuple[str, str], str] = {}
    for e in base_cohort.mentee_ids:
        if e not in e_at and e in old:
            moves.extend(Move(e, m, None, reason_for(ctx, e, m), old_score(e, m)) for m in old[e])
    for e in ctx.prepared.cohort.mentee_ids:
        before = old.get(e, [])
        after = new.get(e, [])
        got = {p.mentor_id for p in after}
        dropped = [m for m in before if m not in got]
        added = [p for p in after if p.mentor_id not in set(before)]
        for p in after:
            if p.mentor_id in set(before):
                label[(e, p.mentor_id)] = "kept"
        for k in range(max(len(dropped), len(added))):
            m = dropped[k] if k < len(dropped) else None
            p = added[k] if k < len(added) else None
            if m is not None:
                why = reason_for(ctx, e, m)
                why += "" if p is not None else "; no eligible mentor had a free place"
            elif e not in set(base_cohort.mentee_ids):
                why = "joined the programme"
            else:
                why = "newly matched"
            moves.append(
                Move(
                    e,
                    m,
                    p.mentor_id if p else None,
                    why,
                    old_score(e, m) if m else None,
                    p.score if p else None,
                )
            )
            if p is not None:
                label[(e, p.mentor_id)] = f"moved from {m} ({why})" if m else why
    pairs = tuple(
        replace(p, explanation=f"{label[(p.mentee_id, p.mentor_id)]}; {p.explanation}")
        for p in result.pairs
    )
    return tuple(moves), pairs


def move_to_dict(move: Move) -> dict:
    """A :class:`Move` as a JSON-ready dict."""
    return asdict(move)
