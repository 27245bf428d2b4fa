"""CP-SAT on request (``solver = "cpsat"``): minimum loads and per-group caps as a CP model.

The exact flow (:mod:`matcher.solvers.bounded_flow`) solves these rules by default; this
model is the place for rules a flow cannot express, warm-started from the flow optimum and
judged against it (:mod:`matcher.solvers.dispatch`).

One boolean ``x[mentee, mentor]`` per candidate pair. The candidate graph is sparse: the
top-K mentors of every mentee, the top-L mentees of every mentor, the hint's pairs and
the pinned pairs. When that graph is infeasible, the model is rebuilt on every eligible
pair if there are at most :data:`FULL_MODEL_LIMIT` of them. The objective is the shared
one: each matched place earns :func:`matcher.solvers.integers.place_bonus`, so as many
places as possible come first, then the total score.

Infeasibility is explained in words: simple necessary conditions are checked before any
solve (:func:`simple_conflicts`); when CP-SAT proves infeasibility anyway, a second solve
with one assumption per minimum load names the mentors whose minimums clash.

Determinism: the answer depends on ``policy.seed`` and ``num_workers``. A run that stops
on the wall-clock limit with more than one worker is not guaranteed to repeat exactly;
``deterministic_time`` adds a limit in CP-SAT's deterministic time units.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.encode.instance import Instance, Solution
from matcher.model import Policy
from matcher.results import Status
from matcher.solvers import integers
from matcher.solvers.side_rules import (
    breaks_rules,
    candidate_mask,
    id_list,
    simple_conflicts,
    usable_pairs,
)

FULL_MODEL_LIMIT = 200_000
"""Most eligible pairs for which the model may hold every eligible pair."""


@dataclass(frozen=True)
class _Run:
    """One CP-SAT solve, in plain values."""

    status: int
    status_name: str
    pairs: tuple[tuple[int, int], ...]
    bound: float | None  # best objective bound, in scaled integer units
    seconds: float


def _build(instance: Instance, cand: np.ndarray, coef: np.ndarray, hint, assume: bool):
    """The model on the candidate pairs; returns (model, x, min-load literals by mentor)."""
    rows, cols = np.nonzero(cand)
    model = cp_model.CpModel()

    # Variables
    # x[mentee, mentor] is 1 when the mentee is paired with the mentor.
    pairs = zip(rows.tolist(), cols.tolist(), strict=True)
    x = {(i, j): model.new_bool_var(f"x[{i},{j}]") for i, j in pairs}
    of_mentee: dict[int, list] = {}
    of_mentor: dict[int, list[int]] = {}
    for i, j in x:
        of_mentee.setdefault(i, []).append(x[i, j])
        of_mentor.setdefault(j, []).append(i)

    # Constraints
    # A mentee gets at most as many mentors as it wants.
    for i, mentee_vars in of_mentee.items():
        model.add(cp_model.LinearExpr.sum(mentee_vars) <= int(instance.wanted[i]))
    # A mentor takes at most its capacity.
    for j, mentees in of_mentor.items():
        load = cp_model.LinearExpr.sum([x[i, j] for i in mentees])
        model.add(load <= int(instance.capacity[j]))
    # A mentor with a minimum load takes at least that many mentees.
    literals = {}
    for j in np.nonzero(np.asarray(instance.min_load) > 0)[0].tolist():
        load = cp_model.LinearExpr.sum([x[i, j] for i in of_mentor.get(j, [])])
        constraint = model.add(load >= int(instance.min_load[j]))
        if assume:
            literals[j] = model.new_bool_var(f"min_load[{j}]")
            constraint.only_enforce_if(literals[j])
    # A mentor takes at most max_per_group mentees of one group.
    if instance.mentee_group is not None and instance.max_per_group is not None:
        groups = np.asarray(instance.mentee_group)
        for j, mentees in of_mentor.items():
            for code in np.unique(groups[mentees]).tolist():
                same = [x[i, j] for i in mentees if groups[i] == code]
                if code >= 0 and len(same) > instance.max_per_group:
                    model.add(cp_model.LinearExpr.sum(same) <= instance.max_per_group)
    # Pinned pairs are in every result.
    for i, j in instance.pinned:
        model.add(x[i, j] == 1)

    # Objective
    # Every matched place earns the bonus, so places come first; then the pair scores.
    if not assume:
        model.maximize(
            cp_model.LinearExpr.weighted_sum(list(x.values()), [int(coef[k]) for k in x])
        )
    # Warm start from the hint on every candidate pair.
    if hint is not None:
        for key, var in x.items():
            model.add_hint(var, key in hint)
    if assume:
        model.add_assumptions(list(literals.values()))
    return model, x, literals


def _solver(policy: Policy, num_workers: int, deterministic_time: float | None):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(policy.time_limit_seconds)
    solver.parameters.random_seed = int(policy.seed) % 2**31
    solver.parameters.num_workers = num_workers
    if deterministic_time is not None:
        solver.parameters.max_deterministic_time = float(deterministic_time)
    return solver


def _run(instance, cand, coef, hint, policy, num_workers, deterministic_time) -> _Run:
    model, x, _ = _build(instance, cand, coef, hint, assume=False)
    # Solve
    solver = _solver(policy, num_workers, deterministic_time)
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT rejected the model: {model.validate()}")
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    pairs = tuple(sorted(k for k, var in x.items() if solver.boolean_value(var))) if found else ()
    bound = solver.best_objective_bound if found else None
    return _Run(status, solver.status_name(status), pairs, bound, solver.wall_time)


def _diagnose(instance, cand, policy, num_workers, deterministic_time) -> str:
    """Why a model CP-SAT proved infeasible is so, from a core of minimum-load assumptions."""
    model, _, literals = _build(instance, cand, np.zeros(0), None, assume=True)
    solver = _solver(policy, 1, deterministic_time)  # cores come from one worker
    status = solver.solve(model)
    needy = sorted(literals)
    if status == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        needy = [j for j in needy if literals[j].index in core]
    if not needy:
        return "pinned pairs, capacities and group caps cannot all hold together"
    return "minimum loads cannot all be met together: mentors " + id_list(
        instance.mentor_ids, needy
    )


def _score_bound(raw_bound: float, bonus: int, n_places: int, score_int: int) -> float:
    """Upper bound on the float total score of solutions with ``n_places`` places.

    Any such solution has ``bonus * n_places + score <= raw_bound`` (scaled integers),
    so its scaled score is at most ``raw_bound - bonus * n_places``; each scaled pair
    score is within ``0.5 / SCALE`` of its float, hence the rounding slack per place.
    """
    bound_int = max(score_int, int(round(raw_bound)) - bonus * n_places)
    return integers.to_float(bound_int) + n_places * 0.5 / integers.SCALE


def _value(pairs, coef: np.ndarray) -> tuple[int, int]:
    """(places, scaled objective) of ``pairs`` under ``coef`` (bonus + score, by pair)."""
    return len(pairs), int(sum(int(coef[p]) for p in pairs))


def solve_cpsat(
    instance: Instance,
    policy: Policy,
    hint: Solution | None = None,
    *,
    num_workers: int = 2,
    top_k: int = 10,
    top_l: int = 10,
    all_pairs: bool | None = None,
    deterministic_time: float | None = None,
) -> Solution:
    """Most places, then the best total score, under minimum loads and per-group caps.

    Parameters
    ----------
    instance : the problem; ``min_load``, ``mentee_group`` and ``max_per_group`` are the
        side constraints, pinned pairs are fixed.
    policy : ``time_limit_seconds`` (per CP-SAT solve) and ``seed``.
    hint : a solution to warm-start from (e.g. the flow optimum); its pairs are candidates.
    num_workers : CP-SAT worker threads.
    top_k, top_l : candidate graph size, see :func:`candidate_mask`.
    all_pairs : True to model every eligible pair, False to stay sparse, None (default)
        for sparse with a fall-back to every eligible pair (at most
        :data:`FULL_MODEL_LIMIT`) when the sparse model is infeasible.
    deterministic_time : optional limit in CP-SAT deterministic time units.

    Returns
    -------
    Solution
        OPTIMAL or FEASIBLE with ``bound`` = the solver's best bound minus the bonus of
        the solution's places (an upper bound on the score at that many places, over
        the modelled pairs); ``certified`` when OPTIMAL on every eligible pair.
        INFEASIBLE with ``conflicts`` in words.

    Raises
    ------
    RuntimeError
        If no solution is found within the time limit and the hint (if any) breaks a
        constraint, or CP-SAT rejects the model.
    """
    started = time.perf_counter()
    conflicts = simple_conflicts(instance)
    if conflicts:
        return Solution(
            (),
            Status.INFEASIBLE,
            conflicts=tuple(conflicts),
            notes=("not solved: simple conditions fail",),
        )
    usable = usable_pairs(instance)
    n_usable = int(usable.sum())
    hint_pairs = tuple(sorted({(int(i), int(j)) for i, j in hint.pairs})) if hint else ()
    hint_set = {p for p in hint_pairs if usable[p]} if hint else None
    extra = tuple(instance.pinned) + hint_pairs
    full = bool(all_pairs)
    cand = usable if full else candidate_mask(instance, top_k, top_l, extra)
    full = full or int(cand.sum()) == n_usable
    places = int(min(np.sum(instance.wanted), np.sum(instance.capacity)))
    int_scores = np.zeros(instance.shape, dtype=np.int64)
    int_scores[usable] = integers.to_int(np.asarray(instance.scores)[usable])
    bonus = integers.place_bonus(int_scores[usable], places)
    coef = np.where(usable, int_scores + bonus, 0)
    notes = [f"candidate pairs: {int(cand.sum())} of {n_usable} eligible"]
    timings = [("candidates", time.perf_counter() - started)]

    args = (policy, num_workers, deterministic_time)
    run = _run(instance, cand, coef, hint_set, *args)
    timings.append(("cpsat", run.seconds))
    if run.status == cp_model.INFEASIBLE and not full and all_pairs is None:
        if n_usable <= FULL_MODEL_LIMIT:
            notes.append("sparse model infeasible: re-solved with every eligible pair")
            cand, full = usable, True
            run = _run(instance, cand, coef, hint_set, *args)
            timings.append(("cpsat, every eligible pair", run.seconds))
    notes.append(f"cpsat: {run.status_name}, workers {num_workers}")

    if run.status == cp_model.INFEASIBLE:
        if full:
            reason = _diagnose(instance, cand, *args)
        else:
            reason = (
                f"no assignment meets the side constraints among the {int(cand.sum())} "
                f"candidate pairs (not proven for all {n_usable} eligible pairs)"
            )
        return Solution(
            (), Status.INFEASIBLE, conflicts=(reason,), notes=tuple(notes), timings=tuple(timings)
        )

    hint_ok = hint is not None and not breaks_rules(instance, hint_pairs)
    if run.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if not hint_ok:
            raise RuntimeError("no solution within the time limit")
        notes.append("no solution within the time limit: returned the hint")
        return Solution(hint_pairs, Status.FEASIBLE, notes=tuple(notes), timings=tuple(timings))
    if hint_ok and _value(hint_pairs, coef) > _value(run.pairs, coef):
        notes.append("the hint beat the time-limited solve: returned the hint")
        return Solution(hint_pairs, Status.FEASIBLE, notes=tuple(notes), timings=tuple(timings))

    n_places, objective = _value(run.pairs, coef)
    optimal = run.status == cp_model.OPTIMAL
    total = float(sum(float(instance.scores[p]) for p in run.pairs))
    bound = _score_bound(run.bound, bonus, n_places, objective - bonus * n_places)
    if not optimal:
        notes.append("bound: solver bound minus the bonus of the places, plus rounding slack")
    if not full:
        notes.append("sparse model: optimal and bound hold for the candidate pairs only")
    return Solution(
        pairs=run.pairs,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        bound=total if optimal else max(total, bound),
        certified=optimal and full,
        notes=tuple(notes),
        timings=tuple(timings),
    )
