"""The one entry point: ``solve(cohort, policy)`` -> a complete, explained MatchResult.

Builds the instance (eligibility + scores), picks the solver from the policy, and
assembles the result: pairs with score breakdowns and explanations, unmatched mentees
with reasons, alternates, metrics, bound and gap, notes and timings. Hard-rule conflicts
(pinned pairs, minimum loads) come back as a result with status INFEASIBLE, not as an
exception. Assembly is vectorised so that 10,000 x 2,000 costs well under a second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from matcher.encode.instance import Instance, Solution
from matcher.model import (
    Alternate,
    Cohort,
    InfeasibleError,
    InputError,
    MatchResult,
    Metrics,
    Objective,
    Pair,
    Policy,
    Problem,
    SolverChoice,
    Status,
    Unmatched,
)
from matcher.parallel import for_row_ranges
from matcher.result.explain import explain_pair, loads, normaliser, unmatched_reasons_many
from matcher.result.metrics import compute_metrics
from matcher.solvers.dispatch import run_solver

DIGITS = 6
ALTERNATES = 3
_BLOCK_CELLS = 131_072  # cells per block of the alternates' search (L2-cache sized)


def side_rules(cohort: Cohort, policy: Policy) -> list[str]:
    """The rules only the cpsat solver can honour, in words (empty when there are none)."""
    rules = []
    if any(m.min_capacity > 0 for m in cohort.mentors):
        rules.append("mentor minimum loads (min_capacity)")
    if policy.max_per_department is not None:
        rules.append("max_per_department")
    return rules


def solver_name(cohort: Cohort, policy: Policy) -> str:
    """Which solver :func:`solve` runs: ``"stable"``, ``"fair"``, ``"flow"`` or ``"cpsat"``.

    Raises
    ------
    InputError
        If a rule needs the cpsat solver but the policy forces another one.
    """
    needs = side_rules(cohort, policy)
    forced = None
    if policy.objective is not Objective.TOTAL:
        forced = ("solver.objective", policy.objective.value)
    elif policy.solver is SolverChoice.FLOW:
        forced = ("solver.solver", policy.solver.value)
    if needs and forced:
        column, value = forced
        message = (
            f"{' and '.join(needs)} need the cpsat solver, which only optimises the "
            f'total objective; use objective "total" with solver "auto" or "cpsat", '
            "or drop the rule"
        )
        problem = Problem(message, column=column, value=value, source="policy")
        raise InputError([problem], title="the policy asks for a solver that cannot apply it")
    if policy.objective is Objective.STABLE:
        return "stable"
    if policy.objective is Objective.FAIR:
        return "fair"
    if policy.solver is SolverChoice.CPSAT or needs:
        return "cpsat"
    return "flow"


def _infeasible(cohort, solver, conflicts, notes, timings) -> MatchResult:
    unmatched = tuple(
        Unmatched(e.id, e.capacity, tuple(conflicts)) for e in cohort.mentees if e.capacity > 0
    )
    metrics = Metrics(
        mentees=len(cohort.mentees),
        mentors=len(cohort.mentors),
        wanted_places=sum(e.capacity for e in cohort.mentees),
    )
    return MatchResult(
        solver=solver,
        status=Status.INFEASIBLE,
        unmatched=unmatched,
        metrics=metrics,
        conflicts=tuple(conflicts),
        notes=tuple(notes),
        timings=tuple(timings),
    )


def solve(
    cohort: Cohort, policy: Policy, *, progress: Callable[[str], None] | None = None
) -> MatchResult:
    """Match ``cohort`` under ``policy`` and explain the result.

    Parameters
    ----------
    cohort : the validated cohort.
    policy : weights, hard rules, objective and solver settings.
    progress : optional callable told each stage's name as it starts.

    Returns
    -------
    MatchResult
        Pairs sorted by mentee then mentor (cohort order), scores rounded to 6 decimals.
        When the hard rules conflict: status INFEASIBLE with ``conflicts``, no pairs, and
        every wanted place unmatched with the conflicts as reasons.

    Raises
    ------
    InputError
        If the policy names people who are not in the cohort, or a rule needs the cpsat
        solver but the policy forces another one.
    """
    from matcher.encode.prepare import build_instance

    say = progress or (lambda stage: None)
    name = solver_name(cohort, policy)
    say("building")
    started = time.perf_counter()
    try:
        instance, features = build_instance(cohort, policy)
    except InfeasibleError as error:
        timings = (("build", time.perf_counter() - started),)
        return _infeasible(cohort, name, error.conflicts, (), timings)
    timings = [("build", time.perf_counter() - started)]
    say(f"solving ({name})")
    try:
        solution = run_solver(name, instance, policy)
    except InfeasibleError as error:
        solution = Solution((), Status.INFEASIBLE, conflicts=error.conflicts)
    timings.extend(solution.timings)
    if solution.status is Status.INFEASIBLE:
        return _infeasible(cohort, name, solution.conflicts, solution.notes, timings)
    say("explaining")
    started = time.perf_counter()
    result = assemble(cohort, policy, instance, features, solution, name)
    timings.append(("explain", time.perf_counter() - started))
    return replace(result, timings=tuple(timings))


def assemble(cohort, policy, instance, features, solution, name: str) -> MatchResult:
    """The MatchResult of a feasible ``solution`` (see :func:`solve`), without timings.

    Parameters
    ----------
    cohort, policy : the inputs.
    instance, features : from :func:`matcher.encode.prepare.build_instance`.
    solution : a solver's OPTIMAL or FEASIBLE solution.
    name : the solver's name.

    Returns
    -------
    MatchResult
    """
    from matcher.encode.rules import rule_context
    from matcher.encode.scoring import pair_components

    norm = normaliser(policy)
    pairs = sorted({(int(i), int(j)) for i, j in solution.pairs})
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([j for _, j in pairs], dtype=np.int64)
    raw = instance.scores[rows, cols]
    scores = np.round(raw, DIGITS)
    parts = {c: np.round(v, DIGITS) for c, v in pair_components(features, rows, cols).items()}
    pinned = set(instance.pinned)
    out_pairs = []
    for k, (i, j) in enumerate(pairs):
        comps = {c: float(v[k]) for c, v in parts.items()}
        text = explain_pair(cohort, policy, i, j, comps, (i, j) in pinned, normalise=norm)
        out_pairs.append(
            Pair(
                mentee_id=instance.mentee_ids[i],
                mentor_id=instance.mentor_ids[j],
                score=float(scores[k]),
                components=tuple(comps.items()),
                pinned=(i, j) in pinned,
                explanation=text,
            )
        )
    got, _ = loads(instance, pairs)
    short = np.flatnonzero(got < instance.wanted).tolist()
    context = None
    if short:
        built = getattr(features, "rules", None)  # the context build_instance already made
        context = built if built is not None and built.policy == policy else None
        context = context or rule_context(cohort, policy, features.people)
    reasons = unmatched_reasons_many(cohort, policy, instance, pairs, short, context=context)
    unmatched = tuple(
        Unmatched(instance.mentee_ids[i], int(instance.wanted[i] - got[i]), reasons[i])
        for i in short
    )
    objective = round(math.fsum(raw.tolist()), DIGITS)
    bound, gap = solution.bound, None
    if bound is not None:
        # Bound and objective are sums of differently rounded scores: snap float noise.
        bound = max(round(float(bound), DIGITS), objective)
        gap = round((bound - objective) / max(1.0, abs(bound)), 9)
        if gap < 1e-6 * max(1, len(pairs)) / max(1.0, abs(bound)):
            bound, gap = objective, 0.0
    return MatchResult(
        solver=name,
        status=solution.status,
        pairs=tuple(out_pairs),
        unmatched=unmatched,
        alternates=alternates(instance, pairs, policy.objective.value),
        metrics=compute_metrics(instance, pairs, raw, cohort, norm),
        objective=objective,
        bound=bound,
        gap=gap,
        certified=solution.certified,
        notes=solution.notes,
    )


def _top_k(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the ``k`` largest finite values, best first, ties by column.

    ``values`` is overwritten. Returns ``(cols, ok)``: int64 ``(rows, k)`` and a mask of
    real entries (a row with fewer than ``k`` finite values is padded).
    """
    n_rows, n_cols = values.shape
    k = min(k, n_cols)
    cols = np.zeros((n_rows, k), np.int64)
    ok = np.zeros((n_rows, k), bool)
    every = np.arange(n_rows)
    for q in range(k):
        best = values.argmax(axis=1)  # the first maximum: ties go to the lower column
        ok[:, q] = np.isfinite(values[every, best])
        cols[:, q] = best
        values[every, best] = -np.inf
    return cols, ok


def alternates(
    instance: Instance,
    pairs: Sequence[tuple[int, int]],
    objective: str = "total",
    k: int = 3,
) -> tuple[Alternate, ...]:
    """The ``k`` best eligible mentors each mentee did not get, with why not.

    Parameters
    ----------
    instance : the solved instance.
    pairs : the matching, as (mentee index, mentor index).
    objective : the objective's name, for the texts.
    k : alternates per mentee.

    Returns
    -------
    tuple of Alternate
        By mentee index, then score (best first), then mentor index. Mentees who sit
        out get none; mentors who sit out are never offered.
    """
    n_e, n_m = instance.shape
    got, load = loads(instance, pairs)
    wanted, capacity = np.asarray(instance.wanted), np.asarray(instance.capacity)
    worst = np.full(n_e, np.inf)
    group_load: dict[tuple[int, int], int] = {}
    groups = instance.mentee_group
    for i, j in pairs:
        worst[i] = min(worst[i], float(instance.scores[i, j]))
        if groups is not None and groups[i] >= 0:
            key = (j, int(groups[i]))
            group_load[key] = group_load.get(key, 0) + 1
    step = max(1, _BLOCK_CELLS // max(1, n_m))
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([j for _, j in pairs], dtype=np.int64)
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def search(lo: int, hi: int) -> None:
        for start in range(lo, hi, step):
            stop = min(hi, start + step)
            ok = instance.eligible[start:stop] & (capacity > 0)[None, :]
            ok &= (wanted[start:stop] > 0)[:, None]
            mine = (rows >= start) & (rows < stop)
            ok[rows[mine] - start, cols[mine]] = False  # assigned pairs are not alternates
            values = np.where(ok, instance.scores[start:stop], -np.inf)
            best, real = _top_k(values, k)
            r, q = np.nonzero(real)  # by mentee, then rank
            found[start] = (start + r, best[r, q])

    for_row_ranges(search, n_e, step)
    found_i = [found[start][0] for start in sorted(found)]
    found_j = [found[start][1] for start in sorted(found)]
    if not found_i:
        return ()
    at_i = np.concatenate(found_i)
    at_j = np.concatenate(found_j)
    scores = instance.scores[at_i, at_j].tolist()
    state = (got.tolist(), load.tolist(), worst.tolist(), np.asarray(capacity).tolist())
    e_ids, m_ids = instance.mentee_ids, instance.mentor_ids
    out = []
    for i, j, score in zip(at_i.tolist(), at_j.tolist(), scores, strict=True):
        why = _why_not(instance, objective, i, j, score, state, group_load)
        out.append(Alternate(e_ids[i], m_ids[j], round(score, 6), why))
    return tuple(out)


def _why_not(instance, objective, i, j, score, state, group_load) -> str:
    got, load, worst, capacity = state
    cap = capacity[j]
    if load[j] >= cap:
        return f"full: all {cap} place{'s' if cap != 1 else ''} taken"
    if got[i] and score <= worst[i]:
        return "lower score than the assigned mentor" + ("s" if got[i] > 1 else "")
    groups = instance.mentee_group
    if groups is not None and groups[i] >= 0 and instance.max_per_group is not None:
        if group_load.get((j, int(groups[i])), 0) >= instance.max_per_group:
            return f"already has {instance.max_per_group} mentees of this department (the cap)"
    if got[i] >= instance.wanted[i]:
        return f"has a free place, but the {objective} objective chose the assigned mentor"
    return "has a free place, but the solver did not use it (see the result's notes)"
