"""Rematch with the fewest changes: keep existing pairs, place who must move, say why.

Given a cohort, a previous assignment and changes (a mentor leaves, mentees join or leave,
capacities change, a pair breaks up and must not be re-paired), :func:`rematch` finds the
best new assignment, exactly, in this order of priorities:

1. **as many matched places as possible** — the same first rule as :func:`matcher.solve.solve`:
   a coordinator would rather move a mentee to another mentor than leave someone without
   one, and a rematch must never match fewer people than a fresh solve would;
2. **then as many kept pairs as possible** — people who are happy together stay together;
3. **then the highest total score** among those.

Optionally ``move_cost`` (in score units, e.g. 0.2) replaces rule 2 by a trade: a pair is
kept unless moving it raises the total score by more than ``move_cost``.

How it is exact: every still-possible previous pair gets a bonus ``B`` on its score and the
instance goes to the ordinary solver (certified min-cost flow, or CP-SAT when asked). ``B``
exceeds the largest score change of any exchange of pairs (:func:`kept_bonus`), and the
solver's per-place bonus is computed over the bonused scores, so places come first.
Those weights multiply; when the objective would not fit 64-bit integers (about 10,000
places and up, fewer with wide bring-your-own score ranges) the rematch runs in two exact
phases instead (:mod:`matcher.whatif.kept_first`): the most places and kept pairs with kept
pairs as the only score, then the real scores plus a kept-pair bonus only as large as
needed. With ``move_cost`` each keepable pair's score gets ``move_cost`` on top.
The result's scores are the real ones; ``bound`` and ``gap`` are left empty because the
objective is lexicographic, not the total score alone.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from matcher.encode.instance import Instance
from matcher.encode.prepare import prepare
from matcher.model import (
    Cohort,
    InfeasibleError,
    InputError,
    Objective,
    Policy,
    Problem,
    SolverChoice,
)
from matcher.result.assemble import assemble, infeasible_result
from matcher.results import MatchResult, Status
from matcher.solve import solve_prepared, solver_name
from matcher.solvers.integers import SCALE, to_int
from matcher.whatif.changes import Changes, apply_changes, parse_changes
from matcher.whatif.kept_first import score_range, solve_kept_first
from matcher.whatif.moves import Move, RematchFacts, count_by, move_to_dict, moves_of


@dataclass(frozen=True)
class Rematch:
    """A rematch: the new result and the moves against the previous assignment.

    Attributes
    ----------
    result : the full MatchResult for the new cohort under the new policy (real scores;
        explanations start with ``kept``, ``moved from ...`` or ``newly matched``).
    cohort, policy : the cohort and policy after the changes.
    previous : pairs in the previous assignment.
    keepable : previous pairs still possible (both present, allowed, not broken up).
    kept : previous pairs kept.
    moves : every change, by mentee in cohort order (leavers first).
    move_cost : the trade used, or None for "keep as many as possible".
    """

    result: MatchResult
    cohort: Cohort
    policy: Policy
    previous: int
    keepable: int
    kept: int
    moves: tuple[Move, ...]
    move_cost: float | None = None


def previous_pairs(records: Sequence[Mapping]) -> list[tuple[str, str]]:
    """The (mentee_id, mentor_id) pairs of assignment records (unmatched rows skipped).

    Parameters
    ----------
    records : from :func:`matcher.io.cohort_csv.read_assignments`, or any mappings with
        ``mentee_id`` and ``mentor_id``.

    Returns
    -------
    list of (str, str)
    """
    return [(r["mentee_id"], r["mentor_id"]) for r in records if r.get("mentor_id")]


def _check_previous(cohort: Cohort, previous) -> list[tuple[str, str]]:
    problems, seen, out = [], set(), []
    mentees, mentors = set(cohort.mentee_ids), set(cohort.mentor_ids)
    for k, item in enumerate(previous):
        ok = isinstance(item, list | tuple) and len(item) == 2
        if not ok or not all(isinstance(x, str) and x for x in item):
            problems.append(
                Problem("expected a (mentee_id, mentor_id) pair", row=k, value=str(item))
            )
            continue
        e_id, m_id = item
        for column, value, known, role in (
            ("mentee_id", e_id, mentees, "mentee"),
            ("mentor_id", m_id, mentors, "mentor"),
        ):
            if value not in known:
                close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    Problem(
                        f"no {role} with this id in the cohort{hint}",
                        row=k,
                        column=column,
                        value=value,
                    )
                )
        if (e_id, m_id) in seen:
            problems.append(Problem("the pair is listed twice", row=k, value=f"{e_id}, {m_id}"))
        seen.add((e_id, m_id))
        out.append((e_id, m_id))
    if problems:
        problems = [replace(p, source="previous") for p in problems]
        raise InputError(problems, title="the previous assignment does not fit the cohort")
    return out


def kept_bonus(
    instance: Instance, rows: np.ndarray, cols: np.ndarray, move_cost: float | None
) -> int:
    """The scaled bonus ``B`` on each kept pair (see the module docstring).

    Parameters
    ----------
    instance : the new instance (real scores).
    rows, cols : the keepable previous pairs, by index.
    move_cost : a trade in score units, or None for lexicographic priority.

    Returns
    -------
    int
        ``to_int(move_cost)``, or ``k * (hi - lo + 2) + 1`` with hi/lo the scaled extremes
        of the open pairs' scores (0 included) and ``k`` the longest exchange; 0 when
        ``move_cost`` is None and there is no keepable pair.
    """
    if move_cost is not None:
        return int(to_int(np.array([move_cost]))[0])
    if rows.size == 0:
        return 0
    places = min(int(instance.wanted.sum()), int(instance.capacity.sum()))
    k = min(places, int((instance.wanted > 0).sum()), int((instance.capacity > 0).sum()))
    return k * (score_range(instance) + 2) + 1


def _solve(prepared, name, rows, cols, move_cost, build) -> MatchResult:
    """The solver and assembly stages: one solve when its integers fit, else two phases."""
    instance = prepared.instance
    bonus = kept_bonus(instance, rows, cols, move_cost)
    scores = instance.scores.copy()
    scores[rows, cols] += bonus / SCALE
    try:
        return solve_prepared(prepared, name, solver_scores=scores, timings=build)
    except OverflowError:
        if move_cost is not None:
            raise
    del scores
    try:  # places x kept-pair bonus x score overflow 64 bits in one objective: two phases
        solution, notes = solve_kept_first(instance, prepared.policy, name, rows, cols, bonus)
    except InfeasibleError as error:
        return infeasible_result(prepared.cohort, name, error.conflicts, (), build)
    timings = (*build, *solution.timings)
    if solution.status is Status.INFEASIBLE:
        conflicts, notes = solution.conflicts, (*notes, *solution.notes)
        return infeasible_result(prepared.cohort, name, conflicts, notes, timings)
    clock = time.perf_counter()
    result = assemble(prepared, replace(solution, notes=(*notes, *solution.notes)), name)
    return replace(result, timings=(*timings, ("explain", time.perf_counter() - clock)))


def rematch(
    cohort: Cohort,
    policy: Policy,
    previous: Sequence[tuple[str, str]],
    changes: Changes | Mapping | None = None,
    *,
    move_cost: float | None = None,
) -> Rematch:
    """The best new assignment that keeps as many previous pairs as possible.

    Parameters
    ----------
    cohort, policy : the base the previous assignment was made for.
    previous : (mentee_id, mentor_id) pairs of the previous assignment (ids of ``cohort``).
    changes : a :class:`~matcher.whatif.changes.Changes` or change data (validated here).
    move_cost : None (keep as many pairs as possible), or a score amount >= 0 that one
        moved pair costs.

    Returns
    -------
    Rematch

    Raises
    ------
    InputError
        Bad change data, previous pairs naming people not in ``cohort``, a negative
        ``move_cost``, policy pairs naming unknown people, or a cohort too large to keep
        pairs exactly without ``move_cost``.

    When the new hard rules conflict (pinned pairs, minimum loads), the result has status
    INFEASIBLE with the conflicts, as :func:`matcher.solve.solve` returns it, and no moves.
    """
    started = time.perf_counter()
    if move_cost is not None and (not np.isfinite(move_cost) or move_cost < 0):
        problem = Problem("expected a number >= 0", column="move_cost", value=str(move_cost))
        raise InputError([problem], title="the rematch options were rejected")
    previous = _check_previous(cohort, previous)
    if changes is None:
        changes = Changes()
    elif not isinstance(changes, Changes):
        changes = parse_changes(changes, cohort, policy)
    new_cohort, new_policy = apply_changes(cohort, policy, changes)
    notes = []
    if new_policy.objective is not Objective.TOTAL:
        notes.append(
            f"the policy's {new_policy.objective.value} objective does not apply to a rematch: "
            "places first, then kept pairs, then the total score"
        )
        solver = new_policy.solver if new_policy.solver is not SolverChoice.FLOW else None
        new_policy = replace(
            new_policy, objective=Objective.TOTAL, solver=solver or SolverChoice.AUTO
        )
    name = solver_name(new_cohort, new_policy)
    try:
        prepared = prepare(new_cohort, new_policy)
    except InfeasibleError as error:
        timings = (("build", time.perf_counter() - started),)
        result = infeasible_result(new_cohort, name, error.conflicts, notes, timings)
        return Rematch(result, new_cohort, new_policy, len(previous), 0, 0, (), move_cost)
    instance = prepared.instance
    e_at = {x: i for i, x in enumerate(new_cohort.mentee_ids)}
    m_at = {x: j for j, x in enumerate(new_cohort.mentor_ids)}
    broken = set(changes.broken)
    keep = [
        (e_at[e], m_at[m])
        for e, m in previous
        if e in e_at and m in m_at and (e, m) not in broken and instance.eligible[e_at[e], m_at[m]]
    ]
    rows = np.array([i for i, _ in keep], np.int64)
    cols = np.array([j for _, j in keep], np.int64)
    build = (("build", time.perf_counter() - started),)
    try:
        result = _solve(prepared, name, rows, cols, move_cost, build)
    except OverflowError:
        problem = Problem(
            f"{int(instance.wanted.sum())} wanted places with this score range are too many "
            "to keep pairs exactly (the objective would overflow 64-bit integers even in two "
            "phases); give a move cost (e.g. 0.2) to trade score against moves instead",
            column="move_cost",
            value="none",
        )
        raise InputError([problem], title="the rematch is too large to solve exactly") from None
    notes += [n for n in result.notes if n.startswith("kept pairs first:")]
    result = replace(result, notes=tuple(n for n in result.notes if n not in notes))
    if result.status is Status.INFEASIBLE:
        result = replace(result, notes=(*notes, *result.notes))
        return Rematch(result, new_cohort, new_policy, len(previous), len(keep), 0, (), move_cost)
    clock = time.perf_counter()
    new_pins = set(new_policy.pinned_pairs) - set(previous)
    facts = RematchFacts(
        gone_e=frozenset(changes.remove_mentees),
        gone_m=frozenset(changes.remove_mentors),
        broken=frozenset(broken),
        prepared=prepared,
        e_at=e_at,
        m_at=m_at,
        old_load=count_by(previous, 1, e_at, m_at),
        old_got=count_by(previous, 0, e_at, m_at),
        pinned_e=frozenset(e for e, _ in new_pins),
        pinned_m=frozenset(m for _, m in new_pins),
        move_cost=move_cost,
    )
    moves, pairs = moves_of(facts, previous, result, cohort)
    kept = len(set(previous) & {(p.mentee_id, p.mentor_id) for p in result.pairs})
    notes.append(
        f"rematch: {kept} of {len(previous)} previous pairs kept ({len(keep)} still possible); "
        + (
            "places first, then kept pairs, then total score"
            if move_cost is None
            else f"each moved pair costs {move_cost:g} of score"
        )
    )
    # The objective is lexicographic here (places, kept pairs, score): the solver's bound
    # on the bonused scores is not a bound on the score, so neither bound nor gap applies.
    *stages, (_, explain_seconds) = result.timings
    timings = (*stages, ("explain", explain_seconds + time.perf_counter() - clock))
    result = replace(
        result,
        pairs=pairs,
        bound=None,
        gap=None,
        notes=(*notes, *result.notes),
        timings=timings,
    )
    return Rematch(result, new_cohort, new_policy, len(previous), len(keep), kept, moves, move_cost)


def rematch_to_dict(outcome: Rematch) -> dict:
    """A :class:`Rematch` as JSON-ready data (without the full pair list).

    Returns
    -------
    dict
        ``status``, ``solver``, ``certified``, ``previous``, ``keepable``, ``kept``,
        ``moved`` (number of moves), ``move_cost``, ``total_score``, ``matched_places``,
        ``wanted_places``, ``moves`` (list of dicts) and ``notes``.
    """
    r = outcome.result
    return {
        "status": r.status.value,
        "solver": r.solver,
        "certified": r.certified,
        "previous": outcome.previous,
        "keepable": outcome.keepable,
        "kept": outcome.kept,
        "moved": len(outcome.moves),
        "move_cost": outcome.move_cost,
        "total_score": r.objective,
        "matched_places": r.metrics.matched_places,
        "wanted_places": r.metrics.wanted_places,
        "moves": [move_to_dict(m) for m in outcome.moves],
        "notes": list(r.notes),
    }
