"""The one entry point, ``solve(cohort, policy)``, as composed stages.

prepare (:func:`matcher.encode.prepare.prepare`: rules, scores, the solver instance) ->
solver (:func:`matcher.solvers.dispatch.run_solver`: candidates, flow / fair / stable /
cpsat, certificate) -> assemble (:func:`matcher.result.assemble.assemble`: explanations,
reasons, alternates, metrics). :func:`solve_prepared` runs the last two on a prepared
cohort, optionally optimising other scores than the real ones (a rematch's kept-pair
bonus), so rematch, scenarios and the service reuse the stages instead of copying them.
One contract for conflicting hard rules: a result with status INFEASIBLE naming every
conflict, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from matcher.encode.instance import Solution
from matcher.encode.prepare import Prepared, prepare
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
from matcher.solvers.dispatch import run_solver


def solver_name(cohort: Cohort, policy: Policy) -> str:
    """Which solver :func:`solve` runs: ``"stable"``, ``"fair"``, ``"flow"`` or ``"cpsat"``.

    The exact flow handles every rule of the total and fair objectives, minimum loads and
    department caps included; CP-SAT runs only when the policy asks for it. The stable
    objective with minimum loads or department caps returns a stable matching meeting
    them when one exists, else the one meeting them with the fewest blocking pairs
    (:mod:`matcher.solvers.stable_loads`).
    """
    del cohort
    if policy.objective is Objective.STABLE:
        return "stable"
    if policy.objective is Objective.FAIR:
        return "fair"
    if policy.objective is Objective.GROUP_FAIR:
        return "group-fair"
    if policy.solver is SolverChoice.CPSAT:
        return "cpsat"
    return "flow"


@dataclass(frozen=True, eq=False)
class Solved:
    """A result with what it was made from, for whatever reads them again (a receipt's
    certificate, :func:`matcher.answers.receipt.make_receipt`, then needs no second
    prepare and starts from the solver's last candidate graph).

    Attributes
    ----------
    result : what :func:`solve` returns.
    prepared : the prepared cohort; None when preparing found the hard rules in conflict.
    solution : the solver's solution; None when the solver found them in conflict.
    """

    result: MatchResult
    prepared: Prepared | None = None
    solution: Solution | None = None


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
        Pairs sorted by mentee then mentor (cohort order), scores rounded to
        :data:`matcher.results.SCORE_DIGITS` decimals. When the hard rules conflict: status
        INFEASIBLE with ``conflicts``, no pairs, and every wanted place unmatched with the
        conflicts as reasons.

    Raises
    ------
    InputError
        If the policy names people who are not in the cohort, or a rule needs the cpsat
        solver but the policy forces another one.
    """
    return solve_in_full(cohort, policy, progress=progress).result


def solve_in_full(
    cohort: Cohort, policy: Policy, *, progress: Callable[[str], None] | None = None
) -> Solved:
    """:func:`solve`, keeping the prepared cohort and the solver's solution beside the
    result (same arguments and errors)."""
    say = progress or (lambda stage: None)
    name = solver_name(cohort, policy)
    say("building")
    started = time.perf_counter()
    try:
        prepared = prepare(cohort, policy)
    except InfeasibleError as error:
        timings = (("build", time.perf_counter() - started),)
        return Solved(infeasible_result(cohort, name, error.conflicts, (), timings))
    timings = (("build", time.perf_counter() - started),)
    return _solve_prepared(prepared, name, None, say, timings)


def solve_prepared(
    prepared: Prepared,
    name: str,
    *,
    solver_scores: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
    timings: tuple[tuple[str, float], ...] = (),
) -> MatchResult:
    """The solver and assembly stages of :func:`solve` on a prepared cohort.

    Parameters
    ----------
    prepared : from :func:`matcher.encode.prepare.prepare`.
    name : the solver, from :func:`solver_name`.
    solver_scores : scores the solver optimises instead of the real ones (same shape);
        the result reports the real scores.
    progress : optional callable told each stage's name as it starts.
    timings : the stages already run, put first in the result's timings.

    Returns
    -------
    MatchResult
        As for :func:`solve`, INFEASIBLE included.
    """
    say = progress or (lambda stage: None)
    return _solve_prepared(prepared, name, solver_scores, say, timings).result


def _solve_prepared(prepared, name, solver_scores, say, timings) -> Solved:
    instance = prepared.instance
    if solver_scores is not None:
        instance = replace(instance, scores=solver_scores)
    say(f"solving ({name})")
    try:
        if name == "group-fair":
            solution = _group_fair(prepared, instance)
        else:
            solution = run_solver(name, instance, prepared.policy)
    except InfeasibleError as error:
        return Solved(
            infeasible_result(prepared.cohort, name, error.conflicts, (), timings), prepared
        )
    timings = (*timings, *solution.timings)
    if solution.status is Status.INFEASIBLE:
        found = infeasible_result(
            prepared.cohort, name, solution.conflicts, solution.notes, timings
        )
        return Solved(found, prepared, solution)
    say("explaining")
    started = time.perf_counter()
    result = assemble(prepared, solution, name)
    timings = (*timings, ("explain", time.perf_counter() - started))
    return Solved(replace(result, timings=timings), prepared, solution)


def _group_fair(prepared: Prepared, instance) -> Solution:
    """The group-fair objective's solve (:mod:`matcher.answers.group_fair`)."""
    from matcher.answers.audit import groups_by
    from matcher.answers.group_fair import solve_group_fair

    policy = prepared.policy
    if not policy.fair_by:
        problem = Problem(
            "the group-fair objective needs the groups: by = department, location, ...",
            column="solver.by",
            source="policy",
        )
        raise InputError([problem], title="mentormatch cannot solve group-fair without groups")
    found = groups_by(prepared.cohort, policy.fair_by)
    groups = [np.array(members, np.int64) for _, members in found]
    names = [f"{policy.fair_by} {name!r}" for name, _ in found]
    return solve_group_fair(instance, groups, names, policy)
